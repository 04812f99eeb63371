import CreditRecords
import Foundation
import Testing

struct CreditAmountTests {
    @Test(arguments: [("38.75", 155), ("1", 4), ("0.25", 1), ("12.50", 50), ("0", 0), ("+2", 8), ("-0", 0),
                      ("38,75", 155), ("1,5", 6)])
    func parsesAmountsInQuarterSteps(text: String, quarters: Int) throws {
        #expect(try CreditAmount.parse(text).get() == CreditAmount(quarters: quarters))
    }

    @Test(arguments: [
        ("1.3", CreditAmount.ParseFailure.notInQuarterSteps), ("0.125", .notInQuarterSteps),
        ("-1", .negative), ("-0.25", .negative), ("ten", .notANumber), ("", .notANumber), ("1e2", .notANumber),
        ("1,000", .notANumber), ("1,2", .notInQuarterSteps),
    ])
    func refusesAmountsOffTheGrid(text: String, failure: CreditAmount.ParseFailure) {
        #expect(throws: failure) { try CreditAmount.parse(text).get() }
    }

    @Test(arguments: [(155, "38.75"), (4, "1"), (1, "0.25"), (50, "12.5"), (0, "0"), (3, "0.75")])
    func printsAmountsAsPeopleWriteThem(quarters: Int, text: String) {
        #expect(CreditAmount(quarters: quarters).description == text)
    }

    /// The amounts as the regular expressions CreditPress read them with before reading by
    /// bytes: the same answer for every text, including odd ones.
    static func reference(_ text: String) -> Result<CreditAmount, CreditAmount.ParseFailure> {
        var trimmed = text.trimmed
        if trimmed.wholeMatch(of: /[+-]?[0-9]{1,6},[0-9]{1,2}/) != nil { trimmed = trimmed.replacingOccurrences(of: ",", with: ".") }
        guard let match = trimmed.wholeMatch(of: /^([+-])?([0-9]{1,6})(?:\.([0-9]{1,6}))?$/), let whole = Int(match.2) else {
            return .failure(.notANumber)
        }
        let millionths = Int((match.3.map(String.init) ?? "").padding(toLength: 6, withPad: "0", startingAt: 0)) ?? 0
        if match.1 == "-" && (whole > 0 || millionths > 0) { return .failure(.negative) }
        guard millionths % 250_000 == 0 else { return .failure(.notInQuarterSteps) }
        return .success(CreditAmount(quarters: whole * 4 + millionths / 250_000))
    }

    @Test func readsEveryTextAsTheRegularExpressionsDid() {
        var texts = ["", " ", "+", "-", ".", ",", "1.", ".5", "1..5", "1.5.", "1,5,", "+-1", "--1", "1 5", " 24.5 ", "\t3\n",
                     "1234567", "123456", "123456.123456", "1.1234567", "1,123", "-0,00", "+0.0", "٣", "１", "1\u{301}", "1.2x",
                     "0.000001", "999999.999999", "38.8", "38,8", "0.3", "-0.3", "1e2", "0x10", "NaN", "inf", "1_000",
                     String(repeating: "9", count: 40), "1." + String(repeating: "5", count: 40),
                     "-" + String(repeating: "9", count: 25) + ",5"]
        for whole in ["0", "1", "38", "00", "999999"] {
            for fraction in ["", ".0", ".25", ".5", ".75", ".1", ".125", ".250000", ",5", ",25", ",125", ",75"] {
                for sign in ["", "+", "-"] { texts.append(sign + whole + fraction) }
            }
        }
        for text in texts {
            #expect(CreditAmount.parse(text) == Self.reference(text), "\(text.debugDescription)")
        }
    }

    @Test(arguments: [("38.8", 156), ("38,8", 156), ("0.3", 2), ("0.000001", 1), ("12.51", 51), ("999999.999999", 4_000_000)])
    func anAmountOffTheGridIsRoundedUpToTheNextQuarter(text: String, quarters: Int) {
        #expect(CreditAmount.roundedUp(text) == CreditAmount(quarters: quarters))
    }

    @Test(arguments: ["38.75", "1", "-0.3", "ten", "", "1,000"])
    func onlyAnAmountOffTheGridIsRounded(text: String) {
        #expect(CreditAmount.roundedUp(text) == nil)
    }

    @Test func onlyExactlyOneIsSingular() {
        #expect(CreditAmount(quarters: 4).isOne)
        #expect(!CreditAmount(quarters: 5).isOne)
        #expect(!CreditAmount(quarters: 1).isOne)
    }
}

struct CivilDateTests {
    @Test(arguments: [
        ("2018-06-01", "2018-06-05", "June 1–5, 2018"),
        ("2018-05-30", "2018-06-03", "May 30 – June 3, 2018"),
        ("2018-12-30", "2019-01-02", "December 30, 2018 – January 2, 2019"),
        ("2018-06-05", "2018-06-05", "June 5, 2018"),
    ])
    func writesDateRangesAsPeopleDo(start: String, end: String, text: String) throws {
        let from = try #require(CivilDate(iso: start)), to = try #require(CivilDate(iso: end))
        #expect(CivilDate.longForm(from: from, to: to) == text)
    }

    @Test(arguments: ["2018-02-30", "2019-02-29", "2018-13-01", "18-06-01", "2018-6-1", "June 1", "2018-00-10", "2018-06-00",
                      " 2018-06-01", "2018-06-01 ", "2018/06/01", "2018-06-0a", "２０１８-06-01", "2018-06-05\u{301}", "2018-06-011", ""])
    func refusesDaysThatDoNotExist(text: String) {
        #expect(CivilDate(iso: text) == nil)
    }

    @Test func acceptsLeapDays() {
        #expect(CivilDate(iso: "2020-02-29") != nil)
        #expect(CivilDate(iso: "2000-02-29") != nil && CivilDate(iso: "1900-02-29") == nil)
    }

    @Test func readsEachPartOfAnISODate() {
        #expect(CivilDate(iso: "0987-12-31") == CivilDate(year: 987, month: 12, day: 31))
        #expect(CivilDate(iso: String("x2018-06-05".dropFirst())) == CivilDate(year: 2018, month: 6, day: 5))
    }
}

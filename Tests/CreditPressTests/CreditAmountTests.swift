import CreditRecords
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

    @Test(arguments: ["2018-02-30", "2019-02-29", "2018-13-01", "18-06-01", "2018-6-1", "June 1"])
    func refusesDaysThatDoNotExist(text: String) {
        #expect(CivilDate(iso: text) == nil)
    }

    @Test func acceptsLeapDays() {
        #expect(CivilDate(iso: "2020-02-29") != nil)
    }
}

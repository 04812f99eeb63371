import Foundation

/// An amount of credit (or hours), held exactly as a whole number of quarter units.
///
/// Credit is awarded in 0.25 steps, so quarters make every amount exact and every
/// comparison safe; `description` prints it as people write it: 38.75, 1, 0.25, 12.5.
public struct CreditAmount: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    public let quarters: Int

    public init(quarters: Int) {
        self.quarters = quarters
    }

    /// Why a piece of text is not a credit amount.
    public enum ParseFailure: Error, Equatable, Sendable {
        case notANumber
        case negative
        case notInQuarterSteps
    }

    /// An amount off the 0.25 grid (`38.8`), rounded up to the next quarter (38.8 → 39), so
    /// that a claim can still be compared with a maximum; nil for anything `parse` refuses
    /// for another reason.
    public static func roundedUp(_ text: String) -> CreditAmount? {
        guard let number = scan(text), !number.negative || (number.whole == 0 && number.millionths == 0),
              number.millionths % 250_000 != 0 else { return nil }
        return CreditAmount(quarters: number.whole * 4 + (number.millionths * 4 + 999_999) / 1_000_000)
    }

    /// Reads `38.75`, `1`, `0.5`, `2.50` — and `38,75` or `1,5`, the decimal comma many
    /// spreadsheets write (one or two digits after it, so `1,000` is not taken for 1);
    /// refuses text, negatives and amounts off the 0.25 grid.
    public static func parse(_ text: String) -> Result<CreditAmount, ParseFailure> {
        guard let number = scan(text) else { return .failure(.notANumber) }
        if number.negative && (number.whole > 0 || number.millionths > 0) { return .failure(.negative) }
        guard number.millionths % 250_000 == 0 else { return .failure(.notInQuarterSteps) }
        return .success(CreditAmount(quarters: number.whole * 4 + number.millionths / 250_000))
    }

    /// `[+-]DIGITS[.DIGITS]`, one to six digits on each side of a point, or one or two after
    /// a decimal comma, around any spaces; the fraction in millionths (0.25 is 250000).
    /// By bytes: this runs for every claim of every roster row, and a regex costs more than
    /// the rest of reading the row.
    static func scan(_ text: String) -> (negative: Bool, whole: Int, millionths: Int)? {
        let bytes = Array(text.trimmed.utf8)
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        var at = 0
        var negative = false
        if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") {
            negative = bytes[at] == UInt8(ascii: "-")
            at += 1
        }
        var whole = 0
        let wholeStart = at
        while at < bytes.count, isDigit(bytes[at]) {
            // More than six digits is refused below; never summed past seven, so never overflows.
            if at - wholeStart < 7 { whole = whole * 10 + Int(bytes[at] - UInt8(ascii: "0")) }
            at += 1
        }
        guard (1...6).contains(at - wholeStart) else { return nil }
        var millionths = 0
        if at < bytes.count {
            let separator = bytes[at]
            guard separator == UInt8(ascii: ".") || separator == UInt8(ascii: ",") else { return nil }
            at += 1
            let fractionStart = at
            var scale = 100_000
            while at < bytes.count, isDigit(bytes[at]) {
                millionths += Int(bytes[at] - UInt8(ascii: "0")) * scale
                scale /= 10
                at += 1
            }
            // (Past six digits the scale is 0: a long fraction adds nothing and is refused below.)
            let digits = at - fractionStart
            guard at == bytes.count, separator == UInt8(ascii: ".") ? (1...6).contains(digits) : (1...2).contains(digits) else {
                return nil
            }
        }
        return (negative, whole, millionths)
    }

    public var isZero: Bool { quarters == 0 }

    /// True for exactly one unit, which takes the singular ("1 Credit").
    public var isOne: Bool { quarters == 4 }

    public var description: String {
        let whole = quarters / 4
        switch quarters % 4 {
        case 1: return "\(whole).25"
        case 2: return "\(whole).5"
        case 3: return "\(whole).75"
        default: return "\(whole)"
        }
    }

    public static func < (lhs: CreditAmount, rhs: CreditAmount) -> Bool {
        lhs.quarters < rhs.quarters
    }

    public static func + (lhs: CreditAmount, rhs: CreditAmount) -> CreditAmount {
        CreditAmount(quarters: lhs.quarters + rhs.quarters)
    }
}

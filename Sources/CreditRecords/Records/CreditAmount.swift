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
        guard case .failure(.notInQuarterSteps) = parse(text) else { return nil }
        var trimmed = text.trimmed
        if trimmed.wholeMatch(of: Patterns.decimalComma) != nil { trimmed = trimmed.replacingOccurrences(of: ",", with: ".") }
        guard let value = Double(trimmed), value.isFinite, value > 0, value < 1_000_000 else { return nil }
        return CreditAmount(quarters: Int((value * 4).rounded(.up)))
    }

    /// Reads `38.75`, `1`, `0.5`, `2.50` — and `38,75` or `1,5`, the decimal comma many
    /// spreadsheets write (one or two digits after it, so `1,000` is not taken for 1);
    /// refuses text, negatives and amounts off the 0.25 grid.
    public static func parse(_ text: String) -> Result<CreditAmount, ParseFailure> {
        var trimmed = text.trimmed
        if trimmed.wholeMatch(of: Patterns.decimalComma) != nil {
            trimmed = trimmed.replacingOccurrences(of: ",", with: ".")
        }
        guard let match = trimmed.wholeMatch(of: Patterns.creditAmount), let whole = Int(match.2) else {
            return .failure(.notANumber)
        }
        let fraction = match.3.map(String.init) ?? ""
        // Scale the fraction to millionths so that 0.25 == 250000 exactly.
        let millionths = Int(fraction.padding(toLength: 6, withPad: "0", startingAt: 0)) ?? 0
        let isNegative = match.1 == "-"
        if isNegative && (whole > 0 || millionths > 0) { return .failure(.negative) }
        guard millionths % 250_000 == 0 else { return .failure(.notInQuarterSteps) }
        return .success(CreditAmount(quarters: whole * 4 + millionths / 250_000))
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

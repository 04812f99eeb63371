/// What an activity is designated for in one credit type, with what that type needs.
public struct CreditDesignation: Sendable {
    public var type: CreditType
    public var maximum: CreditAmount
    /// ANCC: the part of the hours in pharmacology/pharmacotherapy.
    public var pharmacologyHours: CreditAmount?
    /// ACPE: the Universal Activity Number for pharmacists and for technicians.
    public var uans: [UniversalActivityNumber.Audience: UniversalActivityNumber] = [:]
    /// AAPA: the last day the approval is valid.
    public var approvalExpires: CivilDate?
    /// MOC: the board and the point types offered.
    public var board: Board?
    public var pointTypes: [String] = []

    /// What a claim is matched against: the type, and the board for MOC.
    public var key: String {
        board.map { "\(type.rawValue):\($0.id)" } ?? type.rawValue
    }
}

/// An ACPE Universal Activity Number such as `0000-9999-18-001-L01-P`.
///
/// Provider number (4 digits, or `JA` and 7 digits for a jointly accredited provider),
/// a 4-digit joint-provider part, the year, the activity's sequence number, L (live) or
/// H (home study) with a topic number, and P (pharmacists) or T (technicians).
public struct UniversalActivityNumber: Sendable, Equatable, CustomStringConvertible {
    public enum Audience: String, Sendable { case pharmacist = "P", technician = "T" }

    public let text: String
    public let isLive: Bool
    public let audience: Audience

    public init?(_ text: String) {
        guard let match = text.uppercased().wholeMatch(of: Patterns.universalActivityNumber),
              let audience = Audience(rawValue: String(match.2)) else { return nil }
        self.text = text.uppercased()
        self.isLive = match.1 == "L"
        self.audience = audience
    }

    public var description: String { text }
}

/// A kind of credit a certificate line can award.
///
/// The foundation knows AMA PRA Category 1 Credit and hours of participation; the
/// other accreditors' credit types join this list without changing its users.
public enum CreditType: String, CaseIterable, Sendable {
    case amaPRACategory1 = "ama-pra-category-1"
    case participation = "participation"

    /// The unit's name as a coordinator says it, for messages.
    public var displayName: String {
        switch self {
        case .amaPRACategory1: return "AMA PRA Category 1 Credit"
        case .participation: return "hours of participation"
        }
    }

    static var allNames: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}

/// The learning format named in the AMA designation statement.
public enum LearningFormat: Hashable, Sendable {
    case live
    case enduringMaterial
    case journalBased
    case testItemWriting
    case manuscriptReview
    case performanceImprovement
    case internetPointOfCare
    /// A format outside the seven AMA formats, printed as given.
    case other(String)

    /// The seven AMA formats by the words the statement uses.
    static let amaFormats: [(LearningFormat, String)] = [
        (.live, "live activity"),
        (.enduringMaterial, "enduring material"),
        (.journalBased, "journal-based CME activity"),
        (.testItemWriting, "test-item writing activity"),
        (.manuscriptReview, "manuscript review activity"),
        (.performanceImprovement, "performance improvement CME activity"),
        (.internetPointOfCare, "internet point-of-care activity"),
    ]

    /// Finds an AMA format by its statement words or a slug (`live-activity`, `enduring_material`).
    static func named(_ text: String) -> LearningFormat? {
        let key = normalised(text)
        if key == "live" { return .live }
        return amaFormats.first { normalised($0.1) == key }?.0
    }

    private static func normalised(_ text: String) -> String {
        text.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    /// Whether the AMA designation statement may name this format.
    public var isAMAFormat: Bool {
        if case .other = self { return false }
        return true
    }

    /// The words used in statements: "live activity", "enduring material", ….
    public var phrase: String {
        if case .other(let name) = self { return name }
        return LearningFormat.amaFormats.first { $0.0 == self }?.1 ?? ""
    }
}

/// The body that accredits a provider, which decides the accreditation statement.
public enum Accreditation: String, CaseIterable, Sendable {
    case accme = "accme"
    case stateMedicalSociety = "state-medical-society"
    case jointAccreditation = "joint-accreditation"

    static var allNames: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}

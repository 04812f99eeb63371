/// A kind of credit a certificate line can award, with its unit and who may receive it.
public enum CreditType: String, CaseIterable, Sendable, Codable {
    case amaPRACategory1 = "ama-pra-category-1"
    case ancc = "ancc"
    case acpe = "acpe"
    case aapaCategory1 = "aapa-category-1"
    case ipce = "ipce"
    case moc = "moc"
    case participation = "participation"

    /// The credit's name as a coordinator says it, for messages.
    public var displayName: String {
        switch self {
        case .amaPRACategory1: return "AMA PRA Category 1 Credit"
        case .ancc: return "ANCC nursing contact hours"
        case .acpe: return "ACPE pharmacy contact hours"
        case .aapaCategory1: return "AAPA Category 1 CME credit"
        case .ipce: return "IPCE credit"
        case .moc: return "MOC points"
        case .participation: return "hours of participation"
        }
    }

    /// The unit, singular and plural: "credit"/"credits", "contact hour"/"contact hours".
    public var unit: (singular: String, plural: String) {
        switch self {
        case .amaPRACategory1, .aapaCategory1, .ipce: return ("credit", "credits")
        case .ancc, .acpe: return ("contact hour", "contact hours")
        case .moc: return ("point", "points")
        case .participation: return ("hour", "hours")
        }
    }

    /// The unit for `amount`: singular for exactly one.
    public func unit(for amount: CreditAmount) -> String {
        amount.isOne ? unit.singular : unit.plural
    }

    /// Who may receive this credit, in words for a refusal.
    package var eligibleDescription: String {
        switch self {
        case .amaPRACategory1: return "physicians (MD, DO)"
        case .ancc: return "nurses"
        case .acpe: return "pharmacists and pharmacy technicians"
        case .aapaCategory1: return "physician assistants"
        case .moc: return "board-certified physicians"
        case .ipce, .participation: return "every member of the healthcare team"
        }
    }

    /// Who the credit is for, as a certificate of participation says it.
    package var audience: String {
        switch self {
        case .amaPRACategory1: return "physicians"
        case .ancc: return "nurses"
        case .acpe: return "pharmacists"
        case .aapaCategory1: return "physician assistants"
        case .moc: return "board-certified physicians"
        case .ipce, .participation: return "the healthcare team"
        }
    }

    package static var allNames: String {
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
    package static let amaFormats: [(LearningFormat, String)] = [
        (.live, "live activity"),
        (.enduringMaterial, "enduring material"),
        (.journalBased, "journal-based CME activity"),
        (.testItemWriting, "test-item writing activity"),
        (.manuscriptReview, "manuscript review activity"),
        (.performanceImprovement, "performance improvement CME activity"),
        (.internetPointOfCare, "internet point-of-care activity"),
    ]

    /// Finds an AMA format by its statement words or a slug (`live-activity`, `enduring_material`).
    package static func named(_ text: String) -> LearningFormat? {
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

/// The body that accredits a provider, which decides the accreditation statement and
/// the credit types the provider may award.
public enum Accreditation: String, CaseIterable, Sendable {
    case accme = "accme"
    case stateMedicalSociety = "state-medical-society"
    case jointAccreditation = "joint-accreditation"

    /// Nursing, pharmacy and IPCE credit need Joint Accreditation; AMA credit, MOC points
    /// (which ride on AMA credit) and AAPA credit (which needs AAPA's own authorization,
    /// checked apart) are open to every CME accreditor.
    public func awards(_ type: CreditType) -> Bool {
        switch type {
        case .ancc, .acpe, .ipce: return self == .jointAccreditation
        case .amaPRACategory1, .moc, .aapaCategory1, .participation: return true
        }
    }

    /// The accreditor's name in messages.
    public var displayName: String {
        switch self {
        case .accme: return "ACCME"
        case .stateMedicalSociety: return "a state medical society"
        case .jointAccreditation: return "Joint Accreditation"
        }
    }

    package static var allNames: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}

import Foundation

/// The filled-in statements and values a certificate layout draws from, for one request.
///
/// `values` is the template context: strings are data (escaped when a layout uses
/// `{{name}}`), and `statements.*` are already markup (a layout uses `{{{statements.x}}}`).
public struct CertificateContent {
    public let values: [String: Any]
    /// Statement template id → version, for every statement this certificate uses.
    public let statementVersions: [String: Int]

    /// Fills the statements that `request`'s kind of certificate carries.
    public static func build(for request: CertificateRequest, catalog: StatementCatalog) throws(TemplateError) -> CertificateContent {
        let activity = request.activity
        var used: [String] = []
        var filler = StatementFiller(catalog: catalog, activity: activity)
        let maximum = activity.designatedCredits[.amaPRACategory1]
        var statements: [String: Any] = [
            "accreditation": try filler.fill(role: "accreditation", id: accreditationStatementID(activity), amount: nil),
        ]
        switch request.kind {
        case .physicianCME:
            statements["designation"] = try filler.fill(role: "designation", id: "ama-designation", amount: maximum)
        case .participation:
            statements["designation"] = maximum == nil ? NSNull()
                : try filler.fill(role: "participationDesignation", id: "participation-designation", amount: maximum)
        }
        let claim = request.mainClaim
        let claimPhrase: String
        if claim.type == .amaPRACategory1 {
            claimPhrase = try filler.fill(role: "creditPhrase", id: "ama-credit-phrase", amount: claim.amount)
        } else {
            claimPhrase = "\(claim.amount) \(claim.amount.isOne ? "hour" : "hours") of participation"
        }
        used = filler.used
        return CertificateContent(
            values: [
                "activity": activityValues(activity),
                "learner": learnerValues(request.learner),
                "claim": ["amount": "\(claim.amount)", "phrase": claimPhrase, "type": claim.type.rawValue],
                "statements": statements,
                "signatory": signatoryValues(activity.signatory),
                "certificate": ["kind": request.kind.rawValue,
                                "completionDate": request.learner.completionDate.longForm],
            ],
            statementVersions: Dictionary(used.map { ($0, catalog.versions[$0] ?? 0) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The catalog statement that fits how the provider is accredited.
    static func accreditationStatementID(_ activity: Activity) -> String {
        let joint = activity.jointProvider != nil
        switch activity.provider.accreditation {
        case .jointAccreditation: return "joint-accreditation"
        case .accme: return joint ? "accme-joint-providership" : "accme-direct"
        case .stateMedicalSociety: return joint ? "state-joint-providership" : "state-direct"
        }
    }

    private static func activityValues(_ activity: Activity) -> [String: Any] {
        [
            "id": activity.id,
            "title": activity.title,
            "theme": orNull(activity.theme),
            "format": activity.format.phrase,
            "dates": activity.dateRangeText,
            "location": orNull(activity.location),
            "provider": activity.provider.name,
            "jointProvider": orNull(activity.jointProvider),
            "disclaimer": orNull(activity.disclaimer),
            "commercialSupporters": activity.commercialSupporters.isEmpty
                ? NSNull() : activity.commercialSupporters.joined(separator: ", "),
        ]
    }

    private static func learnerValues(_ learner: Learner) -> [String: Any] {
        [
            "id": learner.id,
            "name": learner.professionalName,
            "degrees": learner.degrees.joined(separator: ", "),
            "profession": learner.profession.rawValue,
        ]
    }

    private static func signatoryValues(_ signatory: Activity.Signatory?) -> Any {
        guard let signatory else { return ["name": NSNull(), "title": NSNull()] }
        return ["name": signatory.name, "title": orNull(signatory.title)]
    }
}

/// Fills statements for one activity, honouring its overrides and noting what it used.
struct StatementFiller {
    let catalog: StatementCatalog
    let activity: Activity
    private(set) var used: [String] = []

    init(catalog: StatementCatalog, activity: Activity) {
        self.catalog = catalog
        self.activity = activity
    }

    mutating func fill(role: String, id: String, amount: CreditAmount?) throws(TemplateError) -> String {
        var values: [String: Any] = [
            "provider": activity.provider.name,
            "accreditor": activity.provider.accreditor ?? "Accreditation Council for Continuing Medical Education (ACCME)",
            "jointProvider": orNull(activity.jointProvider),
            "format": activity.format.phrase,
            "title": activity.title,
        ]
        if let amount {
            values["amount"] = "\(amount)"
            values["singular"] = amount.isOne
        }
        if let override = activity.statementOverrides[role] {
            return try catalog.renderOverride(override, values: values,
                                              file: "\(activity.sourceFile) (statements.\(role))")
        }
        used.append(id)
        if id == "ama-designation" || id == "participation-designation" { used.append("ama-credit-phrase") }
        return try catalog.render(id, values)
    }
}

/// A template value for an optional text: absent values render empty and skip sections.
func orNull(_ value: String?) -> Any {
    value.map { $0 as Any } ?? NSNull()
}

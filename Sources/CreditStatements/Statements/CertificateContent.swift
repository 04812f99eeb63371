import CreditRecords
import Foundation

/// The filled-in statements and values a certificate layout draws from, for one request.
///
/// `values` is the template context: strings are data (escaped when a layout uses
/// `{{name}}`), and `statements.*`, `claim.phrase` and `awarded` are already markup (a
/// layout uses `{{{statements.x}}}`).
public struct CertificateContent {
    public var values: [String: Any]
    /// The statements on the certificate, in print order.
    public let statements: [FilledStatement]
    /// Statement template id → version, for every template this certificate uses.
    public let statementVersions: [String: Int]

    /// Fills the statements that `request`'s certificate carries.
    public static func build(for request: CertificateRequest, catalog: StatementCatalog) throws(TemplateError) -> CertificateContent {
        try build(for: request, catalog: catalog, cache: nil)
    }

    package static func build(for request: CertificateRequest, catalog: StatementCatalog,
                      cache: StatementCache?) throws(TemplateError) -> CertificateContent {
        // Learners who claim the same credits in the same profession get the same statements
        // and phrases: those are filled once per set of claims (the activity's own values and
        // the learner's are set anew each time).
        let key = cache != nil && !request.activity.contentDigest.isEmpty ? contentKey(request) : nil
        if let key, var known = cache?.contents[key] {
            known.values["activity"] = activityValues(request.activity)
            known.values["learner"] = learnerValues(request.learner)
            known.values["signatory"] = signatoryValues(request.activity.signatory)
            known.values["certificate"] = certificateValues(request)
            return known
        }
        let content = try fill(request, catalog: catalog, cache: cache)
        if let key { cache?.keep(content, for: key) }
        return content
    }

    /// What, beyond the activity and the catalog, the statements and phrases depend on.
    private static func contentKey(_ request: CertificateRequest) -> String {
        var key = "\(request.activity.id)\u{0}\(request.activity.contentDigest)\u{0}\(request.kind.rawValue)\u{0}\(request.learner.profession.rawValue)"
        for claim in request.learner.claims {
            key += "\u{0}\(claim.type.rawValue)\u{1}\(claim.amount)\u{1}\(String(reflecting: claim.board))\u{1}\(String(reflecting: claim.pointType))"
        }
        return key
    }

    private static func fill(_ request: CertificateRequest, catalog: StatementCatalog,
                             cache: StatementCache?) throws(TemplateError) -> CertificateContent {
        var filler = StatementFiller(catalog: catalog, activity: request.activity, accreditation: request.accreditation,
                                     cache: cache)
        let accreditation = try filler.accreditationStatement()
        let credits = try creditStatements(request, filler: &filler)
        var phrases: [[String: Any]] = []
        for claim in request.learner.claims {
            let phrase = try filler.phrase(claim.type, amount: claim.amount, designation: request.activity.designation(for: claim),
                                           pointType: claim.pointType)
            phrases.append(["phrase": phrase, "amount": "\(claim.amount)", "type": claim.type.rawValue])
        }
        let main = request.mainClaim
        let mainPhrase = phrases.first { $0["type"] as? String == main.type.rawValue }?["phrase"] ?? ""
        let statements = [accreditation] + credits
        return CertificateContent(
            values: [
                "activity": activityValues(request.activity),
                "learner": learnerValues(request.learner),
                "claim": ["amount": "\(main.amount)", "phrase": mainPhrase, "type": main.type.rawValue],
                "claims": phrases,
                "awarded": Markup.list(phrases.compactMap { $0["phrase"] as? String }),
                "statements": [
                    "accreditation": accreditation.markup,
                    "designation": orNull(credits.first?.markup),
                    "credits": credits.map(\.markup).joined(separator: "\n"),
                ],
                "signatory": signatoryValues(request.activity.signatory),
                "certificate": certificateValues(request),
            ],
            statements: statements,
            statementVersions: filler.used)
    }

    /// The designation statements for what the learner claims, or, on a certificate of
    /// participation, what the activity was designated for.
    private static func creditStatements(_ request: CertificateRequest,
                                         filler: inout StatementFiller) throws(TemplateError) -> [FilledStatement] {
        let activity = request.activity, learner = request.learner
        var statements: [FilledStatement] = []
        let audience: UniversalActivityNumber.Audience = learner.profession == .pharmacyTechnician ? .technician : .pharmacist
        for claim in learner.claims where claim.type != .participation {
            guard let designation = activity.designation(claim.type, board: claim.board) else { continue }
            if let statement = try filler.designationStatement(designation, audience: audience) { statements.append(statement) }
        }
        if request.kind == .participation {
            statements.insert(try participationStatement(activity, filler: &filler), at: 0)
        }
        if learner.profession == .physicianAssistant && activity.aapaAcceptsAMACredit,
           let ama = activity.designation(.amaPRACategory1) {
            statements.append(try filler.fill(role: "aapaAcceptance", id: "aapa-acceptance", ["amount": "\(ama.maximum)"]))
        }
        return statements
    }

    /// "This live activity was designated for a maximum of 38.75 AMA PRA Category 1 Credits™ for physicians, …"
    package static func participationStatement(_ activity: Activity, filler: inout StatementFiller) throws(TemplateError) -> FilledStatement {
        var parts: [String] = []
        for designation in activity.designations where designation.type != .participation {
            let phrase = try filler.phrase(designation.type, amount: designation.maximum, designation: designation)
            parts.append("\(phrase) for \(designation.type.audience)")
        }
        return try filler.fill(role: "participationDesignation", id: "participation-designation",
                               ["designated": Markup.list(parts)])
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
            "supportAcknowledgement": orNull(activity.supportAcknowledgement),
        ]
    }

    private static func certificateValues(_ request: CertificateRequest) -> [String: Any] {
        ["kind": request.kind.rawValue,
         "completionDate": request.learner.completionDate.longForm,
         // Set when the certificate is issued under an id.
         "id": orNull(nil)]
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

/// A template value for an optional text: absent values render empty and skip sections.
package func orNull(_ value: String?) -> Any {
    value.map { $0 as Any } ?? NSNull()
}

import Foundation

/// Which certificate a learner receives, and so which layout prints it.
public enum CertificateKind: String, CaseIterable, Sendable {
    case physicianCME = "physician-cme"
    case nursing = "nursing"
    case pharmacy = "pharmacy"
    case physicianAssistant = "physician-assistant"
    case moc = "moc"
    case participation = "participation"

    /// The layout file used when the user names none.
    public var defaultLayout: String { rawValue }

    /// What the certificate is called, for its metadata.
    public var title: String {
        switch self {
        case .physicianCME: return "CME certificate"
        case .nursing: return "Nursing continuing education certificate"
        case .pharmacy: return "Pharmacy statement of credit"
        case .physicianAssistant: return "PA CME certificate"
        case .moc: return "MOC certificate"
        case .participation: return "Certificate of participation"
        }
    }

    package static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The kind a set of claims calls for: the learner's own profession's credit first.
    package static func forClaims(_ types: Set<CreditType>) -> CertificateKind {
        if types.contains(.amaPRACategory1) { return .physicianCME }
        if types.contains(.ancc) { return .nursing }
        if types.contains(.acpe) { return .pharmacy }
        if types.contains(.aapaCategory1) { return .physicianAssistant }
        if types.contains(.moc) { return .moc }
        return .participation
    }
}

/// A learner's claims checked against the activity and the credit rules: ready to print.
public struct CertificateRequest: Sendable {
    public let activity: Activity
    public let learner: Learner
    public let kind: CertificateKind
    /// The accreditation the certificate's statement comes from.
    public let accreditation: AccreditationPeriod

    /// The claim the certificate is chiefly about.
    public var mainClaim: Learner.Claim {
        let order: [CreditType] = [.amaPRACategory1, .ancc, .acpe, .aapaCategory1, .moc, .ipce, .participation]
        return learner.claims.min { order.firstIndex(of: $0.type)! < order.firstIndex(of: $1.type)! } ?? learner.claims[0]
    }

    /// Checks every claim; `claimTime` stands in for the learner's claim time when the
    /// record has none (the moment the certificate is issued).
    public static func check(activity: Activity, learner: Learner, claimTime: Date? = nil) throws(InputError) -> CertificateRequest {
        var rules = ClaimRules(activity: activity, learner: learner)
        rules.checkAll(claimTime: learner.claimedAt ?? claimTime)
        guard rules.problems.isEmpty, let accreditation = activity.accreditation else {
            if rules.problems.isEmpty {
                throw InputError([Problem(file: activity.sourceFile, field: "provider", learnerID: learner.id,
                                          message: "the provider has no accreditation in force when the activity starts")])
            }
            throw InputError(rules.problems)
        }
        return CertificateRequest(activity: activity, learner: learner,
                                  kind: .forClaims(Set(learner.claims.map(\.type))), accreditation: accreditation)
    }
}

/// Which certificate a learner receives, and so which layout prints it.
public enum CertificateKind: String, Sendable {
    case physicianCME = "physician-cme"
    case participation = "participation"

    /// The layout file used when the user names none.
    public var defaultLayout: String { rawValue }
}

/// A learner's claim checked against the activity: ready to be filled in and printed.
public struct CertificateRequest: Sendable {
    public let activity: Activity
    public let learner: Learner
    public let kind: CertificateKind

    /// The claim the certificate is about: AMA credit for physicians, hours otherwise.
    public var mainClaim: Learner.Claim {
        learner.claims.first { $0.type == .amaPRACategory1 } ?? learner.claims[0]
    }

    /// Checks the learner's claims against the activity's designation and the credit rules.
    public static func check(activity: Activity, learner: Learner) throws(InputError) -> CertificateRequest {
        var problems: [Problem] = []
        func refuse(_ field: String, _ message: String, _ hint: String? = nil) {
            problems.append(Problem(file: learner.sourceFile, field: field, learnerID: learner.id,
                                    message: message, hint: hint))
        }
        var seen: Set<CreditType> = []
        for (index, claim) in learner.claims.enumerated() {
            let field = "claims[\(index)]"
            if !seen.insert(claim.type).inserted {
                refuse("\(field).type", "\(claim.type.rawValue) is claimed twice", "keep one claim per credit type")
            }
            checkClaim(claim, field: field, activity: activity, learner: learner, refuse: refuse)
        }
        if learner.completionDate < activity.startDate {
            refuse("completionDate",
                   "completion date \(learner.completionDate) is before the activity starts (\(activity.startDate))",
                   "check the date against \(activity.sourceFile)")
        }
        guard problems.isEmpty, !learner.claims.isEmpty else { throw InputError(problems) }
        let kind: CertificateKind = seen.contains(.amaPRACategory1) ? .physicianCME : .participation
        return CertificateRequest(activity: activity, learner: learner, kind: kind)
    }

    private static func checkClaim(_ claim: Learner.Claim, field: String, activity: Activity,
                                   learner: Learner, refuse: (String, String, String?) -> Void) {
        // Hours of participation are measured against the AMA designation: 60 min = 1 credit.
        let designation = claim.type == .participation
            ? activity.designatedCredits[.participation] ?? activity.designatedCredits[.amaPRACategory1]
            : activity.designatedCredits[claim.type]
        guard let maximum = designation else {
            refuse("\(field).type", "the activity \(activity.id) does not offer \(claim.type.displayName)",
                   "claim one of the credits designated in \(activity.sourceFile)")
            return
        }
        let unit = claim.type == .participation ? "hours" : "credits"
        if claim.amount > maximum {
            refuse("\(field).amount",
                   "claimed \(claim.amount) \(unit), more than the \(maximum) designated for \(activity.id)",
                   "claim at most \(maximum) \(unit)")
        }
        if claim.type == .amaPRACategory1 && !learner.isPhysician {
            refuse("\(field).type",
                   "AMA PRA Category 1 Credit is for physicians (MD, DO) only; this learner's profession is \(learner.profession.rawValue)",
                   "claim `participation` hours for a certificate of participation instead")
        }
        if claim.type == .amaPRACategory1 && !activity.format.isAMAFormat {
            refuse("\(field).type",
                   "the activity's format '\(activity.format.phrase)' is not an AMA learning format, so it cannot award AMA PRA Category 1 Credit",
                   "set the activity's format to one of the seven AMA formats")
        }
    }
}

import Foundation

/// A checked CME activity: everything a certificate says about what the learner attended.
public struct Activity: Sendable {
    public var id: String
    public var title: String
    public var theme: String?
    public var format: LearningFormat
    public var startDate: CivilDate
    public var endDate: CivilDate
    public var location: String?
    public var timeZone: TimeZone
    public var provider: Provider
    public var jointProvider: String?
    /// What the activity is designated for, one entry per credit type (and board for MOC).
    public var designations: [CreditDesignation]
    /// The last moment a claim is accepted, if there is one.
    public var claimDeadline: Date?
    /// Learners must complete the evaluation to claim credit.
    public var evaluationRequired: Bool
    /// Print the NCCPA line accepting AMA PRA credit for PAs (when AAPA credit is not offered).
    public var aapaAcceptsAMACredit: Bool
    public var signatory: Signatory?
    public var logo: URL?
    /// Per-activity statement templates that replace the catalog's, by statement role.
    public var statementOverrides: [String: String]
    /// Why the prescribed wording of a role was replaced (`prescribed: override` and its
    /// `reason`), by role; every override of a prescribed statement has one.
    public var prescribedOverrides: [String: String] = [:]
    public var disclaimer: String?
    public var commercialSupporters: [String]
    /// The activity's own acknowledgement of its commercial support, if it words it itself.
    public var commercialSupport: String?
    /// The rest of the activity's accreditation page (seed `001_…`): who it is for, the
    /// educational need it answers, and what learners will be able to do.
    public var targetAudience: String?
    public var educationalNeeds: String?
    public var learningObjectives: [String] = []
    /// The sentence above the objectives ("After participation in this activity, attendees
    /// will be better able to"), if the activity words it.
    public var objectivesIntroduction: String?

    /// The commercial-support acknowledgement a certificate prints: the activity's own
    /// wording, else "This activity is supported by educational grants from A, B and C.";
    /// nil when the activity lists no supporter.
    public var supportAcknowledgement: String? {
        if let commercialSupport { return commercialSupport }
        guard !commercialSupporters.isEmpty else { return nil }
        let names = commercialSupporters
        let list = names.count == 1 ? names[0]
            : names.dropLast().joined(separator: ", ") + (names.count > 2 ? "," : "") + " and " + names[names.count - 1]
        return "This activity is supported by educational grants from \(list)."
    }
    /// How learners enrol on the service (besides a staff roster import).
    public var enrolment = Enrolment()
    /// The evaluation's questions; completing it is what `evaluationRequired` asks for.
    public var evaluation: [EvaluationQuestion] = []
    /// The identifiers reports name the activity and provider by.
    public var reporting = ReportingIDs()
    /// The file the activity was read from, for messages.
    public var sourceFile: String
    /// The SHA-256 of the bytes it was read from: caches of what is made from the activity
    /// (filled statements) are keyed by it, so a changed file is never served stale.
    public var contentDigest = ""

    /// The accredited provider and its accreditation over time.
    public struct Provider: Sendable {
        public var name: String
        public var history: [AccreditationPeriod]
        /// The page that checks certificates; the QR code's address, its fragment the signed payload.
        public var verificationURL: String?

        public init(name: String, history: [AccreditationPeriod], verificationURL: String? = nil) {
            self.name = name
            self.history = history
            self.verificationURL = verificationURL
        }

        /// The accreditation in force on `date`, if any.
        public func accreditation(on date: CivilDate) -> AccreditationPeriod? {
            history.first { $0.contains(date) }
        }
    }

    /// The person who signs the certificate.
    public struct Signatory: Sendable {
        public var name: String
        public var title: String?
        public var signatureImage: URL?
    }

    /// The accreditation that applies: the one in force when the activity starts.
    public var accreditation: AccreditationPeriod? {
        provider.accreditation(on: startDate)
    }

    /// The designation a claim of `type` (for `board`, with MOC) is measured against.
    public func designation(_ type: CreditType, board: String? = nil) -> CreditDesignation? {
        designations.first { $0.type == type && (board == nil || $0.board?.id == board) }
    }

    /// The designation a claim is measured against. Hours of participation are measured
    /// against the activity's own participation designation, else its largest one
    /// (60 minutes = 1 credit).
    public func designation(for claim: Learner.Claim) -> CreditDesignation? {
        guard claim.type == .participation else { return designation(claim.type, board: claim.board) }
        return designation(.participation)
            ?? designations.max { $0.maximum < $1.maximum }.map { CreditDesignation(type: .participation, maximum: $0.maximum) }
    }

    /// `June 1–5, 2018`
    public var dateRangeText: String {
        CivilDate.longForm(from: startDate, to: endDate)
    }
}

/// How the bodies completions are reported to know the activity: ACCME's activity and
/// provider ids (PARS), ACPE's provider number (CPE Monitor), CE Broker's provider and
/// course numbers.
public struct ReportingIDs: Sendable, Equatable {
    /// ACCME's id of the activity in PARS (digits).
    public var accmeActivityID: String?
    /// ACCME's id of the accredited provider (digits).
    public var accmeProviderID: String?
    /// ACPE's provider number; default: the first part of the activity's UAN.
    public var acpeProviderID: String?
    /// CE Broker's provider tracking number (without its "50-") and course number (without "20-").
    public var ceBrokerProviderID: String?
    public var ceBrokerCourseID: String?
    /// CE Broker's subject code, for partial credit (fewer hours than the course has).
    public var ceBrokerSubjectCode: String?

    public init(accmeActivityID: String? = nil, accmeProviderID: String? = nil) {
        (self.accmeActivityID, self.accmeProviderID) = (accmeActivityID, accmeProviderID)
    }
}

/// One period of a provider's accreditation: by whom, from when, until when.
public struct AccreditationPeriod: Sendable {
    public var body: Accreditation
    /// The state medical society's name, when that is the accreditor.
    public var accreditor: String?
    public var from: CivilDate?
    /// The last day, inclusive; nil while it lasts.
    public var to: CivilDate?

    public func contains(_ date: CivilDate) -> Bool {
        (from.map { $0 <= date } ?? true) && (to.map { date <= $0 } ?? true)
    }

    /// "Joint Accreditation until 2022-11-30" and the like, for messages.
    public var summary: String {
        var text = body.displayName
        if let from { text += " from \(from)" }
        if let to { text += " until \(to)" }
        return text
    }
}

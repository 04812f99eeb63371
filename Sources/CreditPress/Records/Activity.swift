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
    /// The maximum designated for each credit type the activity offers.
    public var designatedCredits: [CreditType: CreditAmount]
    public var signatory: Signatory?
    public var logo: URL?
    /// Per-activity statement templates that replace the catalog's, by statement id.
    public var statementOverrides: [String: String]
    public var disclaimer: String?
    public var commercialSupporters: [String]
    /// The file the activity was read from, for messages.
    public var sourceFile: String

    /// The accredited provider and how it is accredited.
    public struct Provider: Sendable {
        public var name: String
        public var accreditation: Accreditation
        /// The state medical society's name, when that is the accreditor.
        public var accreditor: String?
    }

    /// The person who signs the certificate.
    public struct Signatory: Sendable {
        public var name: String
        public var title: String?
        public var signatureImage: URL?
    }

    /// `June 1–5, 2018`
    public var dateRangeText: String {
        CivilDate.longForm(from: startDate, to: endDate)
    }
}

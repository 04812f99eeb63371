import CreditRecords
import CreditRegistry
import Foundation
import XMLCoder

/// The learner-report document of ACCME's MedBiquitous-based schema (a 2025 draft): the same
/// entries as the tab file, one `ActivityReport` per record, so the two can be sent in
/// either channel and the ledger stays one. Element names follow the draft; the board
/// point-type strings in `creditUnit` are the point types' names (the draft's codes are
/// unverified), and `--point-type-code` on the command line can replace them.
public struct PARSDocument {
    public let activity: Activity
    public let providerID: String
    public var pointTypeCodes: [String: String] = [:]

    public init(activity: Activity, pointTypeCodes: [String: String] = [:]) throws(InputError) {
        guard let provider = activity.reporting.accmeProviderID else {
            throw InputError([Problem(file: activity.sourceFile, field: "reporting.accmeProviderID",
                                      message: "is required for the PARS learner-report document: it names the provider (7 digits)",
                                      hint: "add `reporting: { accmeProviderID: \"…\" }` with the provider's ACCME id, or write the tab-delimited file (.txt) instead")])
        }
        (self.activity, self.providerID, self.pointTypeCodes) = (activity, provider, pointTypeCodes)
    }

    /// The document for the plan's entries, created at `time`.
    public func data(_ plan: PARSExport.Plan, createdAt time: Date) throws -> Data {
        let reports = plan.entries.map(report)
        let root = Root(reports: Reports(created: ISO8601DateFormatter.string(from: time, timeZone: TimeZone(identifier: "UTC")!,
                                                                            formatOptions: [.withInternetDateTime]),
                                         reports: reports))
        let encoder = XMLEncoder()
        encoder.outputFormatting = [.prettyPrinted]
        return try encoder.encode(root, withRootKey: "ACCMELearnerReports",
                                  header: XMLHeader(version: 1.0, encoding: "UTF-8"))
    }

    /// One entry's report, from the fields as sent (a deletion repeats what was added).
    func report(_ entry: ReportEntry) -> ActivityReport {
        let field = { (index: Int) in index < entry.fields.count ? entry.fields[index] : "" }
        // The fields, in the tab file's order after its Record Action.
        let (moduleID, completion, first, last, birth) = (field(0), field(1), field(2), field(3), field(4))
        let (board, boardID, points, pointType) = (field(8), field(9), field(10), field(11))
        return ActivityReport(
            action: entry.action == .add ? "add" : "delete",
            member: Member(name: Name(given: first, family: last), personal: PersonalInfo(birthDate: Self.monthDay(birth))),
            activity: ActivityElement(provider: providerID, module: Module(name: ModuleName(moduleID: moduleID, title: activity.title))),
            status: "Completed",
            completed: Self.isoDate(completion),
            credits: [CreditCertificate(
                uniqueID: UniqueID(value: boardID, domain: board),
                received: CreditReceived(certification: board, unit: pointTypeCodes[pointType] ?? pointType, credits: points),
                creditID: entry.creditID)])
    }

    /// `MM/DD` as an XML gMonthDay, `--MM-DD`.
    static func monthDay(_ text: String) -> String {
        let parts = text.split(separator: "/")
        return parts.count == 2 ? "--\(parts[0])-\(parts[1])" : text
    }

    /// `MM/DD/YYYY` as `YYYY-MM-DD`.
    static func isoDate(_ text: String) -> String {
        let parts = text.split(separator: "/")
        return parts.count == 3 ? "\(parts[2])-\(parts[0])-\(parts[1])" : text
    }

    struct Root: Encodable {
        var reports: Reports
        enum CodingKeys: String, CodingKey { case reports = "ActivityReports" }
    }

    struct Reports: Encodable {
        var created: String
        var reports: [ActivityReport]
        enum CodingKeys: String, CodingKey { case created = "DateTimeCreated", reports = "ActivityReport" }
    }

    struct ActivityReport: Encodable {
        var action: String
        var member: Member
        var activity: ActivityElement
        var status: String
        var completed: String
        var credits: [CreditCertificate]
        enum CodingKeys: String, CodingKey {
            case action = "LearnerRecordAction", member = "Member", activity = "Activity", status = "Status"
            case completed = "CompletedDateTime", credits = "CreditCertificate"
        }
    }

    struct Member: Encodable {
        var name: Name
        var personal: PersonalInfo
        enum CodingKeys: String, CodingKey { case name = "Name", personal = "PersonalInfo" }
    }

    struct Name: Encodable {
        var given: String
        var family: String
        enum CodingKeys: String, CodingKey { case given = "GivenName", family = "FamilyName" }
    }

    struct PersonalInfo: Encodable {
        var birthDate: String
        enum CodingKeys: String, CodingKey { case birthDate = "BirthDate" }
    }

    struct ActivityElement: Encodable {
        var provider: String
        var module: Module
        enum CodingKeys: String, CodingKey { case provider = "ProviderOrganization", module = "Module" }
    }

    struct Module: Encodable {
        var name: ModuleName
        enum CodingKeys: String, CodingKey { case name = "ModuleName" }
    }

    struct ModuleName: Encodable, DynamicNodeEncoding {
        var moduleID: String
        var title: String
        enum CodingKeys: String, CodingKey { case moduleID, title = "" }
        static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding {
            key.stringValue == CodingKeys.moduleID.stringValue ? .attribute : .element
        }
    }

    struct CreditCertificate: Encodable {
        var uniqueID: UniqueID
        var received: CreditReceived
        var creditID: String
        enum CodingKeys: String, CodingKey { case uniqueID = "UniqueID", received = "CreditReceived", creditID = "CreditID" }
    }

    struct UniqueID: Encodable, DynamicNodeEncoding {
        var value: String
        var domain: String
        static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding { .attribute }
    }

    struct CreditReceived: Encodable, DynamicNodeEncoding {
        var certification: String
        var unit: String
        var credits: String
        enum CodingKeys: String, CodingKey {
            case certification = "activityCertification", unit = "creditUnit", credits = "numberOfCredits"
        }
        static func nodeEncoding(for key: any CodingKey) -> XMLEncoder.NodeEncoding { .attribute }
    }
}

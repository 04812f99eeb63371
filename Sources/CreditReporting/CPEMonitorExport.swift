import CreditRecords
import CreditRegistry
import Foundation

/// What of NABP's CPE Monitor could not be checked in a primary source: settings, with the
/// defaults the README names.
public struct CPEMonitorSettings: Sendable {
    /// The action code of a new record (ACPE: `I`, insert).
    public var insertAction = "I"
    /// The codes of a change and a deletion: unverified, so none by default; records that
    /// need one are listed for correction in CPE Monitor by hand.
    public var changeAction: String?
    public var deleteAction: String?
    /// Days after participation within which ACPE accepts a record, a change or a deletion.
    public var windowDays = 60

    public init() {}
}

/// CPE Monitor records (ACPE credit for pharmacists and pharmacy technicians) for one
/// activity, from the registry's records: per certificate with ACPE credit, the provider
/// number, the learner's NABP e-Profile ID and birth MMDD, the UAN of the learner's
/// profession (`-P` or `-T`), the date of participation and the action. The ledger keeps
/// what was sent and what the service answered, so that the next export holds only what is
/// new, changed or rejected before.
public struct CPEMonitorExport: Sendable {
    public static let target = "cpe-monitor"

    /// The columns of the submission file, after `action`: CreditPress's layout (ACPE's batch
    /// layout is unverified), with the fields the web service takes first.
    public static let columns = ["action", "provider_id", "eprofile_id", "birth_mmdd", "uan", "participation_date",
                                 "contact_hours", "learner_id", "certificate_id"]

    /// One record to send: the entry the ledger will keep, and the action code sent.
    public struct Submission: Sendable {
        public var entry: ReportEntry
        public var actionCode: String

        public var providerID: String { entry.fields[0] }
        public var ePID: String { entry.fields[1] }
        public var birthMMDD: String { entry.fields[2] }
        public var uan: String { entry.fields[3] }
        public var participationDate: String { entry.fields[4] }
        public var contactHours: String { entry.fields[5] }
        public var learnerID: String { entry.fields[6] }
    }

    public struct Plan: Sendable {
        public var submissions: [Submission] = []
        /// Not sendable: past ACPE's window, or missing what CPE Monitor needs.
        public var refused: [Refusal] = []
        /// Sent before and since changed or withdrawn, with no action code set to say so.
        public var byHand: [PARSExport.Notice] = []
    }

    /// A record refused, with the dates that decide it.
    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        public var certificateID: String
        public var learnerID: String
        public var participation: CivilDate?
        public var deadline: CivilDate?
        public var message: String
        public var description: String { "certificate \(certificateID) (learner \(learnerID)): \(message)" }
    }

    public let activity: Activity
    public var settings: CPEMonitorSettings

    public init(activity: Activity, settings: CPEMonitorSettings = CPEMonitorSettings()) {
        (self.activity, self.settings) = (activity, settings)
    }

    /// What is due `today`, given the registry's records of the activity (each with the
    /// activity it was issued from) and the ledger's last entry per credit id.
    public func plan(records: [(record: IssuedRecord, activity: Activity)], sent: [String: ReportEntry], today: CivilDate,
                     file: String, at time: Date) -> Plan {
        var plan = Plan()
        var wanted: [String: (record: IssuedRecord, fields: [String], completion: CivilDate)] = [:]
        var order: [String] = []
        for (record, issuedFrom) in records where record.status == .issued {
            guard let learner = record.learner, let claim = learner.claims.first(where: { $0.type == .acpe }) else { continue }
            let id = Self.creditID(record.id)
            switch fields(learner: learner, claim: claim, activity: issuedFrom) {
            case .success(let fields):
                wanted[id] = (record, fields, learner.completionDate)
                order.append(id)
            case .failure(let reason):
                plan.refused.append(Refusal(certificateID: record.id, learnerID: record.learnerID, participation: learner.completionDate,
                                            deadline: nil, message: "not sent: " + reason.message))
            }
        }
        func entry(_ id: String, _ certificate: String, _ action: ReportEntry.Action, _ fields: [String]) -> ReportEntry {
            ReportEntry(creditID: id, certificateID: certificate, action: action, contentSHA256: PARSExport.digest(fields),
                        fields: fields, exportFile: file, exportedAt: time)
        }
        // What CPE Monitor holds: the last entry sent as an addition and not rejected.
        func held(_ id: String) -> ReportEntry? {
            guard let last = sent[id], last.action == .add, last.status != "rejected" else { return nil }
            return last
        }
        for (id, last) in sent.sorted(by: { $0.key < $1.key }) where held(id) != nil && wanted[id] == nil {
            guard let code = settings.deleteAction else {
                plan.byHand.append(.init(certificateID: last.certificateID, learnerID: last.fields.count > 6 ? last.fields[6] : "?",
                                         message: "was sent and its certificate is now withdrawn: delete the record in CPE Monitor (no deletion code is set; --delete-action gives one)"))
                continue
            }
            if let refusal = window(last.certificateID, learner: last.fields.count > 6 ? last.fields[6] : "?",
                                    participation: CivilDate(iso: last.fields.count > 4 ? last.fields[4] : ""), today: today, what: "its deletion") {
                plan.refused.append(refusal)
                continue
            }
            plan.submissions.append(Submission(entry: entry(id, last.certificateID, .delete, last.fields), actionCode: code))
        }
        for id in order {
            guard let now = wanted[id] else { continue }
            let previous = held(id)
            if let previous, previous.contentSHA256 == PARSExport.digest(now.fields) { continue }
            if let refusal = window(now.record.id, learner: now.record.learnerID, participation: now.completion, today: today,
                                    what: previous == nil ? "it" : "its change") {
                plan.refused.append(refusal)
                continue
            }
            if previous != nil {
                guard let code = settings.changeAction else {
                    plan.byHand.append(.init(certificateID: now.record.id, learnerID: now.record.learnerID,
                                             message: "changed since it was sent: correct the record in CPE Monitor (no change code is set; --change-action gives one)"))
                    continue
                }
                plan.submissions.append(Submission(entry: entry(id, now.record.id, .add, now.fields), actionCode: code))
            } else {
                plan.submissions.append(Submission(entry: entry(id, now.record.id, .add, now.fields), actionCode: settings.insertAction))
            }
        }
        return plan
    }

    /// The refusal of a record past ACPE's window, if it is.
    func window(_ certificate: String, learner: String, participation: CivilDate?, today: CivilDate, what: String) -> Refusal? {
        guard let participation, let deadline = participation.adding(days: settings.windowDays), today > deadline else { return nil }
        return Refusal(certificateID: certificate, learnerID: learner, participation: participation, deadline: deadline,
                       message: "\(what) cannot be sent: ACPE accepts records only within \(settings.windowDays) days of participation, by \(deadline); participated \(participation)")
    }

    /// The record's fields, or why it cannot be sent.
    func fields(learner: Learner, claim: Learner.Claim, activity: Activity) -> Result<[String], Unreportable> {
        let audience: UniversalActivityNumber.Audience
        switch learner.profession {
        case .pharmacist: audience = .pharmacist
        case .pharmacyTechnician: audience = .technician
        default: return .failure(Unreportable("ACPE credit for a \(learner.profession.rawValue) is not reported to CPE Monitor, which records pharmacists and pharmacy technicians"))
        }
        guard let uan = activity.designation(.acpe)?.uans[audience] else {
            return .failure(Unreportable("the activity has no UAN ending in -\(audience.rawValue) for a \(learner.profession.rawValue)"))
        }
        guard let ePID = learner.nabpEPID, !ePID.isEmpty else {
            return .failure(Unreportable("the learner's NABP e-Profile ID is missing (nabpEPID, roster column nabp_epid)"))
        }
        guard let birth = learner.birthMonthDay, birth.count == 5 else {
            return .failure(Unreportable("the learner's birth month and day are missing (birthMonthDay, roster column birth_month_day): CPE Monitor matches them with the e-Profile ID"))
        }
        if uan.isLive, learner.completionDate < activity.startDate || learner.completionDate > activity.endDate {
            return .failure(Unreportable("the UAN is for a live activity, whose date of participation must be a day it ran (\(activity.dateRangeText)); the completion date is \(learner.completionDate)"))
        }
        let provider = activity.reporting.acpeProviderID ?? String(uan.text.split(separator: "-").first ?? "")
        return .success([provider, ePID, birth.replacingOccurrences(of: "-", with: ""), uan.text, "\(learner.completionDate)",
                         "\(claim.amount)", learner.id].map(PARSExport.cell))
    }

    static func creditID(_ certificate: String) -> String { "cpe:\(certificate)" }

    /// The submission file: a header, then one line per record (CSV, CRLF).
    public func file(_ plan: Plan) -> Data {
        var lines = [Self.columns.joined(separator: ",")]
        for submission in plan.submissions {
            lines.append(([submission.actionCode] + submission.entry.fields + [submission.entry.certificateID]).map(CSVText.field).joined(separator: ","))
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// The records refused, for staff: who, which dates, why.
    public static func refusals(_ refused: [Refusal]) -> Data {
        var lines = ["certificate_id,learner_id,participation_date,deadline,reason"]
        for refusal in refused {
            lines.append([refusal.certificateID, refusal.learnerID, refusal.participation.map { "\($0)" } ?? "",
                          refusal.deadline.map { "\($0)" } ?? "", refusal.message].map(CSVText.field).joined(separator: ","))
        }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}

/// Why a record cannot be reported.
struct Unreportable: Error {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A CSV field: quoted when it holds a comma, quote or line break; a leading =, +, - or @
/// (which a spreadsheet would run as a formula) is kept as text behind an apostrophe.
public enum CSVText {
    public static func field(_ text: String) -> String {
        let text = CSVFile.neutralised(text)
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

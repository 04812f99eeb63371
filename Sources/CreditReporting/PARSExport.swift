import CreditRecords
import CreditRegistry
import Foundation

/// What of ACCME's PARS batch format could not be checked in a primary source: settings,
/// with the defaults the README names.
public struct PARSSettings: Sendable {
    /// The Record Action values for an addition and a deletion (unverified: "Add"/"Delete").
    public var addAction = "Add"
    public var deleteAction = "Delete"
    /// Days after completion within which each board wants the record (ABIM: 30).
    public var reportingWindowDays: [String: Int] = ["abim": 30]

    public init() {}
}

/// ACCME PARS learner completions for one activity, from the registry's own records: one
/// record per learner, activity and board for every issued certificate with MOC points
/// whose learner consented. PARS takes additions and deletions only, so the ledger of what
/// was sent decides what this export holds: a record never sent is added; one sent with
/// other content (a reissue, a corrected name) is deleted and added again; one sent whose
/// certificate was revoked or superseded, or whose consent is gone, is deleted.
public struct PARSExport {
    public static let target = "pars"

    /// The columns of ACCME's 2024 learner template, in its order (the file has no header).
    public static let columns = ["Record Action", "ACCME Activity ID", "Completion Date", "First Name", "Last Name",
                                 "Date of Birth", "Licensing State", "Licensing ID or NPI", "Number of CME Credits",
                                 "Certifying Board", "Certifying Board ID", "Total Board Credits", "Credit Type",
                                 "Credits Awarded for Credit Type", "Additional Credit Type"]

    /// A record that cannot be sent, or is sent late, and why.
    public struct Notice: Sendable, Equatable, CustomStringConvertible {
        public var certificateID: String
        public var learnerID: String
        public var message: String
        public var description: String { "certificate \(certificateID) (learner \(learnerID)): \(message)" }
    }

    /// What one export holds: its entries in file order (deletions first), the records
    /// refused (a closed reporting year) and those sent after the board's window.
    public struct Plan: Sendable {
        public var entries: [ReportEntry]
        public var refused: [Notice]
        public var late: [Notice]

        public var adds: Int { entries.filter { $0.action == .add }.count }
        public var deletes: Int { entries.filter { $0.action == .delete }.count }
    }

    public let activity: Activity
    public let boards: BoardCatalog
    public var settings = PARSSettings()

    public init(activity: Activity, boards: BoardCatalog, settings: PARSSettings = PARSSettings()) {
        (self.activity, self.boards, self.settings) = (activity, boards, settings)
    }

    /// The activity must carry its ACCME id.
    public func activityID() throws(InputError) -> String {
        guard let id = activity.reporting.accmeActivityID else {
            throw InputError([Problem(file: activity.sourceFile, field: "reporting.accmeActivityID",
                                      message: "is required for a PARS export: it is the activity's id in ACCME's PARS",
                                      hint: "add `reporting: { accmeActivityID: \"…\" }` with the digits PARS shows for the activity")])
        }
        return id
    }

    /// The export due `today` (on the activity's calendar), given the registry's records
    /// of the activity and the ledger's last entry per credit id.
    public func plan(records: [IssuedRecord], sent: [String: ReportEntry], today: CivilDate, file: String, at time: Date) throws(InputError) -> Plan {
        let accmeID = try activityID()
        var wanted: [String: (record: IssuedRecord, fields: [String], completion: CivilDate, board: String)] = [:]
        var order: [String] = []
        for record in records where record.status == .issued {
            guard let learner = record.learner, learner.mocConsent else { continue }
            for claim in learner.claims where claim.type == .moc {
                guard let board = claim.board else { continue }
                let id = Self.creditID(certificate: record.id, board: board, pointType: claim.pointType)
                wanted[id] = (record, fields(learner: learner, claim: claim, board: board, accmeID: accmeID), learner.completionDate, board)
                order.append(id)
            }
        }
        var plan = Plan(entries: [], refused: [], late: [])
        func entry(_ id: String, certificate: String, _ action: ReportEntry.Action, _ fields: [String]) -> ReportEntry {
            ReportEntry(creditID: id, certificateID: certificate, action: action, contentSHA256: Self.digest(fields),
                        fields: fields, exportFile: file, exportedAt: time)
        }
        var deletes: [ReportEntry] = [], adds: [ReportEntry] = []
        // Sent and no longer wanted, or wanted with other content: deleted first.
        for (id, last) in sent.sorted(by: { $0.key < $1.key }) where last.action == .add {
            if let now = wanted[id], Self.digest(now.fields) == last.contentSHA256 { continue }
            let completion = Self.completionDate(last.fields)
            if let completion, let closed = closure(completion, today: today) {
                plan.refused.append(Notice(certificateID: last.certificateID, learnerID: wanted[id]?.record.learnerID ?? "?",
                                           message: "its deletion cannot be sent: \(closed)"))
                continue
            }
            deletes.append(entry(id, certificate: last.certificateID, .delete, last.fields))
        }
        for id in order {
            guard let now = wanted[id] else { continue }
            if let last = sent[id], last.action == .add, last.contentSHA256 == Self.digest(now.fields) { continue }
            if let closed = closure(now.completion, today: today) {
                plan.refused.append(Notice(certificateID: now.record.id, learnerID: now.record.learnerID, message: "not sent: \(closed)"))
                continue
            }
            if let days = settings.reportingWindowDays[now.board], let due = now.completion.adding(days: days), today > due {
                plan.late.append(Notice(certificateID: now.record.id, learnerID: now.record.learnerID,
                                        message: "sent late: \(now.board.uppercased()) wants completions within \(days) days, by \(due); completed \(now.completion)"))
            }
            adds.append(entry(id, certificate: now.record.id, .add, now.fields))
        }
        plan.entries = deletes + adds
        return plan
    }

    /// Why a completion can no longer be reported, if it cannot: PARS closes a reporting
    /// year on March 31 of the next.
    func closure(_ completion: CivilDate, today: CivilDate) -> String? {
        let closes = CivilDate(year: completion.year + 1, month: 3, day: 31)
        guard today > closes else { return nil }
        return "PARS closed the \(completion.year) reporting year on \(closes.longForm) (completed \(completion))"
    }

    /// The record's fields after the action: what its content digest covers.
    func fields(learner: Learner, claim: Learner.Claim, board: String, accmeID: String) -> [String] {
        let name = learner.name(onRecordOf: board)
        let cme = learner.claims.first { $0.type == .amaPRACategory1 }.map { "\($0.amount)" } ?? ""
        let birth = learner.birthMonthDay.map { $0.replacingOccurrences(of: "-", with: "/") } ?? ""
        let pointType = claim.pointType.map(BoardCatalog.pointTypeName) ?? ""
        return [accmeID, Self.usDate(learner.completionDate), name.first, name.last, birth, "", learner.npi ?? "", cme,
                boards.boards[board]?.abbreviation ?? board.uppercased(), learner.boardIDs[board] ?? "", "\(claim.amount)",
                pointType, "\(claim.amount)", ""].map(Self.cell)
    }

    /// The tab-delimited file: one line per entry, CRLF, no header, every field present.
    public func file(_ plan: Plan) -> Data {
        let lines = plan.entries.map { entry in
            ([entry.action == .add ? settings.addAction : settings.deleteAction] + entry.fields).joined(separator: "\t")
        }
        return Data((lines.joined(separator: "\r\n") + (lines.isEmpty ? "" : "\r\n")).utf8)
    }

    /// `ccid:CERTIFICATE:BOARD[:POINT-TYPE]`: stable for a certificate's credit, so that a
    /// later deletion names what was added.
    static func creditID(certificate: String, board: String, pointType: String?) -> String {
        "ccid:\(certificate):\(board)" + (pointType.map { ":\($0)" } ?? "")
    }

    static func digest(_ fields: [String]) -> String { Hex.sha256(Data(fields.joined(separator: "\t").utf8)) }

    static func usDate(_ date: CivilDate) -> String { String(format: "%02d/%02d/%04d", date.month, date.day, date.year) }

    static func completionDate(_ fields: [String]) -> CivilDate? {
        guard fields.count > 1 else { return nil }
        let parts = fields[1].split(separator: "/").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return CivilDate(year: parts[2], month: parts[0], day: parts[1])
    }

    /// A field as the tab file may hold it: no tab or line break inside.
    static func cell(_ text: String) -> String {
        text.replacing(/[\t\r\n]+/, with: " ")
    }
}

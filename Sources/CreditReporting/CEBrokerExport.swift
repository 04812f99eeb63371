import CreditRecords
import CreditRegistry
import Foundation

/// A CE Broker roster (state licence tracking, e.g. Florida nurses) for one activity, from
/// the registry's records: one row per certificate and licence the chosen states issued, in
/// the columns A–J of CE Broker's upload sheet. The ledger keeps what was sent: the next
/// roster holds only new records; changed and withdrawn ones are listed for correction in
/// CE Broker, which edits records on its site.
public struct CEBrokerExport: Sendable {
    public static let target = "ce-broker"

    /// The sheet's columns A–J.
    public static let columns = ["Provider Tracking Number", "Course Number", "Your Course ID", "Publishing Number",
                                 "License Number", "Date Completed", "State", "Profession", "Subject Code", "Hours"]
    /// Nursing licence codes read from a learner's degrees when the licence names none.
    static let professionCodes = ["APRN", "ARNP", "CRNA", "CNS", "RN", "LPN", "CNA"]

    public struct Plan: Sendable {
        public var entries: [ReportEntry] = []
        public var refused: [PARSExport.Notice] = []
        public var byHand: [PARSExport.Notice] = []
    }

    public let activity: Activity
    /// The licence issuers reported (default: FL).
    public var states: Set<String>
    /// The subject code for partial credit, when the activity file gives none.
    public var subjectCode: String?

    public init(activity: Activity, states: Set<String> = ["FL"], subjectCode: String? = nil) {
        (self.activity, self.states, self.subjectCode) = (activity, Set(states.map { $0.uppercased() }), subjectCode)
    }

    /// The activity must name its provider to CE Broker.
    public func providerID() throws(InputError) -> String {
        guard let id = activity.reporting.ceBrokerProviderID else {
            throw InputError([Problem(file: activity.sourceFile, field: "reporting.ceBrokerProviderID",
                                      message: "is required for a CE Broker roster: it is the provider's tracking number",
                                      hint: "add `reporting: { ceBrokerProviderID: \"…\" }` with the number CE Broker gave (without its \"50-\")")])
        }
        return id
    }

    public func plan(records: [(record: IssuedRecord, activity: Activity)], sent: [String: ReportEntry], file: String,
                     at time: Date) throws(InputError) -> Plan {
        let provider = try providerID()
        var plan = Plan()
        var wanted: [String: (record: IssuedRecord, fields: [String])] = [:]
        var order: [String] = []
        for (record, issuedFrom) in records where record.status == .issued {
            guard let learner = record.learner else { continue }
            for license in learner.licenses where states.contains(license.issuer.uppercased()) {
                let id = "ceb:\(record.id):\(license.issuer.uppercased()):\(license.number)"
                switch fields(learner: learner, license: license, activity: issuedFrom, provider: provider) {
                case .success(let fields):
                    wanted[id] = (record, fields)
                    order.append(id)
                case .failure(let reason):
                    plan.refused.append(.init(certificateID: record.id, learnerID: record.learnerID, message: "not sent: " + reason.message))
                }
            }
        }
        for (id, last) in sent.sorted(by: { $0.key < $1.key }) where last.action == .add && wanted[id] == nil {
            plan.byHand.append(.init(certificateID: last.certificateID, learnerID: "?",
                                     message: "was reported and its certificate is now withdrawn: remove the completion in CE Broker (licence \(last.fields.count > 4 ? last.fields[4] : "?"))"))
        }
        for id in order {
            guard let now = wanted[id] else { continue }
            let digest = PARSExport.digest(now.fields)
            if let last = sent[id], last.action == .add {
                if last.contentSHA256 != digest {
                    plan.byHand.append(.init(certificateID: now.record.id, learnerID: now.record.learnerID,
                                             message: "changed since it was reported: correct the completion in CE Broker (licence \(now.fields[4]))"))
                }
                continue
            }
            plan.entries.append(ReportEntry(creditID: id, certificateID: now.record.id, action: .add, contentSHA256: digest,
                                            fields: now.fields, exportFile: file, exportedAt: time))
        }
        return plan
    }

    /// Columns A–J for one licence, or why they cannot be filled.
    func fields(learner: Learner, license: Learner.License, activity: Activity, provider: String) -> Result<[String], Unreportable> {
        guard let claim = learner.claims.filter({ $0.type != .moc }).max(by: { $0.amount < $1.amount }) else {
            return .failure(Unreportable("the certificate holds no credit or hours CE Broker records"))
        }
        let degrees = learner.degrees.map { $0.uppercased() }
        guard let profession = license.profession?.uppercased() ?? Self.professionCodes.first(where: degrees.contains) else {
            return .failure(Unreportable("the licence \(license.number) names no profession (licenses[].profession, roster column license_profession), and the degrees give none"))
        }
        let maximum = activity.designation(for: claim)?.maximum
        let partial = maximum.map { claim.amount < $0 } ?? false
        var subject = "", hours = ""
        if partial {
            guard let code = activity.reporting.ceBrokerSubjectCode ?? subjectCode else {
                return .failure(Unreportable("\(claim.amount) of the course's \(maximum.map { "\($0)" } ?? "?") hours is partial credit, which CE Broker records with a subject code: add reporting.ceBrokerSubjectCode to the activity, or give --subject-code"))
            }
            (subject, hours) = (code, "\(claim.amount)")
        }
        let course = activity.reporting.ceBrokerCourseID
        return .success([provider, course ?? "", course == nil ? activity.id : "", "", license.number,
                         PARSExport.usDate(learner.completionDate), license.issuer.uppercased(), profession, subject, hours].map(PARSExport.cell))
    }

    /// The roster: a header row, then one row per record (CSV, CRLF), as the sheet's columns.
    public func file(_ plan: Plan) -> Data {
        var lines = [Self.columns.map(CSVText.field).joined(separator: ",")]
        for entry in plan.entries { lines.append(entry.fields.map(CSVText.field).joined(separator: ",")) }
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}

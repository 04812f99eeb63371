import ArgumentParser
import CreditBadges
import CreditRecords
import CreditRegistry
import CreditReporting
import CreditTrust
import Foundation

/// `creditpress export`: reports made from the registry's records.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Report completions from the registry's records.",
        discussion: """
            Examples:
              creditpress export pars --help   (each report has its own options)
            """,
        subcommands: [ExportPARSCommand.self, ExportCPEMonitorCommand.self, ExportCEBrokerCommand.self, ExportBadgesCommand.self, ExportCLRCommand.self])

    /// Every certificate of the activity, each with the activity text recorded at its issue
    /// (the file given when the registry lacks it).
    static func certificates(of activity: Activity, in store: SQLiteRegistry, boards: BoardCatalog) async throws
        -> [(record: IssuedRecord, activity: Activity)] {
        var records: [(record: IssuedRecord, activity: Activity)] = []
        for record in try await store.certificates(activityID: activity.id) {
            records.append((record, await BadgeMaker.recordedActivity(record, registry: store, boards: boards) ?? activity))
        }
        return records
    }
}

/// The options of the commands that sign digital credentials (badges, CLRs).
struct CredentialSigningOptions: ParsableArguments {
    @Option(help: "The folder with the signing keys (default: $CREDITPRESS_SIGNING).")
    var signing: String?

    @Option(help: "RS256 (default when an RSA key is there) or ES256.")
    var algorithm: BadgeSigner.Algorithm?

    @Option(help: "The service's public address the credentials point to (issuer, status list, verification pages). Default: the provider's verification_url without /verify.")
    var baseURL: String?

    /// The signer, from the signing folder; refused without one.
    func signer() async throws -> BadgeSigner {
        guard let folder = Live.signingFolder(explicit: signing) else {
            throw InputError([Problem(file: "--signing", field: "", message: "is required: badges and CLRs are signed",
                                      hint: "give the signing folder (--signing DIR or $CREDITPRESS_SIGNING); `creditpress keys init --out DIR` makes a test one")])
        }
        return try await BadgeSigner(identity: try SigningIdentity.load(from: folder), algorithm: algorithm)
    }

    /// `--base-url`, else the provider's verification page's service.
    static func addresses(explicit: String?, activity: Activity) throws(InputError) -> BadgeAddresses {
        if let explicit {
            guard let url = URL(string: explicit), url.scheme == "https" || url.scheme == "http", url.host != nil else {
                throw InputError([Problem(file: "--base-url", field: "", message: "'\(explicit)' is not an http(s) address")])
            }
            return BadgeAddresses(base: explicit)
        }
        guard let addresses = BadgeAddresses.from(verificationURL: activity.provider.verificationURL) else {
            throw InputError([Problem(file: activity.sourceFile, field: "provider.verification_url",
                                      message: "does not end in /verify, so the service badges point to is not known",
                                      hint: "give --base-url with the service's public address (e.g. https://cme.example.org)")])
        }
        return addresses
    }
}

/// `creditpress export pars`: ACCME PARS learner completions (MOC) for one activity.
struct ExportPARSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pars",
        abstract: "Write ACCME PARS learner completions (tab-delimited batch file) for an activity's MOC points.",
        discussion: """
            One record per learner, activity and board for every issued certificate with MOC points whose \
            learner consented, in the column order of ACCME's learner template, without a header. What was \
            sent is kept in the registry: the next export holds only what is new or changed (a correction is \
            a deletion, then an addition; a revoked or superseded certificate, a deletion). Records of a \
            reporting year PARS has closed (March 31 of the next year) are refused and listed; records past \
            the board's window (ABIM: 30 days) are sent and listed as late.

            Exit status: 0 when every record due was written (or none was due), 2 when some were refused \
            (listed on standard error), 65 when the activity or registry was refused, 74 when the file \
            cannot be written.
            
            Examples:
              creditpress export pars --activity Examples/qopi-2022/activity.yaml --registry registry.sqlite --out pars.txt
              creditpress export pars --activity Examples/qopi-2022/activity.yaml --registry registry.sqlite --out pars.xml --dry-run
            """)

    @Option(help: "The activity file (YAML or JSON), with reporting.accmeActivityID.")
    var activity: String

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(name: .shortAndLong, help: "Where to write the file: a tab-delimited batch file (.txt), or ACCME's learner-report document (.xml).")
    var out: String

    @Option(help: "tab (the batch file) or xml (the learner-report document; needs reporting.accmeProviderID). Default: from --out's extension.")
    var format: PARSFormat?

    @Option(name: .customLong("point-type-code"), parsing: .unconditionalSingleValue,
            help: "NAME=CODE: the creditUnit written in the XML document for a board point type (unverified default: its name, e.g. \"Practice Assessment\"). Repeatable.")
    var pointTypeCodes: [String] = []

    @Option(help: "The Record Action written for an addition (ACCME's template: unverified default: Add).")
    var addAction = "Add"

    @Option(help: "The Record Action written for a deletion (unverified default: Delete).")
    var deleteAction = "Delete"

    @Flag(help: "Show what the export would hold without writing the file or recording it.")
    var dryRun = false

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let refused = try await Failure.reporting(closing: "no PARS file was written", refusedClosing: "no PARS file was written",
                                                  storageClosing: "no PARS file was written; nothing was recorded as sent") { () async throws -> Int in
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "the export")
            let boards = try BoardCatalog(file: environment.resources.boards)
            let activityRecord = try ActivityReader.read(URL(fileURLWithPath: activity), displayName: activity, boards: boards)
            let store = try SQLiteRegistry(file: location)
            var settings = PARSSettings()
            (settings.addAction, settings.deleteAction) = (addAction, deleteAction)
            let export = PARSExport(activity: activityRecord, boards: boards, settings: settings)
            let chosen = format ?? (out.lowercased().hasSuffix(".xml") ? .xml : .tab)
            let document = chosen == .xml ? try PARSDocument(activity: activityRecord, pointTypeCodes: try codes()) : nil
            // The day the export is made ($SOURCE_DATE_EPOCH fixes it, as for issue dates).
            let now = Live.issueDate(nil)
            let plan = try export.plan(records: try await store.certificates(activityID: activityRecord.id),
                                       sent: try await store.latestEntries(target: PARSExport.target),
                                       today: CivilDate.day(of: now, in: activityRecord.timeZone), file: out, at: now)
            for notice in plan.late { FileHandle.standardError.write(Data("warning: \(notice)\n".utf8)) }
            for notice in plan.refused { FileHandle.standardError.write(Data("error: \(notice)\n".utf8)) }
            guard !plan.entries.isEmpty else {
                print("nothing new to report to PARS for \(activityRecord.id)")
                return plan.refused.count
            }
            let bytes = try document.map { try $0.data(plan, createdAt: now) } ?? export.file(plan)
            guard !dryRun else {
                FileHandle.standardOutput.write(bytes)
                return plan.refused.count
            }
            let url = URL(fileURLWithPath: out)
            try AtomicFile.write(bytes, to: url, durable: true)
            do {
                try await store.record(plan.entries, target: PARSExport.target)
            } catch {
                // Sent and not recorded would send the same records twice: the file goes.
                try? FileManager.default.removeItem(at: url)
                throw error
            }
            print("wrote \(out): \(plan.adds) additions, \(plan.deletes) deletions for \(activityRecord.id)\(plan.late.isEmpty ? "" : ", \(plan.late.count) late")")
            return plan.refused.count
        }
        if refused > 0 {
            FileHandle.standardError.write(Data("\(refused) records were refused\n".utf8))
            throw ExitCode(2)
        }
    }

    /// The --point-type-code options as a map.
    func codes() throws(InputError) -> [String: String] {
        var map: [String: String] = [:]
        for option in pointTypeCodes {
            let parts = option.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw InputError([Problem(file: "--point-type-code", field: option, message: "is not NAME=CODE",
                                          hint: "for example --point-type-code \"Practice Assessment=PA\"")])
            }
            map[parts[0]] = parts[1]
        }
        return map
    }
}

/// The two forms of a PARS export.
enum PARSFormat: String, ExpressibleByArgument, CaseIterable {
    case tab, xml
}

/// `creditpress export badges`: an Open Badges 3.0 credential (VC-JWT) per certificate.
struct ExportBadgesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "badges",
        abstract: "Write an Open Badges 3.0 OpenBadgeCredential (a signed VC-JWT) for each issued certificate of an activity.",
        discussion: """
            One file per issued certificate, OUT/CERTIFICATE-ID.jwt, made from the registry's record of it (the \
            learner, credits and dates the certificate was drawn from); the learner is named by a salted SHA-256 \
            of the email, never in clear. Each badge points into the status list (OUT/status-list.jwt, also served \
            by `creditpress serve` at /status/badges): revoking or reissuing the certificate revokes its badge. \
            Revoked and superseded certificates get no badge. Signed RS256 with the signing folder's RSA key \
            (badge.key.pem, or the signing key itself when it is RSA), or ES256 with its P-256 key.

            Exit status: 0 when every issued certificate got its badge, 2 when some could not (listed), 65 when \
            the activity, registry or signing folder was refused.
            
            Examples:
              creditpress export badges --activity Examples/qopi-2022/activity.yaml --registry registry.sqlite --signing keys --out badges/
            """)

    @Option(help: "The activity file (YAML or JSON).")
    var activity: String

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(name: .shortAndLong, help: "The folder to write the badges into (made if missing).")
    var out: String

    @OptionGroup var credentials: CredentialSigningOptions

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let refused = try await Failure.reporting(closing: "no badges were written") { () async throws -> Int in
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "the export")
            let boards = try BoardCatalog(file: environment.resources.boards)
            let activityRecord = try ActivityReader.read(URL(fileURLWithPath: activity), displayName: activity, boards: boards)
            let signer = try await credentials.signer()
            let addresses = try CredentialSigningOptions.addresses(explicit: credentials.baseURL, activity: activityRecord)
            let store = try SQLiteRegistry(file: location)
            let records = try await store.certificates(activityID: activityRecord.id)
            let current = records.filter { $0.status == .issued }
            let positions = try await store.statusPositions(for: current.map(\.id))
            let output = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            var written = 0, problems = 0
            for record in current {
                do {
                    // The activity as it was when the certificate was issued.
                    let issuedFrom = await BadgeMaker.recordedActivity(record, registry: store, boards: boards) ?? activityRecord
                    let credential = try BadgeMaker(activity: issuedFrom, addresses: addresses, boards: boards)
                        .credential(record, position: positions[record.id] ?? 0, salt: BadgeMaker.newSalt())
                    let token = try await signer.sign(credential)
                    try AtomicFile.write(Data((token + "\n").utf8), to: output.appendingPathComponent("\(record.id).jwt"), durable: false)
                    written += 1
                } catch let error as InputError {
                    for problem in error.problems {
                        FileHandle.standardError.write(Data("error: certificate \(record.id) (learner \(record.learnerID)): \(problem.message)\n".utf8))
                    }
                    problems += 1
                }
            }
            let list = StatusListCredential(addresses: addresses, positions: try await store.allStatusPositions(),
                                            withdrawn: try await store.withdrawnCertificateIDs(), at: Live.issueDate(nil))
            try AtomicFile.write(Data((try await signer.sign(list) + "\n").utf8), to: output.appendingPathComponent("status-list.jwt"), durable: true)
            let withdrawn = records.count - current.count
            print("wrote \(written) badges (\(signer.algorithm.rawValue)) and status-list.jwt to \(out) for \(activityRecord.id)"
                  + (withdrawn > 0 ? "; \(withdrawn) revoked or superseded certificates have none" : ""))
            return problems
        }
        if refused > 0 {
            FileHandle.standardError.write(Data("\(refused) certificates got no badge\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension BadgeSigner.Algorithm: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

/// `creditpress export clr`: a learner's transcript as a CLR 2.0 credential.
struct ExportCLRCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clr",
        abstract: "Write a learner's transcript as a Comprehensive Learner Record 2.0 ClrCredential (a signed VC-JWT).",
        discussion: """
            Holds the OpenBadgeCredential of every issued certificate of the learner completed in the period \
            (revoked and superseded ones are left out), each made from the registry's record, as `export badges` \
            makes them. Exit status: 0 when written, 65 when the registry, period or signing folder was refused.
            
            Examples:
              creditpress export clr --learner-id L-2022-000201 --from 2022-01-01 --to 2022-12-31 --registry registry.sqlite --signing keys --out clr.jwt
            """)

    @Option(help: "The learner's id, as on their certificates.")
    var learnerID: String

    @Option(help: "The first day of the period (YYYY-MM-DD); default: everything before --to.")
    var from: String?

    @Option(help: "The last day of the period (YYYY-MM-DD); default: everything after --from.")
    var to: String?

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(name: .shortAndLong, help: "Where to write the CLR (.jwt).")
    var out: String

    @OptionGroup var credentials: CredentialSigningOptions

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await Failure.reporting(closing: "no CLR was written") { () async throws -> Void in
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "the export")
            let boards = try BoardCatalog(file: environment.resources.boards)
            let first = try from.map { text throws(InputError) in try Self.day(text, option: "--from") }
            let last = try to.map { text throws(InputError) in try Self.day(text, option: "--to") }
            let signer = try await credentials.signer()
            let store = try SQLiteRegistry(file: location)
            var held: [(record: IssuedRecord, activity: Activity, position: Int)] = []
            let records = try await store.certificates(learnerID: learnerID).filter { record in
                guard record.status == .issued, let completion = record.learner?.completionDate else { return false }
                return (first.map { completion >= $0 } ?? true) && (last.map { completion <= $0 } ?? true)
            }
            guard !records.isEmpty else {
                throw InputError([Problem(file: location.path, field: learnerID,
                                          message: "has no issued certificate completed in the period",
                                          hint: "check the learner id (as printed on the certificates) and --from/--to")])
            }
            let positions = try await store.statusPositions(for: records.map(\.id))
            for record in records {
                guard let activity = await BadgeMaker.recordedActivity(record, registry: store, boards: boards) else {
                    throw InputError([Problem(file: location.path, field: record.id, message: "has no recorded activity text to make its credential from")])
                }
                held.append((record, activity, positions[record.id] ?? 0))
            }
            let addresses = try CredentialSigningOptions.addresses(explicit: credentials.baseURL, activity: held[0].activity)
            let period = (first, last) == (nil, nil) ? "all records"
                : "\(first.map { $0.longForm } ?? "…") – \(last.map { $0.longForm } ?? "…")"
            let clr = try ClrCredential(learnerName: records.last?.learnerName ?? learnerID, period: period, certificates: held,
                                        addresses: addresses, boards: boards, issuerName: held[0].activity.provider.name,
                                        salt: BadgeMaker.newSalt(), at: Live.issueDate(nil))
            try AtomicFile.write(Data((try await signer.sign(clr) + "\n").utf8), to: URL(fileURLWithPath: out), durable: true)
            print("wrote \(out): a CLR of \(clr.credentialSubject.verifiableCredential.count) certificates for \(learnerID) (\(signer.algorithm.rawValue))")
        }
    }

    static func day(_ text: String, option: String) throws(InputError) -> CivilDate {
        guard let day = CivilDate(iso: text) else {
            throw InputError([Problem(file: option, field: text, message: "is not a day written YYYY-MM-DD")])
        }
        return day
    }
}

/// `creditpress export cpe-monitor`: ACPE credit for CPE Monitor, as a file or sent to ACPE's web service.
struct ExportCPEMonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpe-monitor",
        abstract: "Report an activity's ACPE credit to NABP's CPE Monitor: a submission file, or each record sent to ACPE's web service.",
        discussion: """
            One record per certificate with ACPE credit of a pharmacist or pharmacy technician: the provider \
            number (reporting.acpeProviderID, else the UAN's first part), NABP e-Profile ID, birth MMDD, the UAN \
            of the learner's profession (-P or -T), the date of participation and the action (I, insert). ACPE \
            takes records, changes and deletions only within 60 days of participation: older ones are refused, \
            with the dates, and listed in OUT-refused.csv. What was sent is kept in the registry, with the \
            service's answer per record; the next export holds only what is new, changed, or rejected before.

            With --submit, each record goes to the web service at --service-url (or \
            $CREDITPRESS_CPE_MONITOR_URL) with the credentials in $CREDITPRESS_CPE_MONITOR_USER and \
            $CREDITPRESS_CPE_MONITOR_PASSWORD, which are never printed or logged; OUT then lists each record's \
            answer. Records the service did not answer are not recorded, and go again next time.

            Exit status: 0 when every record due was written or accepted, 2 when some were refused, rejected, \
            not answered, or need correcting in CPE Monitor by hand (listed), 65 when the activity, registry \
            or configuration was refused.
            
            Examples:
              creditpress export cpe-monitor --activity Examples/asco-2018/activity.yaml --registry registry.sqlite --out cpe.csv
            """)

    @Option(help: "The activity file (YAML or JSON), with its ACPE credit and UANs.")
    var activity: String

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(name: .shortAndLong, help: "The submission file (.csv); with --submit, the file of the service's answers.")
    var out: String

    @Flag(help: "Send each record to ACPE's web service rather than writing a submission file.")
    var submit = false

    @Option(help: "The web service's address (default: $CREDITPRESS_CPE_MONITOR_URL).")
    var serviceURL: String?

    @Option(help: "The action code of a change to a record already sent (unverified; default: none, such records are listed for correction by hand).")
    var changeAction: String?

    @Option(help: "The action code of a deletion, for a certificate withdrawn after it was sent (unverified; default: none, listed for deletion by hand).")
    var deleteAction: String?

    @Flag(help: "Show what would be sent without writing, sending or recording anything.")
    var dryRun = false

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let failures = try await Failure.reporting(closing: "nothing was reported to CPE Monitor") { () async throws -> Int in
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "the export")
            let boards = try BoardCatalog(file: environment.resources.boards)
            let activityRecord = try ActivityReader.read(URL(fileURLWithPath: activity), displayName: activity, boards: boards)
            let client = submit ? try Self.client(explicit: serviceURL) : nil
            let store = try SQLiteRegistry(file: location)
            var settings = CPEMonitorSettings()
            (settings.changeAction, settings.deleteAction) = (changeAction, deleteAction)
            let export = CPEMonitorExport(activity: activityRecord, settings: settings)
            let records = try await ExportCommand.certificates(of: activityRecord, in: store, boards: boards)
            let now = Live.issueDate(nil)
            let plan = export.plan(records: records, sent: try await store.latestEntries(target: CPEMonitorExport.target),
                                   today: CivilDate.day(of: now, in: activityRecord.timeZone), file: out, at: now)
            for refusal in plan.refused { FileHandle.standardError.write(Data("error: \(refusal)\n".utf8)) }
            for notice in plan.byHand { FileHandle.standardError.write(Data("warning: \(notice)\n".utf8)) }
            var failures = plan.refused.count + plan.byHand.count
            let url = URL(fileURLWithPath: out)
            if !plan.refused.isEmpty, !dryRun {
                let named = url.deletingLastPathComponent().appendingPathComponent(url.deletingPathExtension().lastPathComponent + "-refused.csv")
                try AtomicFile.write(CPEMonitorExport.refusals(plan.refused), to: named, durable: true)
                FileHandle.standardError.write(Data("\(plan.refused.count) refused records are listed in \(named.path)\n".utf8))
            }
            guard !plan.submissions.isEmpty else {
                print("nothing new to report to CPE Monitor for \(activityRecord.id)")
                return failures
            }
            guard !dryRun else {
                FileHandle.standardOutput.write(export.file(plan))
                return failures
            }
            guard let client else {
                try AtomicFile.write(export.file(plan), to: url, durable: true)
                do {
                    try await store.record(plan.submissions.map(\.entry), target: CPEMonitorExport.target)
                } catch {
                    try? FileManager.default.removeItem(at: url)
                    throw error
                }
                print("wrote \(out): \(plan.submissions.count) CPE Monitor records for \(activityRecord.id)")
                return failures
            }
            // Sent one by one; each answer is recorded as it comes, so an interruption loses none.
            var lines = [(CPEMonitorExport.columns + ["status", "message"]).joined(separator: ",")]
            var accepted = 0, rejected = 0, unanswered = 0
            for submission in plan.submissions {
                var entry = submission.entry
                let answer = await client.send(submission)
                let (status, message): (String, String)
                switch answer {
                case .accepted(let text): (status, message) = ("accepted", text); accepted += 1
                case .rejected(let text): (status, message) = ("rejected", text); rejected += 1
                case .notSent(let text): (status, message) = ("not sent", text); unanswered += 1
                }
                if status != "not sent" {
                    (entry.status, entry.statusMessage) = (status, message)
                    try await store.record([entry], target: CPEMonitorExport.target)
                }
                if status != "accepted" {
                    FileHandle.standardError.write(Data("error: certificate \(entry.certificateID) (learner \(submission.learnerID)): \(status): \(message)\n".utf8))
                }
                lines.append(([submission.actionCode] + entry.fields + [entry.certificateID, status, message]).map(CSVText.field).joined(separator: ","))
            }
            try AtomicFile.write(Data((lines.joined(separator: "\r\n") + "\r\n").utf8), to: url, durable: true)
            print("sent \(plan.submissions.count) CPE Monitor records for \(activityRecord.id) to \(client.url.host ?? "the service"): \(accepted) accepted, \(rejected) rejected, \(unanswered) not answered; answers in \(out)")
            failures += rejected + unanswered
            return failures
        }
        if failures > 0 { throw ExitCode(2) }
    }

    /// The client, from the option or the environment; the credentials from the environment only.
    static func client(explicit: String?) throws(InputError) -> CPEMonitorClient {
        guard let text = explicit ?? Live.variable("CREDITPRESS_CPE_MONITOR_URL") else {
            throw InputError([Problem(file: "--service-url", field: "", message: "is required with --submit",
                                      hint: "give ACPE's web-service address, or set CREDITPRESS_CPE_MONITOR_URL")])
        }
        guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw InputError([Problem(file: "--service-url", field: "", message: "is not an http(s) address")])
        }
        guard let user = Live.variable("CREDITPRESS_CPE_MONITOR_USER"), let password = Live.variable("CREDITPRESS_CPE_MONITOR_PASSWORD") else {
            throw InputError([Problem(file: "CREDITPRESS_CPE_MONITOR_USER", field: "",
                                      message: "and CREDITPRESS_CPE_MONITOR_PASSWORD must both be set with --submit",
                                      hint: "set them to the provider's CPE Monitor web-service credentials; they are never printed")])
        }
        return CPEMonitorClient(url: url, credentials: .init(user: user, password: password))
    }
}

/// `creditpress export ce-broker`: a CE Broker roster of an activity's completions.
struct ExportCEBrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ce-broker",
        abstract: "Write a CE Broker roster (columns A–J of its upload sheet, as CSV) of an activity's completions for state licences.",
        discussion: """
            One row per certificate and licence issued by the chosen states (licenses[] in the learner file, \\
            roster columns license_state, license_number, license_profession): provider tracking number \\
            (reporting.ceBrokerProviderID), course number (reporting.ceBrokerCourseID, else the activity's id as \\
            your own course id), licence number, completion date, state, profession, and for partial credit a \\
            subject code and the hours. The file opens in Excel; save it as the workbook CE Broker's upload takes. \\
            What was sent is kept in the registry: the next roster holds only new records; changed and withdrawn \\
            ones are listed for correction in CE Broker.

            Exit status: 0 when every record due was written, 2 when some were refused or need correcting by \\
            hand (listed), 65 when the activity or registry was refused.
            
            Examples:
              creditpress export ce-broker --activity Examples/qopi-2022/activity.yaml --registry registry.sqlite --out ce-broker.csv
            """)

    @Option(help: "The activity file (YAML or JSON), with reporting.ceBrokerProviderID.")
    var activity: String

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(name: .shortAndLong, help: "Where to write the roster (.csv).")
    var out: String

    @Option(help: "A state whose licences are reported (repeatable; default: FL).")
    var state: [String] = []

    @Option(help: "The subject code for partial credit, when the activity file gives none (reporting.ceBrokerSubjectCode).")
    var subjectCode: String?

    @Flag(help: "Show what the roster would hold without writing or recording it.")
    var dryRun = false

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let failures = try await Failure.reporting(closing: "no CE Broker roster was written") { () async throws -> Int in
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "the export")
            let boards = try BoardCatalog(file: environment.resources.boards)
            let activityRecord = try ActivityReader.read(URL(fileURLWithPath: activity), displayName: activity, boards: boards)
            let store = try SQLiteRegistry(file: location)
            let export = CEBrokerExport(activity: activityRecord, states: Set(state.isEmpty ? ["FL"] : state), subjectCode: subjectCode)
            let records = try await ExportCommand.certificates(of: activityRecord, in: store, boards: boards)
            let now = Live.issueDate(nil)
            let plan = try export.plan(records: records, sent: try await store.latestEntries(target: CEBrokerExport.target), file: out, at: now)
            for notice in plan.refused { FileHandle.standardError.write(Data("error: \(notice)\n".utf8)) }
            for notice in plan.byHand { FileHandle.standardError.write(Data("warning: \(notice)\n".utf8)) }
            let failures = plan.refused.count + plan.byHand.count
            guard !plan.entries.isEmpty else {
                print("nothing new to report to CE Broker for \(activityRecord.id)")
                return failures
            }
            guard !dryRun else {
                FileHandle.standardOutput.write(export.file(plan))
                return failures
            }
            let url = URL(fileURLWithPath: out)
            try AtomicFile.write(export.file(plan), to: url, durable: true)
            do {
                try await store.record(plan.entries, target: CEBrokerExport.target)
            } catch {
                try? FileManager.default.removeItem(at: url)
                throw error
            }
            print("wrote \(out): \(plan.entries.count) CE Broker records for \(activityRecord.id)")
            return failures
        }
        if failures > 0 { throw ExitCode(2) }
    }
}

import ArgumentParser
import CreditIssuing
import CreditRecords
import CreditRegistry
import Foundation

/// `creditpress reissue`: a corrected certificate under a new id that supersedes the old one.
struct ReissueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reissue",
        abstract: "Issue a corrected certificate (e.g. a corrected name) under a new id that supersedes an issued one.",
        discussion: """
            The corrected learner comes from a learner file (--learner), from the corrected roster \
            (--roster: the row with the certificate's learner id, or --row N, the spreadsheet row), \
            or, with neither, from the registry's record (after a correction of the activity file). \
            A signed certificate is replaced by a signed one. With --batch the new PDF goes into \
            that batch's certificates/ folder and the superseded one is moved to its superseded/ folder.

            Examples:
              creditpress reissue --id 7KQ2M-XW4HD-R --reason "name corrected" --activity activity.yaml --roster corrected.csv --batch issued/
              creditpress reissue --id 7KQ2M-XW4HD-R --reason "name corrected" --activity activity.yaml --learner learner.yaml --out corrected.pdf
            """)

    @Option(help: "The id of the certificate to supersede.")
    var id: String

    @Option(help: "Why it is reissued; kept in the audit trail.")
    var reason: String

    @Option(help: "The activity file (YAML or JSON).")
    var activity: String

    @Option(help: "A corrected learner record (YAML or JSON).")
    var learner: String?

    @Option(help: "A corrected roster CSV: the row with the certificate's learner id is used (or --row).")
    var roster: String?

    @Option(help: "With --roster: the spreadsheet row to use (the header is row 1).")
    var row: Int?

    @OptionGroup var rosterReading: RosterReadingOptions

    @Option(name: .shortAndLong, help: "Where to write the new PDF (default with --batch: its certificates/NEW-ID.pdf).")
    var out: String?

    @Option(help: "The batch output folder the certificate was issued into: the new PDF is written there and the old one moved to superseded/.")
    var batch: String?

    @Option(help: "A layout name or file (default: the layout the certificate was issued with).")
    var layout: String?

    @Option(help: "The new certificate's issue date, ISO 8601 (default: $SOURCE_DATE_EPOCH, else now).")
    var creationDate: String?

    @Option(help: "The secret key certificate ids are derived with (default: $CREDITPRESS_ID_KEY, else ~/.config/creditpress/certificate-id.key).")
    var idKey: String?

    @Option(help: "The registry the certificate was recorded in (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @OptionGroup var signingOptions: SigningOptions

    @Flag(help: "Allow an unsigned replacement of a signed certificate.")
    var unsigned = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if learner != nil, roster != nil { throw ValidationError("give --learner or --roster, not both") }
        if row != nil, roster == nil { throw ValidationError("--row needs --roster") }
        if out == nil, batch == nil { throw ValidationError("say where the new PDF goes: --out FILE or --batch FOLDER") }
        if let out, !out.lowercased().hasSuffix(".pdf") { throw ValidationError("--out must name a .pdf file") }
        if let creationDate, CertificateCommand.parseDate(creationDate) == nil {
            throw ValidationError("--creation-date '\(creationDate)' is not an ISO 8601 date such as 2018-06-05T12:00:00Z")
        }
    }

    func run() async throws {
        try await Failure.reporting(closing: "nothing was reissued") {
            guard let oldID = CertificateID.normalise(id) else {
                throw ValidationError("--id '\(id)' is not a certificate id (mistyped? the last character is a check character)")
            }
            let environment = try Live.environment(resources: common.resources)
            let renderer = try CertificateRenderer(environment: environment)
            let activityURL = URL(fileURLWithPath: activity)
            let activityRecord = try renderer.readActivity(activityURL, displayName: activity)
            let key = try IssuerKey.load(at: Live.idKeyLocation(explicit: idKey))
            let registryFile = try Live.requiredRegistry(explicit: registry, needs: "reissue")
            let issuer = CertificateIssuer(renderer: renderer, idKey: key, signing: try signingOptions.identity(),
                                           registry: try Registry.open(registryFile))
            issuer.certify = signingOptions.certify
            let old = try await issuer.supersedable(oldID)
            let (learnerRecord, learnerText) = try corrected(old)
            let layoutName = try RecordLayout.name(layout, record: old, resources: environment.resources)
            let input = IssueInput(activity: activityRecord, activityText: try String(contentsOf: activityURL, encoding: .utf8),
                                   learner: learnerRecord, learnerText: learnerText, layoutName: layoutName,
                                   creationDate: Live.issueDate(creationDate.flatMap(CertificateCommand.parseDate)))
            let result = try await issuer.reissue(oldID, input: input, reason: reason, allowUnsigned: unsigned)
            let folder = batch.map { URL(fileURLWithPath: $0) }
            let target = out.map { URL(fileURLWithPath: $0) } ?? folder!.appendingPathComponent("certificates/\(result.id).pdf")
            try result.write(to: target)
            print("wrote \(target.path): certificate \(result.id) supersedes \(oldID) (\(reason))"
                  + (result.record?.signature == nil ? ", unsigned" : ", signed"))
            if let folder {
                let moved = try BatchFolder(folder).supersede(oldID, by: result.id, learner: learnerRecord, reason: reason,
                                                              at: environment.clock.now())
                if let moved { print("moved the superseded \(oldID).pdf to \(moved.path)") }
            }
        }
    }

    /// The corrected learner and its input text: from the file, the roster row, or the record.
    private func corrected(_ old: IssuedRecord) throws -> (Learner, String) {
        if let learner {
            let url = URL(fileURLWithPath: learner)
            return (try LearnerReader.read(url, displayName: learner), try String(contentsOf: url, encoding: .utf8))
        }
        if let roster {
            let reader = try RosterReader(url: URL(fileURLWithPath: roster), displayName: roster, encoding: rosterReading.encoding,
                                          mapping: try rosterReading.mapping())
            while let candidate = reader.next() {
                let matches = row.map { candidate.number == $0 } ?? (reader.columns.learnerID(in: candidate) == old.learnerID)
                guard matches else { continue }
                let learner = try reader.learner(from: candidate).get()
                return (learner, reader.inputJSON(of: candidate))
            }
            if let stopped = reader.stoppedEarly { throw InputError([stopped]) }
            let which = row.map { "has no row \($0)" } ?? "has no row for learner \(old.learnerID)"
            throw InputError([Problem(file: roster, field: "id", learnerID: old.learnerID, message: which,
                                      hint: "give the corrected roster, or --row N for the learner's spreadsheet row")])
        }
        guard let learner = old.learner else {
            throw RegistryError("the registry's record of \(old.id) does not hold the learner's details; give the corrected --learner or --roster")
        }
        return (learner, old.learnerInput)
    }
}

/// `creditpress reprint`: an issued certificate's PDF again, byte for byte, from the registry.
struct ReprintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprint",
        abstract: "Write an issued certificate's PDF again, byte for byte as issued, from the registry's record.",
        discussion: """
            The learner and the activity text come from the registry; the activity file's folder gives \
            the artwork (logo, signature). A signed certificate keeps its signature: no key is needed. \
            Exit status: 0 when written, 65 when the id is unknown or the templates or artwork no longer \
            give the issued file (the message says what changed), 1 otherwise.

            Examples:
              creditpress reprint --id 7KQ2M-XW4HD-R --activity Examples/asco-2018/activity.yaml --registry registry.sqlite --out copy.pdf
            """)

    @Option(help: "The id of the certificate to reprint.")
    var id: String

    @Option(help: "The activity file, for its folder's artwork (the registry keeps the text it was issued from).")
    var activity: String

    @Option(name: .shortAndLong, help: "Where to write the PDF (default: ID.pdf).")
    var out: String?

    @Option(help: "The layout file, when the certificate was issued with one that is not bundled.")
    var layout: String?

    @Option(help: "The registry of issued certificates (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(help: "The secret key certificate ids are derived with (default: $CREDITPRESS_ID_KEY, else ~/.config/creditpress/certificate-id.key).")
    var idKey: String?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await Failure.reporting(closing: "nothing was written") {
            guard let wanted = CertificateID.normalise(id) else {
                throw ValidationError("--id '\(id)' is not a certificate id (mistyped? the last character is a check character)")
            }
            let environment = try Live.environment(resources: common.resources)
            let registryFile = try Live.requiredRegistry(explicit: registry, needs: "reprint")
            let store = try Registry.openForReading(registryFile)
            guard let record = try await store.record(id: wanted) else {
                throw InputError([Problem(file: registryFile.path, field: "--id", message: "has no certificate \(wanted)",
                                          hint: "check the id on the certificate, or the registry file")])
            }
            let key = try IssuerKey.load(at: Live.idKeyLocation(explicit: idKey))
            let issuer = CertificateIssuer(renderer: try CertificateRenderer(environment: environment), idKey: key, signing: nil, registry: store)
            let layoutName = try RecordLayout.name(layout, record: record, resources: environment.resources)
            let activityURL = URL(fileURLWithPath: activity)
            let result = try await issuer.reprint(record, activityFolder: activityURL.deletingLastPathComponent(),
                                                  displayName: activity, layoutName: layoutName)
            let target = URL(fileURLWithPath: out ?? "\(record.id).pdf")
            try result.write(to: target)
            let status = record.status == .issued ? "" : " — note: this certificate is \(record.status.rawValue)"
                + (record.supersededBy.map { " by \($0)" } ?? "") + "; verify reports it so"
            print("wrote \(target.path): certificate \(record.id) as issued on \(ISODate.string(record.issuedAt))\(status)")
        }
    }
}

/// The layout a recorded certificate was issued with, to draw it again.
enum RecordLayout {
    /// `explicit`, else the recorded layout when it is a bundled one; refused when the
    /// certificate was issued with a layout file that must be named again.
    static func name(_ explicit: String?, record: IssuedRecord, resources: Resources) throws -> String? {
        if let explicit { return explicit }
        let bundled = resources.certificateLayouts.appendingPathComponent("\(record.layoutName).yaml")
        guard FileManager.default.fileExists(atPath: bundled.path) else {
            throw InputError([Problem(file: "", field: "--layout",
                                      message: "\(record.id) was issued with the layout '\(record.layoutName)', which is not bundled",
                                      hint: "give that layout's file with --layout PATH")])
        }
        return record.layoutName
    }
}

/// `creditpress revoke`: withdraw an issued certificate, with a reason.
struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an issued certificate; verify then reports it as revoked, with the reason.",
        discussion: """
            Examples:
              creditpress revoke --id 7KQ2M-XW4HD-R --reason \"attendance not confirmed\" --registry registry.sqlite
            """)

    @Option(help: "The id of the certificate to revoke.")
    var id: String

    @Option(help: "Why it is revoked; kept in the audit trail and shown by verify.")
    var reason: String

    @Option(help: "The registry of issued certificates (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    func run() async throws {
        try await Failure.reporting(closing: "nothing was revoked") {
            guard let normalised = CertificateID.normalise(id) else {
                throw ValidationError("--id '\(id)' is not a certificate id (mistyped? the last character is a check character)")
            }
            guard let file = Live.registryLocation(explicit: registry) else {
                throw ValidationError("name the registry with --registry FILE or $CREDITPRESS_REGISTRY")
            }
            try await Registry.open(file).revoke(id: normalised, reason: reason, actor: Live.actor, at: SystemClock().now())
            print("revoked \(normalised): \(reason)")
        }
    }
}

import ArgumentParser
import CreditIssuing
import CreditRecords
import CreditRegistry
import CreditRender
import Foundation

/// `creditpress transcript`: one learner's completed activities over a period, as a PDF.
struct TranscriptCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcript",
        abstract: "Render one learner's transcript of completed activities, with totals per credit type.",
        discussion: """
            From completion records (--learner and --records), or from the registry's certificates \
            (--registry and --learner-id: every issued certificate of the learner, with the activity it was \
            issued from; the learner's details from her latest certificate unless --learner gives them). The \
            same completion given twice counts once, said in a warning.

            Examples:
              creditpress transcript --learner learner.yaml --records records.csv --activities activities/ --out transcript.pdf
              creditpress transcript --registry registry.sqlite --learner-id L-2022-000201 --from 2021-01-01 --to 2022-12-31 --out transcript.pdf
            """)

    @Option(help: "The learner file (YAML or JSON): name as printed, degrees, licenses.")
    var learner: String?

    @Option(help: "The completion records (CSV; columns in the README).")
    var records: String?

    @Option(help: "The registry of issued certificates to take the records from, with --learner-id.")
    var registry: String?

    @Option(help: "The learner whose certificates in the registry make the transcript.")
    var learnerID: String?

    @Option(help: "Activity files, or folders holding them, that the records refer to (repeatable).")
    var activities: [String] = []

    @Option(help: "First completion date to include, YYYY-MM-DD (inclusive; default: all).")
    var from: String?

    @Option(help: "Last completion date to include, YYYY-MM-DD (inclusive; default: all).")
    var to: String?

    @Option(help: "Who issues the transcript (default: the provider, if the records have one).")
    var issuer: String?

    @Option(help: "The issue date printed and set as the PDF's creation date, YYYY-MM-DD (default: $SOURCE_DATE_EPOCH, else today).")
    var issueDate: String?

    @Option(help: "A layout from Templates/transcripts/ or a layout file.")
    var layout: String = "transcript"

    @Option(name: .shortAndLong, help: "Where to write the PDF.")
    var out: String

    @OptionGroup var signingOptions: SigningOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        // The registry may come from $CREDITPRESS_REGISTRY, as everywhere.
        switch (records, registry ?? (learnerID == nil ? nil : Live.variable("CREDITPRESS_REGISTRY")), learnerID) {
        case (_?, nil, nil): guard learner != nil else { throw ValidationError("--records needs --learner, the learner file") }
        case (nil, _?, _?): break
        case (nil, _?, nil): throw ValidationError("--registry needs --learner-id, the learner whose certificates make the transcript")
        case (nil, nil, _?): throw ValidationError("--learner-id needs --registry")
        case (nil, nil, nil): throw ValidationError("give --learner and --records, or --registry and --learner-id")
        default: throw ValidationError("give either --records or --registry, not both")
        }
        for (name, value) in [("--from", from), ("--to", to), ("--issue-date", issueDate)] {
            if let value, CivilDate(iso: value) == nil { throw ValidationError("\(name) '\(value)' is not a date such as 2022-12-31") }
        }
        if let from, let to, let start = CivilDate(iso: from), let end = CivilDate(iso: to), end < start {
            throw ValidationError("--to \(to) is before --from \(from)")
        }
    }

    /// The learner and the completion records: from the records file, or from the registry.
    func recordsAndLearner(_ renderer: CertificateRenderer) async throws -> (Learner, [CompletionRecord]) {
        if let records, let file = learner {
            let learner = try LearnerReader.readIdentity(URL(fileURLWithPath: file), displayName: file)
            var byID: [String: Activity] = [:]
            for url in try activityFiles() {
                let activity = try renderer.readActivity(url, displayName: url.relativePath)
                byID[activity.id] = activity
            }
            return (learner, try CompletionRecords.read(URL(fileURLWithPath: records), displayName: records,
                                                        learnerID: learner.id, activities: byID, boards: renderer.boards))
        }
        let id = learnerID ?? ""
        let location = try Live.requiredRegistry(explicit: registry, needs: "a transcript from the registry")
        let registry = try Registry.openForReading(location)
        guard let ledger = registry as? any ReportLedger & ServiceStore else {
            throw InputError([Problem(file: location.path, field: "", message: "cannot list a learner's certificates")])
        }
        let issued = try await ledger.certificates(learnerID: id).filter { $0.status == .issued && $0.learner != nil }
        guard let latest = issued.last?.learner else {
            throw InputError([Problem(file: location.path, field: id, message: "has no issued certificate in this registry",
                                      hint: "check the learner id, as printed on the certificates")])
        }
        let learner = try self.learner.map { try LearnerReader.readIdentity(URL(fileURLWithPath: $0), displayName: $0) } ?? latest
        var rows: [CompletionRecord] = []
        for record in issued {
            guard let completion = record.learner?.completionDate else { continue }
            let text = try await registry.input(sha256: record.activitySHA256)
            let activity = text.flatMap { try? ActivityReader.readRecorded(Data($0.utf8), boards: renderer.boards) }
            for claim in record.learner?.claims ?? [] {
                rows.append(CompletionRecord(row: rows.count + 1, learnerID: record.learnerID, completionDate: completion,
                                             activityTitle: activity?.title ?? record.activityID, provider: activity?.provider.name ?? "",
                                             format: activity?.format.phrase ?? "", creditType: claim.type, amount: claim.amount,
                                             board: claim.board?.uppercased(), pointType: claim.pointType.map(BoardCatalog.pointTypeName)))
            }
        }
        return (learner, rows)
    }

    func run() async throws {
        try await Failure.reporting(closing: "no transcript was written", refusedClosing: "no transcript was written") { () async throws -> Void in
            let renderer = try CertificateRenderer(environment: try Live.environment(resources: common.resources))
            let (learner, records) = try await self.recordsAndLearner(renderer)
            let date = issueDate.flatMap { CivilDate(iso: $0) } ?? Self.today()
            let transcript = Transcript(learner: learner, records: records, from: from.flatMap { CivilDate(iso: $0) },
                                        to: to.flatMap { CivilDate(iso: $0) }, issuer: issuer, issueDate: date)
            let layoutURL = layout.hasSuffix(".yaml") ? URL(fileURLWithPath: layout)
                : renderer.resources.transcriptLayouts.appendingPathComponent("\(layout).yaml")
            let spec = try TranscriptLayout.read(layoutURL, fonts: renderer.fonts)
            let metadata = PDFMetadata(
                title: "Continuing education transcript: \(learner.professionalName), \(transcript.periodText)",
                author: transcript.issuer, subject: "\(transcript.rows.count) completed activities",
                keywords: ["learner \(learner.id)", "transcript layout v\(spec.version)"],
                creationDate: Date(timeIntervalSince1970: Double(Self.epochDay(date)) * 86400 + 43200))
            let pages = try TranscriptWriter(layout: spec, engine: renderer.layouter.engine)
                .write(transcript, to: URL(fileURLWithPath: out), metadata: metadata, signing: try signingOptions.identity(),
                       signedAt: renderer.environment.clock.now())
            for notice in transcript.notices { FileHandle.standardError.write(Data("warning: \(notice)\n".utf8)) }
            print("wrote \(out): \(transcript.rows.count == 1 ? "1 record" : "\(transcript.rows.count) records") on \(pages) page\(pages == 1 ? "" : "s")")
        }
    }

    /// The activity files named, and those inside the folders named.
    private func activityFiles() throws -> [URL] {
        try Live.activityFiles(activities, option: "--activities")
    }

    static func today() -> CivilDate {
        let date = Live.issueDate(nil)
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return CivilDate(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    static func epochDay(_ date: CivilDate) -> Int {
        var components = DateComponents()
        (components.year, components.month, components.day) = (date.year, date.month, date.day)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return Int(calendar.date(from: components)!.timeIntervalSince1970 / 86400)
    }
}

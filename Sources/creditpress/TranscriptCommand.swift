import ArgumentParser
import CreditIssuing
import CreditRecords
import CreditRender
import Foundation

/// `creditpress transcript`: one learner's completed activities over a period, as a PDF.
struct TranscriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcript",
        abstract: "Render one learner's transcript of completed activities, with totals per credit type.")

    @Option(help: "The learner file (YAML or JSON): name as printed, degrees, licences.")
    var learner: String

    @Option(help: "The completion records (CSV; columns in the README).")
    var records: String

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
        for (name, value) in [("--from", from), ("--to", to), ("--issue-date", issueDate)] {
            if let value, CivilDate(iso: value) == nil { throw ValidationError("\(name) '\(value)' is not a date such as 2022-12-31") }
        }
        if let from, let to, let start = CivilDate(iso: from), let end = CivilDate(iso: to), end < start {
            throw ValidationError("--to \(to) is before --from \(from)")
        }
    }

    func run() throws {
        try Failure.reporting(closing: "no transcript was written", refusedClosing: "no transcript was written") {
            let renderer = try CertificateRenderer(environment: try Live.environment(resources: common.resources))
            let learner = try LearnerReader.readIdentity(URL(fileURLWithPath: self.learner), displayName: self.learner)
            var byID: [String: Activity] = [:]
            for url in try activityFiles() {
                let activity = try renderer.readActivity(url, displayName: url.relativePath)
                byID[activity.id] = activity
            }
            let records = try CompletionRecords.read(URL(fileURLWithPath: self.records), displayName: self.records,
                                                     learnerID: learner.id, activities: byID, boards: renderer.boards)
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
            print("wrote \(out): \(transcript.rows.count) records on \(pages) page\(pages == 1 ? "" : "s")")
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

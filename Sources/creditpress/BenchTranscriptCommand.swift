import ArgumentParser
import CreditIssuing
import CreditRecords
import CreditRender
import Foundation

/// `creditpress bench-transcript`: a transcript of N generated records, timed.
struct BenchTranscriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-transcript",
        abstract: "Benchmark: render a transcript of N generated completion records for one learner.",
        discussion: """
            Examples:
              creditpress bench-transcript --rows 2000
            """)

    @Option(help: "Completion records for the learner.")
    var rows: Int = 2000

    @Option(name: .shortAndLong, help: "Folder for the records and the PDF.")
    var out: String = "/tmp/creditpress-bench-transcript"

    @OptionGroup var common: CommonOptions

    func run() throws {
        let environment = try Live.environment(resources: common.resources)
        let resources = environment.resources
        let folder = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let records = folder.appendingPathComponent("records.csv")
        var text = "learner_id,activity_id,credit_type,amount,completion_date,self_reported,title,provider,format\n"
        for index in 0..<rows {
            let day = CivilDate(year: 2015 + index % 8, month: 1 + index % 12, day: 1 + index % 28)
            text += index % 3 == 0
                ? "L-2018-000101,ASCO-AM-2018,ama-pra-category-1,\(1 + index % 20),\(day),,,,\n"
                : "L-2018-000101,,ama-pra-category-1,\(Double(1 + index % 12) / 4),\(day),yes,\"Grand rounds \(index): a title long enough to wrap onto a second line of its column\",Example Provider \(index % 7),live activity\n"
        }
        try text.write(to: records, atomically: true, encoding: .utf8)
        let started = Date()
        let renderer = try CertificateRenderer(environment: environment)
        let activity = try renderer.readActivity(resources.root.appendingPathComponent("Examples/asco-2018/activity.yaml"))
        let learner = try LearnerReader.readIdentity(resources.root.appendingPathComponent("Examples/transcript/learner.yaml"))
        let read = try CompletionRecords.read(records, learnerID: learner.id, activities: [activity.id: activity], boards: renderer.boards)
        let transcript = Transcript(learner: learner, records: read, from: nil, to: nil, issuer: "Benchmark",
                                    issueDate: CivilDate(year: 2023, month: 1, day: 1))
        let layout = try TranscriptLayout.read(resources.transcriptLayouts.appendingPathComponent("transcript.yaml"), fonts: renderer.fonts)
        let pdf = folder.appendingPathComponent("transcript.pdf")
        let pages = try TranscriptWriter(layout: layout, engine: renderer.layouter.engine).write(
            transcript, to: pdf, metadata: PDFMetadata(title: "Benchmark transcript", author: "Benchmark", subject: "",
                                                       keywords: [], creationDate: Date(timeIntervalSince1970: 1_672_531_200)))
        let seconds = Date().timeIntervalSince(started)
        let usage = BenchCommand.usage()
        print(String(format: "%d records on %d pages in %.2f s (%.3f s per 100 rows); peak RSS %.1f MiB",
                     transcript.rows.count, pages, seconds, seconds * 100 / Double(max(rows, 1)), Double(usage.peakRSS) / 1024))
    }
}

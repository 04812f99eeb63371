import ArgumentParser
import CreditIssuing
import CreditRecords
import CreditRender
import Foundation

/// `creditpress preview`: a sample certificate of every kind an activity gives, before any learner exists.
struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Render a sample certificate of every kind the activity gives (made-up learners claiming the most designated), to proofread a new activity.",
        discussion: """
            One PDF and one PNG per kind go into the output folder: physician (and one per MOC board), \
            nurse, pharmacist, pharmacy technician, PA, IPCE and participation, as the activity's \
            credits call for. The samples are unsigned, recorded nowhere, and their certificate id \
            reads SAMPLE. A kind the activity's rules refuse is listed with the reason.

            Examples:
              creditpress preview --activity Examples/asco-2018/activity.yaml --out preview/
              creditpress preview --activity activity.yaml --layout brand/certificate.yaml --out preview/
            """)

    @Option(help: "The activity file (YAML or JSON).")
    var activity: String

    @Option(name: .shortAndLong, help: "The folder to write the samples to (default: preview).")
    var out: String = "preview"

    @Option(help: "A layout name or file for every sample (default: chosen by each certificate's kind).")
    var layout: String?

    @OptionGroup var common: CommonOptions

    func run() throws {
        try Failure.reporting(closing: "no preview was written") {
            let environment = try Live.environment(resources: common.resources)
            let renderer = try CertificateRenderer(environment: environment)
            let activityRecord = try renderer.readActivity(URL(fileURLWithPath: activity), displayName: activity)
            let folder = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let moment = Self.claimMoment(for: activityRecord)
            var written = 0
            for sample in try SampleLearners.samples(for: activityRecord) {
                let certificate: PreparedCertificate
                do {
                    certificate = try renderer.prepare(activity: activityRecord, learner: sample.learner, layoutName: layout,
                                                       creationDate: moment, issue: IssueDetails(certificateID: "SAMPLE", signing: nil))
                } catch {
                    print("  \(sample.label): not rendered — \(error)")
                    continue
                }
                let pdf = folder.appendingPathComponent("\(sample.label).pdf")
                try renderer.writePDF(certificate, to: pdf)
                try PNGWriter.write(certificate.page, to: folder.appendingPathComponent("\(sample.label).png"))
                print("  \(sample.label): \(certificate.request.kind.rawValue) — \(pdf.path)")
                written += 1
            }
            renderer.rememberFontsUsed()
            print("wrote \(written) sample certificates for \(activityRecord.id) into \(folder.path)/")
        }
    }

    /// When the samples claim: the afternoon of the activity's last day, or just before the
    /// claim deadline when that comes first.
    static func claimMoment(for activity: Activity) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = activity.timeZone
        let end = DateComponents(year: activity.endDate.year, month: activity.endDate.month, day: activity.endDate.day, hour: 17)
        let moment = calendar.date(from: end) ?? Date()
        guard let deadline = activity.claimDeadline, deadline < moment else { return moment }
        return deadline.addingTimeInterval(-60)
    }
}

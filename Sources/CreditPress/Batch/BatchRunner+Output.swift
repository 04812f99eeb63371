import CSV
import Foundation

extension BatchRunner {
    /// The merged, print-ready PDF, in the chosen order, one outline entry per learner.
    func writeMerged() throws {
        let url = options.output.appendingPathComponent("merged.pdf")
        let metadata = PDFMetadata(title: "Certificates: \(activity.title)", author: activity.provider.name,
                                   subject: "\(summary.accepted) certificates, \(activity.id)",
                                   keywords: ["activity \(activity.id)"], creationDate: state.creationDate)
        let writer = try MergedPDFWriter(url: url, metadata: metadata)
        let reader = try RosterReader(url: options.roster, displayName: options.roster.relativePath)
        for row in spool.rows() {
            guard case .success(let learner) = reader.learner(from: row) else { continue }
            let certificate = try renderer.prepare(activity: activity, learner: learner, layoutName: options.layout,
                                                   creationDate: state.creationDate)
            writer.add(certificate.page, outline: "\(learner.lastName), \(learner.firstName) (\(learner.id))")
        }
        try writer.finish()
        spool.remove()
        summary.mergedPages = writer.pageCount
    }
}

/// `manifest.json`: the activity, the creation date and every certificate issued.
struct ManifestDocument: Codable {
    var activity: String
    var creationDate: String
    var certificates: [ManifestEntry]
}

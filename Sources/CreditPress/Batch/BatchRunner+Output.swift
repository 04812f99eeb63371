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

    /// `manifest.csv`, `manifest.json` and `rejects.csv`, each written whole or not at all.
    func writeReports() throws {
        manifest.sort { $0.row < $1.row }
        rejects.sort { ($0.row, $0.column) < ($1.row, $1.column) }
        let header = ["row", "learner_id", "certificate_id", "kind", "credits", "file", "sha256"]
        try writeCSV("manifest.csv", header: header, rows: manifest.map {
            ["\($0.row)", $0.learnerID, $0.certificateID, $0.kind, $0.credits, $0.file, $0.sha256]
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let json = try encoder.encode(ManifestDocument(activity: activity.id, creationDate: PDFWriter.isoDate(state.creationDate),
                                                       certificates: manifest))
        try AtomicFile.write(json, to: options.output.appendingPathComponent("manifest.json"), durable: true)
        try writeCSV("rejects.csv", header: ["row", "learner_id", "column", "reason"], rows: rejects.map {
            ["\($0.row)", $0.learnerID, $0.column, $0.reason]
        })
    }

    private func writeCSV(_ name: String, header: [String], rows: [[String]]) throws {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: header)
        for row in rows { try writer.write(row: row) }
        writer.stream.close()
        guard var data = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else { return }
        data.append(contentsOf: Array("\n".utf8))
        try AtomicFile.write(data, to: options.output.appendingPathComponent(name), durable: true)
    }
}

/// `manifest.json`: the activity, the creation date and every certificate issued.
struct ManifestDocument: Codable {
    var activity: String
    var creationDate: String
    var certificates: [ManifestEntry]
}

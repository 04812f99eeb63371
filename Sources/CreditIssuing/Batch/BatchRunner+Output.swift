import CPangoCairo
import CreditPDF
import CreditRecords
import CreditRender
import CreditTrust
import CSV
import Foundation

extension BatchRunner {
    /// The merged, print-ready PDF, in the chosen order, one outline entry per learner.
    package func writeMerged() throws {
        let url = options.output.appendingPathComponent("merged.pdf")
        let metadata = PDFMetadata(title: "Certificates: \(activity.title)", author: activity.provider.name,
                                   subject: "\(summary.accepted) certificates, \(activity.id)",
                                   keywords: ["activity \(activity.id)"], creationDate: state.creationDate)
        let writer = try MergedPDFWriter(url: url, metadata: metadata)
        let reader = try RosterReader(url: options.roster, displayName: options.roster.relativePath, encoding: options.encoding, mapping: options.mapping)
        for (row, id) in spool.rows() {
            guard case .success(let learner) = reader.learner(from: row) else { continue }
            // The printed page carries what the certificate's own file does: its id and,
            // when signed, the same QR code (read back from that file, never made anew).
            let qr = options.signing == nil ? nil : Self.qrText(in: file(for: id))
            let certificate = try renderer.prepare(activity: activity, learner: learner, layoutName: options.layout,
                                                   creationDate: state.creationDate,
                                                   issue: IssueDetails(certificateID: id, signing: nil, storedQR: qr))
            try writer.add(certificate.page, outline: "\(learner.lastName), \(learner.firstName) (\(learner.id))")
            // Give freed memory back now and then: Cairo's bookkeeping for the merged file grows
            // with every page, and what each page freed would otherwise sit between its blocks.
            if writer.pageCount % 2_000 == 0 { malloc_trim(0) }
        }
        try writer.finish()
        spool.remove()
        summary.mergedPages = writer.pageCount
    }

    /// The QR text a signed certificate's file carries in its document information.
    package static func qrText(in file: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: file.path), let index = try? PDFIndex(Array(data)),
              let info = index.info, let text = try? index.object(info) else { return nil }
        return PDFDictionary.string(PDFSigner.payloadKey, in: text)
    }
}

/// `manifest.json`: the activity, the creation date and every certificate issued.
package struct ManifestDocument: Codable {
    package var activity: String
    package var creationDate: String
    package var certificates: [ManifestEntry]
}

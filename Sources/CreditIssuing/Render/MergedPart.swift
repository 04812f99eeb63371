import CPangoCairo
import CreditRecords
import CreditRender
import Foundation

/// Part of a long batch's merged PDF, written by a drawing process of its own so that the
/// pages are drawn on every core; the batch then joins the parts (`PDFConcatenation`).
///
/// The process reads, one JSON object a line: the render pool's setup, a `Header`, then a
/// `Page` for each page in order until its input closes; it writes the part (untagged, no
/// outline: the joined file gets one) and answers with one `Answer` line.
package enum MergedPart {
    package struct Header: Codable {
        package var path: String
        package var title: String
        package var author: String
        package var subject: String
        package var keywords: [String]
    }

    package struct Page: Codable {
        package var learner: Learner
        package var id: String
        /// The QR text and modules (`VERSION:BASE64`) of a signed certificate.
        package var qr: String?
        package var modules: String?
    }

    package struct Answer: Codable {
        package var pages: Int?
        package var error: String?
    }

    /// The drawing-process side.
    package static func serve(clock: any CreditClock, actor: String, input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) {
        var answer = Answer()
        do {
            answer.pages = try writePart(clock: clock, actor: actor, lines: LineReader(descriptor: input))
        } catch {
            answer.error = Diagnostic.of(error).map(\.message).joined(separator: "; ")
        }
        let data = WorkerMessage.encode(answer)
        _ = data.withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
    }

    private static func writePart(clock: any CreditClock, actor: String, lines: LineReader) throws -> Int {
        let decoder = JSONDecoder()
        guard let first = lines.next(), let second = lines.next() else { throw RenderError(file: "", message: "no setup was given") }
        let setup = try decoder.decode(WorkerMessage.Setup.self, from: first)
        let header = try decoder.decode(Header.self, from: second)
        let worker = try RenderWorker(setup: setup, clock: clock, actor: actor)
        let (renderer, activity, date) = (worker.renderer, worker.activity, worker.creationDate)
        let metadata = PDFMetadata(title: header.title, author: header.author, subject: header.subject,
                                   keywords: header.keywords, creationDate: date)
        // Written in place: the batch moves nothing into place until every part is joined.
        let writer = try MergedPDFWriter(url: URL(fileURLWithPath: header.path), metadata: metadata)
        while let line = lines.next() {
            let page = try decoder.decode(Page.self, from: line)
            var issue = IssueDetails(certificateID: page.id, signing: nil, storedQR: page.qr)
            issue.storedMatrix = page.modules.flatMap(RowSpool.modules)
            let certificate = try renderer.prepare(activity: activity, learner: page.learner, layoutName: setup.layout,
                                                   creationDate: date, issue: issue)
            try writer.add(certificate.page, outline: nil)
            if writer.pageCount % 2_000 == 0 { malloc_trim(0) }
        }
        try writer.finish(durable: false)
        return writer.pageCount
    }
}

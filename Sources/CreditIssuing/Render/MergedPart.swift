import CPangoCairo
import CreditLayout
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

/// The merged PDF's pages as a batch's drawing process draws its certificates: each
/// certificate's page drawn a second time, from the frame just laid out for its own file,
/// into parts of at most `partPages` pages. The batch joins the parts in its own order
/// (`PDFConcatenation`), so the merged PDF needs no second layout of any page; a page this
/// process could not add is drawn by the batch's merged pass instead.
package final class MergedPages {
    /// What the drawing process is told: where the parts go and what they hold at most.
    package struct Setup: Codable {
        package var folder: String
        package var partPages: Int

        package init(folder: String, partPages: Int) {
            (self.folder, self.partPages) = (folder, partPages)
        }
    }

    /// Where a certificate's page went: a part's file and the page's place in it, from 0.
    package struct Place: Codable, Sendable, Equatable {
        package var part: String
        package var index: Int

        package init(part: String, index: Int) {
            (self.part, self.index) = (part, index)
        }
    }

    /// A part's file, in the batch's folder, is a temporary file for this name
    /// (`.merged.pdf.drawn.PID.N.tmp`): the batch removes it once joined, its next run if not.
    package static let partName = "merged.pdf.drawn"

    /// Whether a file's name is a part's, or that of a part being written (its own
    /// temporary file, `..merged.pdf.drawn.PID.N.tmp.PID.M.tmp`).
    package static func isPart(_ name: String) -> Bool {
        name.hasSuffix(".tmp") && name.first == "." && name.drop { $0 == "." }.hasPrefix("\(partName).")
    }

    private let setup: Setup
    private let metadata: PDFMetadata
    private var writer: MergedPDFWriter?
    /// The parts completed, with their number of pages.
    package private(set) var finished: [String: Int] = [:]
    /// The CPU time spent adding pages and completing parts, in seconds (for the benchmark).
    package private(set) var seconds: Double = 0
    /// Set when a part could not be written: no page is added after it.
    private var failed = false

    package init(setup: Setup, creationDate: Date) {
        self.setup = setup
        // The joined file's information is the batch's: the parts' own is never shown.
        metadata = PDFMetadata(title: "", author: "", subject: "", keywords: [], creationDate: creationDate)
    }

    /// Adds a certificate's page; nil when it could not be (it is then drawn again later).
    package func add(_ page: PageFrame) -> Place? {
        guard !failed else { return nil }
        let started = Self.threadTime()
        defer { seconds += Self.threadTime() - started }
        do {
            let writer = try self.writer ?? MergedPDFWriter(
                url: AtomicFile.temporaryURL(for: URL(fileURLWithPath: setup.folder).appendingPathComponent(Self.partName)),
                metadata: metadata)
            self.writer = writer
            try writer.add(page, outline: nil)
            let place = Place(part: writer.url.path, index: writer.pageCount - 1)
            if writer.pageCount % 2_000 == 0 { malloc_trim(0) }
            if writer.pageCount >= max(1, setup.partPages) { try finish() }
            return place
        } catch {
            // The part is given up (its file removed with its writer); the certificates are not.
            failed = true
            writer = nil
            return nil
        }
    }

    /// Completes the part being written, if any.
    package func finish() throws {
        guard let writer else { return }
        let started = Self.threadTime()
        defer { seconds += Self.threadTime() - started }
        self.writer = nil
        try writer.finish(durable: false)
        finished[writer.url.path] = writer.pageCount
    }

    /// The calling thread's CPU time in seconds.
    private static func threadTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

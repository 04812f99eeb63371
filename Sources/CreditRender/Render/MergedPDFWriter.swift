import CPangoCairo
import CreditLayout
import CreditRecords
import Foundation

/// One print-ready PDF of many certificates, written page by page with an outline entry
/// for each. Paragraphs and images that repeat are stored once and painted on each page.
///
/// Belongs to one thread. Nothing appears under the final name until `finish()`.
public final class MergedPDFWriter {
    public let url: URL
    private let temporary: URL
    private let stream: CairoFileStream
    private let surface: OpaquePointer
    private let cairo: OpaquePointer
    private let shared = SharedDrawings()
    public private(set) var pageCount = 0
    private var finished = false
    /// Whether pages carry PDF structure. A print run leaves it out: it would more than
    /// double the size of every page.
    private let tagged: Bool

    public init(url: URL, metadata: PDFMetadata, tagged: Bool = false) throws(RenderError) {
        self.url = url
        self.tagged = tagged
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        temporary = AtomicFile.temporaryURL(for: url)
        stream = try CairoFileStream(url: temporary, reportAs: url.path)
        guard let surface = stream.surface(width: 612, height: 792), let cairo = cairo_create(surface),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            unlink(temporary.path)
            throw RenderError(file: url.path, message: "Cairo could not create the PDF")
        }
        self.surface = surface
        self.cairo = cairo
        PDFWriter.setMetadata(metadata, on: surface)
    }

    deinit {
        cairo_destroy(cairo)
        cairo_surface_destroy(surface)
        if !finished { unlink(temporary.path) }
    }

    /// Adds a page, with `outline` as its entry in the document outline (none when nil).
    public func add(_ page: PageFrame, outline: String?) throws(RenderError) {
        if let failure = stream.failure { throw failure }
        try page.loadArtwork(reportAs: url.path)
        FontAccess.serialized { addSerialized(page, outline: outline) }
    }

    private func addSerialized(_ page: PageFrame, outline: String?) {
        pageCount += 1
        cairo_pdf_surface_set_size(surface, page.width, page.height)
        FrameDrawing.draw(page, on: cairo, shared: shared, tagged: tagged)
        if let outline {
            cairo_pdf_surface_add_outline(surface, Int32(CAIRO_PDF_OUTLINE_ROOT), outline, "page=\(pageCount)",
                                          cairo_pdf_outline_flags_t(rawValue: 0))
        }
        cairo_show_page(cairo)
    }

    /// Completes the file, flushes it to the disk (unless not `durable`: a part to be
    /// joined into another file) and moves it into place.
    public func finish(durable: Bool = true) throws(RenderError) {
        if let failure = stream.failure { throw failure }
        let drawing = cairo_status(cairo)
        guard drawing == CAIRO_STATUS_SUCCESS else {
            throw RenderError(file: url.path, message: "a page could not be drawn: \(String(cString: cairo_status_to_string(drawing)))")
        }
        FontAccess.serialized { cairo_surface_finish(surface) }
        let status = cairo_surface_status(surface)
        try stream.finish(durable: durable)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError(file: url.path, message: "the PDF could not be written: \(String(cString: cairo_status_to_string(status)))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            throw RenderError(file: url.path, "cannot move the finished file into place", .current(path: url.path))
        }
        finished = true
    }
}

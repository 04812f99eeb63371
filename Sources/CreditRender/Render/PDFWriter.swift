import CPangoCairo
import CreditLayout
import CreditRecords
import Foundation

/// What the PDF's document information says about it.
public struct PDFMetadata: Sendable {
    public var title: String
    public var author: String
    public var subject: String
    public var keywords: [String]
    public var creator: String = "CreditPress"
    /// Fixed for reproducible output; the same inputs and date give the same bytes.
    public var creationDate: Date

    public init(title: String, author: String, subject: String, keywords: [String], creationDate: Date) {
        self.title = title
        self.author = author
        self.subject = subject
        self.keywords = keywords
        self.creationDate = creationDate
    }
}

/// Writes laid-out pages to a PDF through Cairo, atomically.
public enum PDFWriter {
    /// Writes `pages` to `url`; the file appears only once it is complete.
    public static func write(_ pages: [PageFrame], metadata: PDFMetadata, to url: URL) throws(RenderError) {
        try AtomicFile.write(to: url) { temporary throws(RenderError) in
            try FontAccess.serialized { () throws(RenderError) in
                try render(pages, metadata: metadata, to: temporary, reportAs: url)
            }
        }
    }

    /// The PDF of `pages` in memory, for callers that hash it before writing it. With
    /// `omittingPrepared`, images and activity-wide paragraphs are left out (their tags empty)
    /// for `PreparedForm.place`.
    public static func data(_ pages: [PageFrame], metadata: PDFMetadata,
                            omittingPrepared: Bool = false) throws(RenderError) -> Data {
        let first = pages.first ?? PageFrame(width: 612, height: 792, items: [])
        if !omittingPrepared {
            for page in pages { try page.loadArtwork(reportAs: metadata.title) }
        }
        return try document(size: (first.width, first.height), reportAs: "(memory)") { surface, cairo in
            setMetadata(metadata, on: surface)
            for page in pages {
                cairo_pdf_surface_set_size(surface, page.width, page.height)
                FrameDrawing.draw(page, on: cairo, tagged: true, omittingPrepared: omittingPrepared)
                cairo_show_page(cairo)
            }
        }
    }

    /// A one-page PDF in memory of what `draw` draws on a page of `size`.
    package static func data(size: (width: Double, height: Double), reportAs name: String,
                     draw: (OpaquePointer) -> Void) throws(RenderError) -> Data {
        try document(size: size, reportAs: name) { _, cairo in
            draw(cairo)
            cairo_show_page(cairo)
        }
    }

    /// A PDF in memory: `draw` gets the surface and a context for it; whatever Cairo reports
    /// afterwards is thrown.
    private static func document(size: (width: Double, height: Double), reportAs name: String,
                                 draw: (OpaquePointer, OpaquePointer) -> Void) throws(RenderError) -> Data {
        let sink = PDFSink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        guard let surface = cairo_pdf_surface_create_for_stream({ closure, bytes, length in
            guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
            Unmanaged<PDFSink>.fromOpaque(closure).takeUnretainedValue().append(bytes, count: Int(length))
            return CAIRO_STATUS_SUCCESS
        }, box.toOpaque(), size.width, size.height) else {
            throw RenderError(file: name, message: "Cairo could not create the PDF")
        }
        defer { cairo_surface_destroy(surface) }
        try FontAccess.serialized { () throws(RenderError) in
            guard let cairo = cairo_create(surface) else {
                throw RenderError(file: name, message: "Cairo could not draw on the PDF")
            }
            draw(surface, cairo)
            try finish(surface, cairo, reportAs: name)
        }
        return sink.data()
    }

    private static func render(_ pages: [PageFrame], metadata: PDFMetadata, to file: URL,
                               reportAs url: URL) throws(RenderError) {
        for page in pages { try page.loadArtwork(reportAs: url.path) }
        let first = pages.first ?? PageFrame(width: 612, height: 792, items: [])
        let stream = try CairoFileStream(url: file, reportAs: url.path)
        guard let surface = stream.surface(width: first.width, height: first.height) else {
            throw RenderError(file: url.path, message: "Cairo could not create the PDF")
        }
        do throws(RenderError) {
            try draw(pages, metadata: metadata, on: surface, reportAs: url.path)
        } catch {
            cairo_surface_destroy(surface)
            throw stream.failure ?? error
        }
        cairo_surface_destroy(surface)
        try stream.finish(durable: false)
    }

    private static func draw(_ pages: [PageFrame], metadata: PDFMetadata, on surface: OpaquePointer,
                             reportAs name: String) throws(RenderError) {
        setMetadata(metadata, on: surface)
        guard let cairo = cairo_create(surface) else {
            throw RenderError(file: name, message: "Cairo could not draw on the PDF")
        }
        for page in pages {
            cairo_pdf_surface_set_size(surface, page.width, page.height)
            FrameDrawing.draw(page, on: cairo, tagged: true)
            cairo_show_page(cairo)
        }
        try finish(surface, cairo, reportAs: name)
    }

    /// Releases `cairo` and completes the surface, throwing what either reports.
    private static func finish(_ surface: OpaquePointer, _ cairo: OpaquePointer, reportAs name: String) throws(RenderError) {
        // A font that failed to load leaves its error on the context, not on the surface,
        // and the text simply missing from the page.
        let drawing = cairo_status(cairo)
        cairo_destroy(cairo)
        guard drawing == CAIRO_STATUS_SUCCESS else {
            throw RenderError(file: name, message: "the page could not be drawn: \(String(cString: cairo_status_to_string(drawing)))")
        }
        // Cairo reports write errors through the surface status, not through return values.
        cairo_surface_finish(surface)
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            throw RenderError(file: name, message: "the PDF could not be written: \(String(cString: cairo_status_to_string(status)))")
        }
    }

    package static func setMetadata(_ metadata: PDFMetadata, on surface: OpaquePointer) {
        let date = ISODate.string(metadata.creationDate)
        let fields: [(cairo_pdf_metadata_t, String)] = [
            (CAIRO_PDF_METADATA_TITLE, metadata.title),
            (CAIRO_PDF_METADATA_AUTHOR, metadata.author),
            (CAIRO_PDF_METADATA_SUBJECT, metadata.subject),
            (CAIRO_PDF_METADATA_KEYWORDS, metadata.keywords.joined(separator: ", ")),
            (CAIRO_PDF_METADATA_CREATOR, metadata.creator),
            (CAIRO_PDF_METADATA_CREATE_DATE, date),
            (CAIRO_PDF_METADATA_MOD_DATE, date),
        ]
        for (key, value) in fields where !value.isEmpty {
            cairo_pdf_surface_set_metadata(surface, key, value)
        }
    }
}

/// Collects the bytes Cairo writes to a stream. Cairo writes a PDF in some thousand small
/// pieces, so they go into one buffer grown by doubling, not through `Data`'s appends.
package final class PDFSink {
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var count = 0

    package init(capacity: Int = 64 << 10) {
        self.capacity = capacity
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    package func append(_ bytes: UnsafePointer<UInt8>, count length: Int) {
        if count + length > capacity {
            var grown = capacity * 2
            while count + length > grown { grown *= 2 }
            let larger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 16)
            larger.copyMemory(from: buffer, byteCount: count)
            buffer.deallocate()
            buffer = larger
            capacity = grown
        }
        (buffer + count).copyMemory(from: bytes, byteCount: length)
        count += length
    }

    /// What was written so far.
    package func data() -> Data { Data(bytes: buffer, count: count) }
}

import CPangoCairo
import Foundation

/// Logos and signatures as prepared forms (see `PreparedForm`).
enum PDFArtwork {
    /// Draws `image` alone on a page of its own size and turns that page into a form: its
    /// content stream (still compressed) under a `/Matrix` that undoes the flip Cairo puts
    /// at the start of every page, and its resources.
    static func form(_ image: RasterImage) throws(FormPlacementError) -> PreparedForm {
        let (width, height) = (image.pixelWidth, image.pixelHeight)
        do {
            let page = try PDFWriter.data(size: (Double(width), Double(height)), reportAs: "(artwork)") { cairo in
                cairo_set_source_surface(cairo, image.surface, 0, 0)
                cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_GOOD)
                cairo_paint(cairo)
            }
            let source = try PDFIndex(Array(page))
            let pageText = try source.object(source.firstPage())
            guard let contents = PDFDictionary.reference("Contents", in: pageText) else {
                throw PDFStructureError("the artwork page has no single content stream")
            }
            let (streamDictionary, data) = try source.stream(contents)
            let resources = PDFDictionary.reference("Resources", in: pageText).map { "\($0) 0 R" }
                ?? PDFLexer.subdictionary("Resources", in: pageText) ?? "<< >>"
            var form = """
                << /Type /XObject
                   /Subtype /Form
                   /BBox [ 0 0 \(width) \(height) ]
                   /Matrix [ 1 0 0 -1 0 \(height) ]
                   /Resources \(resources)
                """
            if let group = PDFLexer.subdictionary("Group", in: pageText) { form += "\n   /Group \(group)" }
            if let filter = PDFDictionary.name("Filter", in: streamDictionary) { form += "\n   /Filter /\(filter)" }
            form += "\n   /Length \(data.count)\n>>"
            let objects = try PDFObjectSet(roots: [.written(dictionary: form, stream: data)], from: source)
            return PreparedForm(objects: objects, root: 0)
        } catch {
            throw FormPlacementError("the artwork could not be prepared: \(error)")
        }
    }
}

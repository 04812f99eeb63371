import CPangoCairo
import Foundation

/// Paragraphs that are the same on every certificate of an activity — its title, the
/// accreditation statement, the signatory — as prepared forms (see `PreparedForm`). The
/// paragraphs one page shows are drawn together, so their forms share one set of font
/// subsets, and kept for the next certificate that shows the same ones.
///
/// Belongs to one renderer (one thread).
final class PreparedTexts {
    /// The paragraphs by identity (each shaped paragraph is one object in the layouter's
    /// cache) and the widths they are set in.
    private struct Key: Hashable {
        let paragraphs: [ObjectIdentifier]
        let widths: [Double]
    }

    /// The forms, and the paragraphs themselves: holding them keeps their identities from
    /// being given to other paragraphs.
    private var sets: [Key: (paragraphs: [ShapedText], forms: [PreparedForm])] = [:]

    /// The forms of `texts`, in their order; made on first use.
    func forms(for texts: [PageFrame.PlacedText]) throws(FormPlacementError) -> [PreparedForm] {
        guard !texts.isEmpty else { return [] }
        let key = Key(paragraphs: texts.map { ObjectIdentifier($0.shaped) }, widths: texts.map(\.width))
        if let set = sets[key] { return set.forms }
        let forms = try Self.make(texts)
        // A roster of many layouts and kinds could make many sets; start afresh past a few hundred.
        if sets.count >= 256 { sets.removeAll() }
        sets[key] = (texts.map(\.shaped), forms)
        return forms
    }

    private static func make(_ texts: [PageFrame.PlacedText]) throws(FormPlacementError) -> [PreparedForm] {
        do {
            let page = try PDFWriter.data(size: (612, 792), reportAs: "(prepared text)") { cairo in
                for text in texts {
                    var extents = extents(of: text)
                    guard let surface = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents) else { continue }
                    if let recorder = cairo_create(surface) {
                        var origin = text
                        origin.x = 0
                        origin.y = 0
                        FrameDrawing.draw(origin, on: recorder)
                        cairo_destroy(recorder)
                    }
                    cairo_set_source_surface(cairo, surface, 0, 0)
                    cairo_paint(cairo)
                    cairo_surface_destroy(surface)
                }
            }
            let source = try PDFIndex(Array(page))
            let painted = try PreparedForm.paintedForms(in: source)
            guard painted.count == texts.count else {
                throw PDFStructureError("\(painted.count) forms for \(texts.count) paragraphs")
            }
            let objects = try PDFObjectSet(roots: painted.map { .object($0) }, from: source)
            return painted.indices.map { PreparedForm(objects: objects, root: $0) }
        } catch {
            throw FormPlacementError("the paragraphs could not be prepared: \(error)")
        }
    }

    /// The box a paragraph is drawn in, around its origin: its width and height with room
    /// on every side for glyphs that reach past the layout's lines (italics, accents).
    static func extents(of text: PageFrame.PlacedText) -> cairo_rectangle_t {
        let room = (2 * text.shaped.fontSize).rounded(.up)
        return cairo_rectangle_t(x: -room, y: -room, width: (text.width + 2 * room).rounded(.up),
                                 height: (text.height + 2 * room).rounded(.up))
    }
}

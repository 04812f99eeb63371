import CPangoCairo
import Foundation

/// An image made into PDF objects once — a form XObject and what it uses — that every
/// certificate's file copies. Cairo would otherwise write, and compress, the same logo and
/// signature again for each of thousands of files: most of the work of drawing one.
///
/// A certificate is drawn with a small placeholder form where each image goes; `place`
/// then puts each image's objects in its placeholder's stead, under the placeholder's object
/// number, so the page, its tags and its figures' alternative text stay as Cairo wrote them.
final class PDFArtwork: Sendable {
    let objects: PDFObjectSet
    /// The placeholder's size, which Cairo writes as the form's `/BBox`.
    let width: Int
    let height: Int

    /// Draws `image` alone on a page of its own size and turns that page into a form: its
    /// content stream (still compressed) under a `/Matrix` that undoes the flip Cairo puts
    /// at the start of every page, and its resources.
    init(_ image: RasterImage) throws(ArtworkPlacementError) {
        width = image.pixelWidth
        height = image.pixelHeight
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
            objects = try PDFObjectSet(root: form, stream: data, from: source)
        } catch {
            throw ArtworkPlacementError("the artwork could not be prepared: \(error)")
        }
    }

    /// Puts `artwork[i]` in place of the `i`-th form the first page paints (nil: leave that
    /// one, a QR code's form). Refuses, changing nothing, unless the page paints exactly that
    /// many forms and each one to replace is a placeholder of the artwork's size.
    static func place(_ artwork: [PDFArtwork?], in update: inout PDFUpdate) throws(ArtworkPlacementError) {
        guard artwork.contains(where: { $0 != nil }) else { return }
        do {
            let base = update.base
            let pageText = try base.object(base.firstPage())
            guard let contents = PDFDictionary.reference("Contents", in: pageText) else {
                throw ArtworkPlacementError("the page has no single content stream")
            }
            let resources = try PDFDictionary.reference("Resources", in: pageText).map { try base.object($0) }
                ?? PDFLexer.subdictionary("Resources", in: pageText) ?? ""
            let forms = PDFLexer.subdictionary("XObject", in: resources).map(PDFLexer.namedReferences) ?? [:]
            let (dictionary, data) = try base.stream(contents)
            guard PDFDictionary.name("Filter", in: dictionary) == "FlateDecode",
                  let content = Zlib.inflate(Array(data)) else {
                throw ArtworkPlacementError("the page's content stream could not be read")
            }
            let painted = PDFLexer.paintedXObjects(in: content)
            guard painted.count == artwork.count else {
                throw ArtworkPlacementError("the page paints \(painted.count) forms where \(artwork.count) were drawn")
            }
            var replacements: [(Int, PDFArtwork)] = []
            for (name, artwork) in zip(painted, artwork) {
                guard let artwork else { continue }
                guard let number = forms[name], try isPlaceholder(number, in: base, for: artwork) else {
                    throw ArtworkPlacementError("form \(name) is not the placeholder drawn for an image")
                }
                replacements.append((number, artwork))
            }
            for (number, artwork) in replacements {
                var numbers = [number]
                for _ in 1..<artwork.objects.objects.count { numbers.append(update.reserve()) }
                for (objectNumber, body) in zip(numbers, artwork.objects.bodies(numbered: numbers)) {
                    update.set(objectNumber, to: body)
                }
            }
        } catch let error as ArtworkPlacementError {
            throw error
        } catch {
            throw ArtworkPlacementError("\(error)")
        }
    }

    /// Whether form `number` is a placeholder of the artwork's size: a form with that
    /// `/BBox` whose content is the placeholder's marker square.
    private static func isPlaceholder(_ number: Int, in base: PDFIndex, for artwork: PDFArtwork) throws(PDFStructureError) -> Bool {
        let (text, data) = try base.stream(number)
        guard PDFDictionary.name("Subtype", in: text) == "Form", let box = PDFDictionary.value("BBox", in: text),
              let close = box.firstIndex(of: "]") else { return false }
        let numbers = box.dropFirst().prefix(upTo: close).split(separator: " ").compactMap { Double($0) }
        guard numbers == [0, 0, Double(artwork.width), Double(artwork.height)] else { return false }
        let content = PDFDictionary.name("Filter", in: text) == "FlateDecode" ? Zlib.inflate(Array(data)) : Array(data)
        return content.map { String(decoding: $0, as: UTF8.self).contains(Self.marker) } ?? false
    }

    /// The size of the placeholder's square, as Cairo writes it: numbers no artwork is
    /// likely to start with at its origin.
    private static let marker = "0 0 0.125 0.375 re"

    /// The stand-in drawn where `image` goes: a form of the image's size whose content is
    /// one tiny square, which tells it from any other form (and a form with nothing in it
    /// would not be written at all).
    static func placeholder(for image: RasterImage) -> OpaquePointer? {
        var extents = cairo_rectangle_t(x: 0, y: 0, width: Double(image.pixelWidth), height: Double(image.pixelHeight))
        guard let surface = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents) else { return nil }
        if let cairo = cairo_create(surface) {
            cairo_rectangle(cairo, 0, 0, 0.125, 0.375)
            cairo_fill(cairo)
            cairo_destroy(cairo)
        }
        return surface
    }
}

/// Why an image could not be copied in as prepared PDF objects; the certificate is then
/// drawn with the image in place instead.
struct ArtworkPlacementError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

import CPangoCairo
import CreditLayout
import CreditPDF
import Foundation

/// What a page shows the same on every certificate of an activity — its logo and signature,
/// its title, the accreditation statement — as prepared forms (see `PreparedForm`). The
/// items of one page are drawn together into one PDF, so their forms share one set of font
/// subsets, and are kept for the next certificate that shows the same ones.
///
/// A set not yet drawn in this process is looked for on disk first (`DrawingCache`): a
/// learner's certificate in a new process copies it instead of drawing it again.
///
/// Belongs to one renderer (one thread).
package final class PreparedDrawings {
    private let disk: DrawingCache?
    private let fonts: FontLibrary
    /// How many sets this process has drawn (rather than found); for tests.
    package private(set) var drawnCount = 0

    package init(disk: DrawingCache?, fonts: FontLibrary) {
        self.disk = disk
        self.fonts = fonts
    }

    /// The items by identity (each image and each shaped paragraph is one object in the
    /// renderer's caches) and the sizes they are drawn at.
    private struct Key: Hashable {
        let items: [ObjectIdentifier]
        let sizes: [Double]
    }

    /// The forms (or why they could not be made, so that a page is not tried again for every
    /// certificate), and the items themselves: holding them keeps their identities from
    /// being given to other objects.
    private var sets: [Key: (items: [AnyObject], forms: Result<[PreparedForm], FormPlacementError>)] = [:]

    /// The forms of `items`, in their order; made on first use.
    package func forms(for items: [PageFrame.PreparedItem]) throws(FormPlacementError) -> [PreparedForm] {
        guard !items.isEmpty else { return [] }
        let owners = items.map(\.owner)
        let key = Key(items: owners.map(ObjectIdentifier.init), sizes: items.map(\.width))
        if let set = sets[key] { return try set.forms.get() }
        let forms: Result<[PreparedForm], FormPlacementError>
        do throws(FormPlacementError) { forms = .success(try make(items)) } catch { forms = .failure(error) }
        // A roster of many layouts and kinds could make many sets; start afresh past a few hundred.
        if sets.count >= 256 { sets.removeAll() }
        sets[key] = (owners, forms)
        return try forms.get()
    }

    /// The forms of `items` from the disk cache, or drawn (and then kept there).
    private func make(_ items: [PageFrame.PreparedItem]) throws(FormPlacementError) -> [PreparedForm] {
        let key = disk.map { _ in DrawingCache.key(for: items.map(\.recipe), fonts: [fonts.directory] + fonts.addedDirectories) }
        if let disk, let key, let page = disk.read(key), let forms = try? Self.forms(in: page, count: items.count) {
            return forms
        }
        drawnCount += 1
        let page = try Self.draw(items)
        let forms = try Self.forms(in: page, count: items.count)
        if let disk, let key { disk.write(page, for: key) }
        return forms
    }

    /// Draws each item into a recording surface of its own and paints them all on one page:
    /// Cairo writes each recording as a form XObject, all of them using the page's fonts.
    private static func draw(_ items: [PageFrame.PreparedItem]) throws(FormPlacementError) -> [UInt8] {
        do {
            for case .image(let placed) in items { try placed.image.load() }
            return Array(try PDFWriter.data(size: (612, 792), reportAs: "(prepared drawings)") { cairo in
                for item in items {
                    guard let surface = FrameDrawing.recording(extents: extents(of: item), { draw(item, on: $0) }) else { continue }
                    cairo_set_source_surface(cairo, surface, 0, 0)
                    cairo_paint(cairo)
                    cairo_surface_destroy(surface)
                }
            })
        } catch {
            throw FormPlacementError("the drawings could not be prepared: \(error)")
        }
    }

    /// The forms painted on `page`, which must be `count`.
    private static func forms(in page: [UInt8], count: Int) throws(FormPlacementError) -> [PreparedForm] {
        do {
            let source = try PDFIndex(page)
            let painted = try PreparedForm.paintedForms(in: source)
            guard painted.count == count else {
                throw PDFStructureError("\(painted.count) forms for \(count) drawings")
            }
            let objects = try PDFObjectSet(roots: painted.map { .object($0) }, from: source)
            return painted.indices.map { PreparedForm(objects: objects, root: $0) }
        } catch {
            throw FormPlacementError("the drawings could not be prepared: \(error)")
        }
    }

    /// An item at its own origin: an image at its natural size, a paragraph at the top left
    /// of its block.
    private static func draw(_ item: PageFrame.PreparedItem, on cairo: OpaquePointer) {
        switch item {
        case .image(let placed):
            cairo_set_source_surface(cairo, placed.image.surface, 0, 0)
            cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_GOOD)
            cairo_paint(cairo)
        case .text(var placed):
            placed.x = 0
            placed.y = 0
            FrameDrawing.draw(placed, on: cairo)
        }
    }

    /// The box an item is drawn in, around its origin: an image's own size; a paragraph's
    /// width and height with room on every side for glyphs that reach past the layout's
    /// lines (italics, accents).
    private static func extents(of item: PageFrame.PreparedItem) -> cairo_rectangle_t {
        switch item {
        case .image(let placed):
            return cairo_rectangle_t(x: 0, y: 0, width: Double(placed.image.pixelWidth), height: Double(placed.image.pixelHeight))
        case .text(let text):
            let room = (2 * text.shaped.fontSize).rounded(.up)
            return cairo_rectangle_t(x: -room, y: -room, width: (text.width + 2 * room).rounded(.up),
                                     height: (text.height + 2 * room).rounded(.up))
        }
    }
}

extension PageFrame.PreparedItem {
    /// The cached object the item draws.
    package var owner: AnyObject {
        switch self {
        case .image(let placed): placed.image
        case .text(let placed): placed.shaped
        }
    }

    /// The width it is drawn at: an image's on the page, a paragraph's block.
    package var width: Double {
        switch self {
        case .image(let placed): placed.width
        case .text(let placed): placed.width
        }
    }

    /// Everything its drawing depends on besides the fonts and the program: the image's
    /// file and size, or the paragraph's recipe and box.
    package var recipe: String {
        switch self {
        case .image(let placed):
            "image \(placed.image.digest) \(placed.image.pixelWidth)x\(placed.image.pixelHeight)"
        case .text(let placed):
            "text \(placed.shaped.recipe) \(placed.width) \(placed.height) \(placed.shaped.fontSize) \(placed.shaped.width) \(placed.shaped.height)"
        }
    }

    /// Where the item's form goes: the matrix from its own space to the page's.
    package var matrix: [Double] {
        switch self {
        case .image(let placed):
            [placed.width / Double(placed.image.pixelWidth), 0, 0, placed.height / Double(placed.image.pixelHeight), placed.x, placed.y]
        case .text(let placed):
            [1, 0, 0, 1, placed.x, placed.y]
        }
    }
}

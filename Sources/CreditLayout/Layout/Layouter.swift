import CreditStatements
import Foundation

/// Fills a layout's templates with a certificate's values and places everything on the page.
public struct Layouter {
    public let engine: TextEngine
    public let images: ImageCache
    private let shapes = ShapeCache()
    private let markups = MarkupCache()

    public init(engine: TextEngine, images: ImageCache = ImageCache()) {
        self.engine = engine
        self.images = images
    }

    /// Lays out one page of `spec`. `imageSources` names the activity's images
    /// (`logo`, `signature`); other image sources are paths relative to the layout file.
    /// `qr` goes into the layout's QR square, if it has one.
    public func layout(_ spec: LayoutSpec, values: [String: Any],
                       imageSources: [String: URL] = [:], qr: QRMatrix? = nil) throws(LayoutError) -> PageFrame {
        try FontAccess.serialized { () throws(LayoutError) -> PageFrame in
            try layoutSerialized(spec, values: values, imageSources: imageSources, qr: qr)
        }
    }

    private func layoutSerialized(_ spec: LayoutSpec, values: [String: Any],
                                  imageSources: [String: URL], qr: QRMatrix?) throws(LayoutError) -> PageFrame {
        var frame = PageFrame(width: spec.pageWidth, height: spec.pageHeight, items: [])
        for line in spec.frames {
            frame.items.append(.stroke(.init(
                shape: .rectangle(x: line.inset, y: line.inset, width: spec.pageWidth - 2 * line.inset,
                                  height: spec.pageHeight - 2 * line.inset),
                width: line.width, color: line.color)))
        }
        // Images go here in the drawing order, but are placed after the text: an image
        // loading on a thread of its own (`ImageCache.preload`) has that long to get ready.
        let imagesAt = frame.items.count
        if let slot = spec.qr, let qr {
            frame.items.append(.qr(.init(x: slot.x, y: slot.y, size: slot.size, matrix: qr, alt: slot.alt, drawing: slot.drawing)))
        }
        var bottoms: [String: Double] = [:]
        var placedTexts: [PageFrame.PlacedText] = []
        for block in spec.blocks {
            let top = try top(of: block, spec: spec, bottoms: bottoms, height: nil)
            guard let shaped = try shape(block, spec: spec, values: values) else {
                bottoms[block.id] = top.anchor
                continue
            }
            let y = try self.top(of: block, spec: spec, bottoms: bottoms, height: shaped.height).y
            var placed = PageFrame.PlacedText(id: block.id, x: block.x, y: y, width: block.width, shaped: shaped)
            placed.isActivityText = block.isActivityWide
            bottoms[block.id] = placed.bottom
            placedTexts.append(placed)
            frame.items.append(.text(placed))
        }
        var images: [PageFrame.Item] = []
        for slot in spec.images {
            guard let placed = try place(slot, spec: spec, sources: imageSources) else { continue }
            images.append(.image(placed))
            // The activity's logo and signature are content: text drawn over them is a
            // block grown too long (a layout's own artwork may lie under text by design).
            guard ["logo", "signature"].contains(slot.source) else { continue }
            for text in placedTexts where text.x < placed.x + placed.width && placed.x < text.x + text.width
                && text.y < placed.y + placed.height - 0.5 && placed.y < text.bottom - 0.5 {
                throw LayoutError(file: spec.file, block: text.id,
                                  message: "runs into the \(slot.source) (\(Int(text.y))–\(Int(text.bottom)) pt against \(Int(placed.y))–\(Int(placed.y + placed.height)) pt); the text is too long for this layout")
            }
        }
        frame.items.insert(contentsOf: images, at: imagesAt)
        for rule in spec.rules where rule.with.map({ id in placedTexts.contains { $0.id == id } }) ?? true {
            frame.items.append(.stroke(.init(shape: .line(x1: rule.x1, y1: rule.y1, x2: rule.x2, y2: rule.y2),
                                             width: rule.width, color: rule.color)))
        }
        try checkOverlaps(placedTexts, spec: spec)
        if qr != nil, let slot = spec.qr {
            for text in placedTexts where text.x < slot.x + slot.size && slot.x < text.x + text.width
                && text.y < slot.y + slot.size - 0.5 && slot.y < text.bottom - 0.5 {
                throw LayoutError(file: spec.file, block: text.id,
                                  message: "runs into the QR code (\(Int(text.y))–\(Int(text.bottom)) pt against \(Int(slot.y))–\(Int(slot.y + slot.size)) pt); the text is too long for this layout, or move the qr box")
            }
        }
        return frame
    }

    /// The block's top edge, and where it would sit with no height (for a block left out).
    private func top(of block: LayoutSpec.TextBlock, spec: LayoutSpec, bottoms: [String: Double],
                     height: Double?) throws(LayoutError) -> (y: Double, anchor: Double) {
        switch block.placement {
        case .top(let top):
            return (top, top)
        case .bottom(let bottom):
            let edge = spec.pageHeight - bottom
            return (edge - (height ?? 0), edge)
        case .below(let other, let gap):
            guard let above = bottoms[other] else {
                throw LayoutError(file: spec.file, block: block.id, message: "is placed below '\(other)', which comes later")
            }
            return (above + gap, above)
        }
    }

    /// Fills and shapes a block, shrinking it to fit; nil for an optional block with no text.
    private func shape(_ block: LayoutSpec.TextBlock, spec: LayoutSpec,
                       values: [String: Any]) throws(LayoutError) -> ShapedText? {
        func fail(_ message: String) -> LayoutError { LayoutError(file: spec.file, block: block.id, message: message) }
        // A block renders the same markup for the same values: most blocks (statements, the
        // activity's texts) have the same values on every certificate of a batch.
        let renderKey = block.renderPaths.flatMap { TemplateNames.renderKey(paths: $0, in: values) }
            .map { "\(spec.file)\u{0}\(block.id)\u{0}\(block.source)\u{0}\($0)" }
        let markup: String
        if let renderKey, let known = markups[renderKey] {
            markup = known
        } else {
            let missing = TemplateNames.undefined(in: block.source, context: values)
            guard missing.isEmpty else {
                throw fail("refers to \(missing.map { "{{\($0)}}" }.joined(separator: ", ")), which is not a certificate value")
            }
            markup = block.template.render(values).trimmed
            if let renderKey { markups[renderKey] = markup }
        }
        if markup.isEmpty && block.optional { return nil }
        let key = "\(spec.file)\u{0}\(block.id)\u{0}\(markup)"
        if let cached = shapes[key] {
            cached.uses += 1
            return cached
        }
        let shaped = try shapeAnew(markup, block: block, spec: spec)
        shaped.cacheKey = key
        shapes[key] = shaped
        return shaped
    }

    private func shapeAnew(_ markup: String, block: LayoutSpec.TextBlock, spec: LayoutSpec) throws(LayoutError) -> ShapedText {
        func fail(_ message: String) -> LayoutError { LayoutError(file: spec.file, block: block.id, message: message) }
        // Pango measures in 1/1024 pt in 32 bits: a line of some hundred thousand characters
        // overflows, and would be measured as fitting.
        let length = markup.unicodeScalars.count
        guard length <= Self.maximumBlockLength else {
            throw fail("the text is \(length) characters long, more than the \(Self.maximumBlockLength) a block may hold; shorten it")
        }
        let parsed: ParsedMarkup
        do { parsed = try engine.parse(markup: markup) } catch { throw fail(error.message) }
        let fitted = fit(parsed, block: block)
        guard fitted.fits else {
            let lines = block.maxLines.map { " in \($0) line\($0 == 1 ? "" : "s")" } ?? ""
            let room = block.maxHeight.map { ", \(Int($0)) pt high" } ?? ""
            throw fail("the text does not fit\(lines) of \(Int(block.width)) pt wide\(room), even at \(fitted.text.fontSize) pt; shorten it, or widen the block or lower minSize in the layout")
        }
        if fitted.text.unknownGlyphs > 0 {
            let missing = fitted.text.unknownCharacters
            throw fail("has characters no bundled font can draw: \(FontLibrary.describe(missing.isEmpty ? engine.fonts.missingCharacters(in: parsed.text) : missing))")
        }
        fitted.text.uses = 1
        return fitted.text
    }

    /// The largest size, in quarter points between `minSize` and the style's size, at which the text fits.
    private func fit(_ parsed: ParsedMarkup, block: LayoutSpec.TextBlock) -> (text: ShapedText, fits: Bool) {
        let full = engine.shape(parsed, style: block.style, size: block.style.size, width: block.width)
        if fits(full, block) { return (full, true) }
        guard let minSize = block.minSize, minSize < block.style.size else { return (full, false) }
        var low = Int((minSize * 4).rounded(.up)), high = Int((block.style.size * 4).rounded(.down)) - 1
        var best: ShapedText?
        while low <= high {
            let middle = (low + high) / 2
            let candidate = engine.shape(parsed, style: block.style, size: Double(middle) / 4, width: block.width)
            if fits(candidate, block) {
                best = candidate
                low = middle + 1
            } else {
                high = middle - 1
            }
        }
        if let best { return (best, true) }
        return (engine.shape(parsed, style: block.style, size: minSize, width: block.width), false)
    }

    /// The longest text, markup included, one block lays out.
    static let maximumBlockLength = 20_000

    private func fits(_ text: ShapedText, _ block: LayoutSpec.TextBlock) -> Bool {
        // Pango lets a word longer than the line overflow it; that is not a fit either.
        let tolerance = 0.01
        guard text.width.isFinite, text.width >= 0, text.height.isFinite, text.height >= 0 else { return false }
        if text.width > block.width + tolerance { return false }
        if let maxLines = block.maxLines, text.lineCount > maxLines { return false }
        if let maxHeight = block.maxHeight, text.height > maxHeight + tolerance { return false }
        return true
    }

    private func place(_ slot: LayoutSpec.ImageSlot, spec: LayoutSpec,
                       sources: [String: URL]) throws(LayoutError) -> PageFrame.PlacedImage? {
        let url: URL?
        switch slot.source {
        case "logo", "signature": url = sources[slot.source]
        default: url = URL(fileURLWithPath: slot.source, relativeTo: URL(fileURLWithPath: spec.file).deletingLastPathComponent())
        }
        guard let url else {
            if slot.optional { return nil }
            throw LayoutError(file: spec.file, block: nil,
                              message: "needs the activity's \(slot.source) image, and the activity has none")
        }
        let image: RasterImage
        do { image = try images.image(at: url) } catch {
            throw LayoutError(file: spec.file, block: nil, message: error.message)
        }
        // Scale to fit the box without distortion, centred in it.
        let scale = min(slot.width / Double(image.pixelWidth), slot.height / Double(image.pixelHeight))
        let width = Double(image.pixelWidth) * scale, height = Double(image.pixelHeight) * scale
        return PageFrame.PlacedImage(x: slot.x + (slot.width - width) / 2, y: slot.y + (slot.height - height) / 2,
                                     width: width, height: height, image: image, alt: slot.alt)
    }

    /// Text blocks must stay on the page and must not run into each other.
    private func checkOverlaps(_ texts: [PageFrame.PlacedText], spec: LayoutSpec) throws(LayoutError) {
        for (index, a) in texts.enumerated() {
            if a.y < 0 || a.bottom > spec.pageHeight {
                throw LayoutError(file: spec.file, block: a.id, message: "runs off the page (\(Int(a.y))–\(Int(a.bottom)) pt)")
            }
            for b in texts[(index + 1)...] {
                let across = a.x < b.x + b.width && b.x < a.x + a.width
                let down = a.y < b.bottom - 0.5 && b.y < a.bottom - 0.5
                if across && down {
                    throw LayoutError(file: spec.file, block: a.id,
                                      message: "runs into block '\(b.id)' (\(Int(a.y))–\(Int(a.bottom)) pt against \(Int(b.y))–\(Int(b.bottom)) pt); the text is too long for this layout")
                }
            }
        }
    }
}

/// Blocks' rendered markup by the values they draw on (see `TemplateNames.renderKey`),
/// used under the same lock as the layouter. A block that differs on every certificate (the
/// name) fills it; it then starts again, and the shared blocks are rendered once more.
package final class MarkupCache {
    private var entries: [String: String] = [:]
    private let limit = 1_024

    package subscript(key: String) -> String? {
        get { entries[key] }
        set {
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = newValue
        }
    }
}

/// Shaped paragraphs by layout, block and text, so that what is the same on every
/// certificate (statements, headings, the activity's title) is shaped once per worker.
/// A text is kept only once it has been seen twice: names, which seldom repeat, pass
/// through without filling the cache.
package final class ShapeCache {
    private var entries: [String: ShapedText] = [:]
    private var seen: Set<String> = []
    private let limit = 256

    package subscript(key: String) -> ShapedText? {
        get { entries[key] }
        set {
            guard seen.contains(key) else {
                if seen.count >= 4 * limit { seen.removeAll(keepingCapacity: true) }
                seen.insert(key)
                return
            }
            if entries.count >= limit {
                // Keep what every certificate uses (statements, headings); drop the rest.
                entries = entries.filter { $0.value.uses >= 8 }
                if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            }
            entries[key] = newValue
        }
    }
}

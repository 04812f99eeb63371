import CreditRecords
/// One laid-out page: every item at its final position, ready for any writer.
///
/// Writers (PDF, PNG) only draw what is here; they never lay out again.
public struct PageFrame {
    public var width: Double
    public var height: Double
    public var items: [Item]

    public init(width: Double, height: Double, items: [Item]) {
        self.width = width
        self.height = height
        self.items = items
    }

    /// Something drawn on the page.
    public enum Item {
        case text(PlacedText)
        case image(PlacedImage)
        case stroke(Stroke)
        case qr(PlacedQR)
    }

    /// A QR code `size` points wide with its quiet zone.
    public struct PlacedQR {
        public var x: Double, y: Double, size: Double
        public var matrix: QRMatrix
        public var alt: String
        public var drawing: QRDrawing = .outline
    }

    /// How a QR code's modules are drawn (see `LayoutSpec.QRSlot.drawing`).
    public enum QRDrawing: String, Sendable {
        case mask, outline
    }

    /// A shaped paragraph with its box's top-left corner.
    public struct PlacedText {
        public var id: String
        public var x: Double
        public var y: Double
        public var width: Double
        public var shaped: ShapedText

        package init(id: String, x: Double, y: Double, width: Double, shaped: ShapedText) {
            self.id = id
            self.x = x
            self.y = y
            self.width = width
            self.shaped = shaped
        }
        /// Whether the text is the same on every certificate of the activity (and kind):
        /// such a paragraph is made into PDF objects once and copied into each file.
        public var isActivityText = false

        public var height: Double { shaped.height }
        /// Drawn as a prepared form in a certificate's own PDF (see `PreparedForm`).
        package var isPrepared: Bool { isActivityText && shaped.cacheKey != nil }
        public var bottom: Double { y + height }
    }

    /// An image scaled into a rectangle.
    public struct PlacedImage {
        public var x: Double, y: Double, width: Double, height: Double
        public var image: RasterImage
        public var alt: String?
    }

    /// A line or a rectangle outline.
    public struct Stroke {
        public enum Shape { case line(x1: Double, y1: Double, x2: Double, y2: Double)
                            case rectangle(x: Double, y: Double, width: Double, height: Double) }
        public var shape: Shape
        public var width: Double
        public var color: RGBColor

        package init(shape: Shape, width: Double, color: RGBColor) {
            self.shape = shape
            self.width = width
            self.color = color
        }
    }

    /// The alternative text of each image, in drawing order (the order Cairo tags figures).
    public var figureAlternatives: [String] {
        items.compactMap { item in
            switch item {
            case .image(let image): return image.alt ?? "Image"
            case .qr(let code): return code.alt
            default: return nil
            }
        }
    }

    /// What a page drawn omitting prepared items leaves out for prepared forms, in drawing order.
    package enum PreparedItem {
        case image(PlacedImage)
        case text(PlacedText)
    }

    /// Decodes the page's artwork not decoded yet (see `RasterImage`), before drawing it.
    package func loadArtwork(reportAs name: String) throws(RenderError) {
        for case .image(let placed) in items {
            do { try placed.image.load() } catch { throw RenderError(file: name, message: error.message) }
        }
    }

    package var preparedItems: [PreparedItem] {
        items.compactMap { item -> PreparedItem? in
            switch item {
            case .image(let image): return .image(image)
            case .text(let text): return text.isPrepared ? .text(text) : nil
            case .qr, .stroke: return nil
            }
        }
    }

    /// The text block with `id`, for tests and for placing blocks below others.
    public func text(_ id: String) -> PlacedText? {
        for case .text(let placed) in items where placed.id == id { return placed }
        return nil
    }
}

import CreditRecords
import Foundation
import Mustache

/// A certificate design read from a layout file in `Templates/certificates/`.
///
/// Everything is in points (1/72 inch) from the page's top-left corner. Text blocks hold
/// templates filled from the certificate's values; they are parsed once when the file is
/// read and rendered for every learner.
public struct LayoutSpec {
    public var name: String
    public var file: String
    public var version: Int
    /// The kind of certificate the layout is for; nil for a layout any kind may use.
    public var kind: CertificateKind?
    public var pageWidth: Double
    public var pageHeight: Double
    public var margin: Double
    public var frames: [FrameLine]
    public var rules: [Rule]
    public var images: [ImageSlot]
    public var blocks: [TextBlock]
    /// Where the verification QR code goes; nil for a layout without one.
    public var qr: QRSlot?
    /// The files it was read from: itself, then the layouts it extends.
    public var sourceFiles: [URL] = []

    /// A square for the verification QR code, its quiet zone included.
    public struct QRSlot {
        public var x: Double, y: Double, size: Double
        public var alt: String
        /// How the modules are drawn: `mask` (a 1-bit image, a few hundred bytes) or
        /// `outline` (the dark areas' traced outlines, several KiB; what layouts before
        /// version 2 drew, and still draw so that their certificates reproduce).
        public var drawing: PageFrame.QRDrawing = .outline
    }

    /// A rectangle drawn parallel to the page edge, `inset` points in: the border.
    public struct FrameLine {
        public var inset: Double
        public var width: Double
        public var color: RGBColor
    }

    /// A straight line, such as the line a signature sits on.
    public struct Rule {
        public var x1: Double, y1: Double, x2: Double, y2: Double
        public var width: Double
        public var color: RGBColor
        /// Draw the line only when this text block is on the page (a signature line with no signatory is left out).
        public var with: String?
    }

    /// A PNG placed in a box, scaled to fit without distortion and centred in it.
    public struct ImageSlot {
        /// `logo`, `signature`, or a path relative to the layout file.
        public var source: String
        public var x: Double, y: Double, width: Double, height: Double
        /// Whether a missing image (an activity with no logo) is simply left out.
        public var optional: Bool
        /// What a screen reader says for it.
        public var alt: String?
    }

    /// Where a text block's top edge goes.
    public enum Placement {
        /// `top` points from the top of the page.
        case top(Double)
        /// `gap` points below another block's bottom edge.
        case below(String, gap: Double)
        /// The block's bottom edge `bottom` points above the bottom of the page.
        case bottom(Double)
    }

    /// A paragraph of template text in a box.
    public struct TextBlock {
        public var id: String
        public var template: MustacheTemplate
        public var source: String
        public var placement: Placement
        public var x: Double
        public var width: Double
        public var maxHeight: Double?
        public var style: TextStyle
        /// Shrink the font, down to this size, until the text fits.
        public var minSize: Double?
        public var maxLines: Int?
        /// Leave the block out when it renders to nothing (an activity with no theme).
        public var optional: Bool
        /// Whether the text draws only on values the same for every learner of an activity
        /// (see `TemplateNames.isActivityWide`), worked out once when the layout is read.
        public internal(set) var isActivityWide = false
        /// The names the text looks up, when what it renders follows from their values alone
        /// (see `TemplateNames.renderPaths`), worked out once when the layout is read.
        package internal(set) var renderPaths: [[String]]?
    }
}

/// A layout file that cannot be used, or content that does not fit it.
public struct LayoutError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var block: String?
    public var message: String
    /// The learner whose content did not fit, when the layout itself is not at fault.
    public var learnerID: String?

    public init(file: String, block: String?, message: String, learnerID: String? = nil) {
        self.file = file
        self.block = block
        self.message = message
        self.learnerID = learnerID
    }

    public var description: String { DiagnosticFormatter.line(diagnostics[0]) }
}

extension LayoutError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        [Diagnostic(kind: .layout, file: file, block: block, learnerID: learnerID, message: message)]
    }
}

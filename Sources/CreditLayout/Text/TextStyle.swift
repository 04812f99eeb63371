/// How a block of text is set: font, size, colour and paragraph shape.
public struct TextStyle: Sendable, Equatable {
    public enum Alignment: String, Sendable { case left, center, right }

    /// The paragraph's base direction. `ltr` suits a certificate written in English: a
    /// right-to-left name inside it still reads right to left, and "أحمد حداد, PharmD"
    /// keeps its degrees after the name. `auto` takes it from the first strong letter, for a
    /// block written wholly in a right-to-left language.
    public enum Direction: String, Sendable { case ltr, auto }

    public var family: String = "Noto Serif"
    public var size: Double = 12
    /// CSS-style weight: 400 regular, 600 semibold, 700 bold.
    public var weight: Int = 400
    public var italic: Bool = false
    public var color: RGBColor = .init(red: 0.13, green: 0.13, blue: 0.13)
    /// Extra space between letters, in points.
    public var tracking: Double = 0
    public var alignment: Alignment = .left
    public var justify: Bool = false
    public var direction: Direction = .ltr
    /// Line height as a multiple of the font's own; 0 keeps the font's.
    public var lineHeight: Double = 0

    public init() {}

    /// Every property, for keys of drawings made with the style (`DrawingCache`). A new
    /// property must be added here.
    package var recipe: String {
        "\(family)|\(size)|\(weight)|\(italic)|\(color.red),\(color.green),\(color.blue)|\(tracking)|\(alignment.rawValue)|\(justify)|\(direction.rawValue)|\(lineHeight)"
    }
}

/// A colour with components from 0 to 1.
public struct RGBColor: Sendable, Equatable {
    public var red: Double
    public var green: Double
    public var blue: Double

    public init(red: Double, green: Double, blue: Double) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Reads `#1F3A5F` or `#abc`.
    public init?(hex: String) {
        var digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        if digits.count == 3 { digits = digits.map { "\($0)\($0)" }.joined() }
        guard digits.count == 6, let value = Int(digits, radix: 16) else { return nil }
        self.init(red: Double((value >> 16) & 0xFF) / 255,
                  green: Double((value >> 8) & 0xFF) / 255,
                  blue: Double(value & 0xFF) / 255)
    }
}

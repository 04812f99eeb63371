import CPangoCairo
import CreditRecords

/// Why a piece of text cannot be set.
public struct TextError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

extension TextError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(kind: .render, file: "", message: message)] }
}

/// Pango's font map and context for one worker: shapes markup into `ShapedText`.
///
/// Pango objects must never be shared between threads, so every thread that lays out
/// text makes its own engine from the shared `FontLibrary`.
public final class TextEngine {
    public let fonts: FontLibrary
    package let fontMap: UnsafeMutablePointer<PangoFontMap>
    package let context: OpaquePointer
    /// The fonts Pango set paragraphs in (italic and bold runs and fallback fonts among them),
    /// when set at their style's own size (not the sizes tried when shrinking a paragraph to
    /// fit, which depend on the text), in order of first use.
    package private(set) var fontsUsed: [FontKey] = []
    private var fontsSeen: Set<FontKey> = []
    /// Pango's font objects already described (it keeps one per font and size).
    private var fontObjectsSeen: Set<UnsafeMutableRawPointer> = []
    /// The library's `generation` Pango's caches were made for.
    private var fontGeneration: Int

    public init(fonts: FontLibrary) throws(TextError) {
        guard let fontMap = pango_cairo_font_map_new_for_font_type(CAIRO_FONT_TYPE_FT) else {
            throw TextError(message: "Pango could not make a font map for FreeType fonts")
        }
        pango_fc_font_map_set_config(OpaquePointer(fontMap), fonts.config)
        guard let context = pango_font_map_create_context(fontMap) else {
            g_object_unref(fontMap)
            throw TextError(message: "Pango could not make a context")
        }
        self.fonts = fonts
        self.fontMap = fontMap
        self.context = context
        fontGeneration = fonts.generation
        configure(context)
    }

    deinit {
        g_object_unref(UnsafeMutableRawPointer(context))
        g_object_unref(fontMap)
    }

    /// Points, not 96-dpi pixels; unrounded glyph positions (even letter spacing on a
    /// PDF page); no hinting, which is for screens; a fixed language, not the locale's.
    private func configure(_ context: OpaquePointer) {
        pango_cairo_context_set_resolution(context, 72)
        pango_context_set_round_glyph_positions(context, 0)
        let options = cairo_font_options_create()
        cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE)
        cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF)
        pango_cairo_context_set_font_options(context, options)
        cairo_font_options_destroy(options)
        pango_context_set_language(context, pango_language_from_string("en"))
        pango_context_set_base_dir(context, PANGO_DIRECTION_LTR)
    }

    /// Parses Pango markup once; the result can be set at several sizes.
    public func parse(markup: String) throws(TextError) -> ParsedMarkup {
        var attributes: OpaquePointer?
        var text: UnsafeMutablePointer<CChar>?
        var error: UnsafeMutablePointer<GError>?
        guard pango_parse_markup(markup, -1, 0, &attributes, &text, nil, &error) != 0,
              let attributes, let text else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let error { g_error_free(error) }
            throw TextError(message: "the text is not valid markup (\(message))")
        }
        defer { g_free(text) }
        return ParsedMarkup(markup: markup, text: String(cString: text), attributes: attributes)
    }

    /// Sets `markup` in `style` at `size` points, wrapping at `width` points.
    public func shape(_ markup: ParsedMarkup, style: TextStyle, size: Double, width: Double) -> ShapedText {
        FontAccess.serialized { shapeSerialized(markup, style: style, size: size, width: width) }
    }

    /// Loads `fonts` into Pango's caches, one at a time, as long as no other thread wants
    /// the font lock; says how many were loaded.
    @discardableResult
    package func warmUp(_ fonts: [FontKey]) -> Int {
        var loaded = 0
        for key in fonts {
            let ran = FontAccess.ifUnwanted {
                let layout = pango_layout_new(context)!
                defer { g_object_unref(UnsafeMutableRawPointer(layout)) }
                pango_layout_set_text(layout, "Ag", -1)
                let font = pango_font_description_from_string(key.description)
                pango_layout_set_font_description(layout, font)
                pango_font_description_free(font)
                var logical = PangoRectangle()
                pango_layout_get_extents(layout, nil, &logical)
            }
            guard ran else { break }
            loaded += 1
        }
        return loaded
    }

    /// The fonts of `layout`'s runs not met before, as Pango describes them; a font met
    /// before costs one set look-up (this runs for every paragraph a batch sets).
    private func runFonts(of layout: OpaquePointer) -> [FontKey] {
        guard let iterator = pango_layout_get_iter(layout) else { return [] }
        defer { pango_layout_iter_free(iterator) }
        var keys: [FontKey] = []
        repeat {
            guard let run = pango_layout_iter_get_run_readonly(iterator), let font = run.pointee.item.pointee.analysis.font,
                  fontObjectsSeen.insert(UnsafeMutableRawPointer(font)).inserted,
                  let description = pango_font_describe(font) else { continue }
            defer { pango_font_description_free(description) }
            guard let text = pango_font_description_to_string(description) else { continue }
            defer { g_free(text) }
            let key = FontKey(description: String(cString: text))
            if !keys.contains(key) { keys.append(key) }
        } while pango_layout_iter_next_run(iterator) != 0
        return keys
    }

    private func setFont(of layout: OpaquePointer, family: String, weight: Int, italic: Bool, size: Double) {
        let font = pango_font_description_new()
        pango_font_description_set_family(font, family)
        pango_font_description_set_weight(font, PangoWeight(rawValue: UInt32(weight)))
        pango_font_description_set_style(font, italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL)
        pango_font_description_set_size(font, Int32(size * Double(PANGO_SCALE)))
        pango_layout_set_font_description(layout, font)
        pango_font_description_free(font)
    }

    private func shapeSerialized(_ markup: ParsedMarkup, style: TextStyle, size: Double, width: Double) -> ShapedText {
        let generation = fonts.generation
        if generation != fontGeneration {
            // A layout added its own fonts since Pango last listed them.
            pango_fc_font_map_config_changed(OpaquePointer(fontMap))
            fontGeneration = generation
        }
        let layout = pango_layout_new(context)!
        pango_layout_set_text(layout, markup.text, -1)
        let attributes = pango_attr_list_copy(markup.attributes)
        if style.tracking != 0 {
            pango_attr_list_insert_before(attributes, pango_attr_letter_spacing_new(Int32(style.tracking * Double(PANGO_SCALE))))
        }
        for range in markup.arabicRuns {
            // Optional ligatures are turned off in Arabic runs: text extractors (poppler's
            // pdftotext among them) read a many-letter ligature such as the one for الله
            // backwards in right-to-left text. Required forms and joining are unaffected.
            let attribute = pango_attr_font_features_new("liga 0")!
            attribute.pointee.start_index = UInt32(range.lowerBound)
            attribute.pointee.end_index = UInt32(range.upperBound)
            pango_attr_list_insert(attributes, attribute)
        }
        pango_layout_set_attributes(layout, attributes)
        pango_attr_list_unref(attributes)
        pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
        pango_layout_set_wrap(layout, PANGO_WRAP_WORD)
        pango_layout_set_justify(layout, style.justify ? 1 : 0)
        // The context's base direction is left to right and never changes once made:
        // layouts re-read their context when drawn.
        pango_layout_set_auto_dir(layout, style.direction == .auto ? 1 : 0)
        switch style.alignment {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        }
        if style.lineHeight > 0 { pango_layout_set_line_spacing(layout, Float(style.lineHeight)) }
        setFont(of: layout, family: style.family, weight: style.weight, italic: style.italic, size: size)
        let shaped = ShapedText(layout: layout, size: size, color: style.color)
        if size == style.size {
            for key in runFonts(of: layout) where fontsSeen.insert(key).inserted { fontsUsed.append(key) }
        }
        shaped.recipe = "\(markup.markup)\u{0}\(style.recipe)\u{0}\(size)\u{0}\(width)"
        return shaped
    }
}

/// Markup parsed into plain text and Pango attributes; owns the attribute list.
public final class ParsedMarkup {
    /// The markup as given, and its plain text.
    public let markup: String
    public let text: String
    package let attributes: OpaquePointer

    /// UTF-8 byte ranges of the text written in Arabic script.
    package let arabicRuns: [Range<Int>]

    package init(markup: String, text: String, attributes: OpaquePointer) {
        self.markup = markup
        self.text = text
        self.attributes = attributes
        self.arabicRuns = ParsedMarkup.runs(in: text, where: ParsedMarkup.isArabic)
    }

    package static func isArabic(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0600...0x06FF, 0x0750...0x077F, 0x0870...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: return true
        default: return false
        }
    }

    /// Byte ranges of the longest runs of scalars that satisfy `test`.
    package static func runs(in text: String, where test: (Unicode.Scalar) -> Bool) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var offset = 0, start: Int?
        for scalar in text.unicodeScalars {
            if test(scalar) {
                if start == nil { start = offset }
            } else if let begin = start {
                runs.append(begin..<offset)
                start = nil
            }
            offset += String(scalar).utf8.count
        }
        if let start { runs.append(start..<offset) }
        return runs
    }

    deinit { pango_attr_list_unref(attributes) }
}

/// A paragraph shaped by Pango, ready to be measured and drawn; owns its `PangoLayout`.
public final class ShapedText {
    package let layout: OpaquePointer
    /// The font size it was set at, after any shrinking.
    public let fontSize: Double
    public let color: RGBColor
    /// Logical extents in points, relative to the layout's top-left corner.
    public let inkLeft: Double, logicalLeft: Double, width: Double, height: Double
    public let lineCount: Int
    /// Glyphs drawn as boxes because no font has them; must be zero to print.
    public let unknownGlyphs: Int
    /// How many pages this paragraph has been laid out on; writers draw a paragraph used
    /// more than once from one shared drawing.
    public internal(set) var uses = 0
    /// What the layouter's cache knows this paragraph by (layout, block and text), so that a
    /// writer draws the same paragraph once even if it was shaped again.
    package var cacheKey: String?
    /// Everything the paragraph was shaped from (markup, style, size, width): with the same
    /// fonts and program, the same recipe draws the same (see `DrawingCache`).
    package var recipe = ""

    package init(layout: OpaquePointer, size: Double, color: RGBColor) {
        self.layout = layout
        self.fontSize = size
        self.color = color
        var ink = PangoRectangle(), logical = PangoRectangle()
        pango_layout_get_extents(layout, &ink, &logical)
        let scale = Double(PANGO_SCALE)
        inkLeft = Double(ink.x) / scale
        logicalLeft = Double(logical.x) / scale
        width = Double(logical.width) / scale
        height = Double(logical.height) / scale
        lineCount = Int(pango_layout_get_line_count(layout))
        unknownGlyphs = Int(pango_layout_get_unknown_glyphs_count(layout))
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }

    package var pangoLayout: OpaquePointer { layout }

    /// The characters Pango could not find a glyph for, read from the shaped runs (an
    /// unknown glyph carries its character). Empty when `unknownGlyphs` is zero.
    public var unknownCharacters: [Unicode.Scalar] {
        guard unknownGlyphs > 0, let iterator = pango_layout_get_iter(pangoLayout) else { return [] }
        defer { pango_layout_iter_free(iterator) }
        let unknownFlag: UInt32 = 0x1000_0000
        var found: [Unicode.Scalar] = []
        repeat {
            guard let run = pango_layout_iter_get_run_readonly(iterator), let glyphs = run.pointee.glyphs else { continue }
            for index in 0..<Int(glyphs.pointee.num_glyphs) {
                let glyph = glyphs.pointee.glyphs[index].glyph
                if glyph & unknownFlag != 0, let scalar = Unicode.Scalar(glyph & ~unknownFlag), !found.contains(scalar) {
                    found.append(scalar)
                }
            }
        } while pango_layout_iter_next_run(iterator) != 0
        return found
    }

    /// The text as set, for tests and messages.
    public var text: String { String(cString: pango_layout_get_text(pangoLayout)) }

    /// Distance from the top of the block to the first line's baseline, in points.
    public var firstBaseline: Double { Double(pango_layout_get_baseline(pangoLayout)) / Double(PANGO_SCALE) }
}

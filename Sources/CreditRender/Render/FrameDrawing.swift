import CPangoCairo
import CreditLayout

/// Draws a laid-out page onto any Cairo context: the one drawing code for PDF and PNG.
package enum FrameDrawing {
    /// Draws `frame`; with `shared`, paragraphs used on several pages are drawn once into
    /// a recording that every page paints, which a PDF stores once as a form XObject.
    /// With `tagged`, the page carries PDF structure (a document of a heading, paragraphs
    /// and figures) for screen readers and text extraction in reading order. With
    /// `omittingPrepared` (tagged pages only), each image and each paragraph the same on every
    /// certificate is left out, its tag empty, for `PreparedForm.place` to paint a prepared form in.
    package static func draw(_ frame: PageFrame, on cairo: OpaquePointer, shared: SharedDrawings? = nil, tagged: Bool = false,
                     omittingPrepared: Bool = false) {
        func tag<T>(_ name: String, _ body: () -> T) -> T {
            guard tagged else { return body() }
            cairo_tag_begin(cairo, name, nil)
            defer { cairo_tag_end(cairo, name) }
            return body()
        }
        if let shared, !tagged {
            // An untagged page of a long document: what repeats is painted as shared forms.
            shared.draw(frame, on: cairo)
            return
        }
        tag("Document") {
            for item in frame.items {
                switch item {
                case .stroke(let stroke): draw(stroke, on: cairo)
                case .image(let image): tag("Figure") { if !omittingPrepared { draw(image, on: cairo) } }
                // A form per QR code keeps one certificate's file small, but Cairo handles
                // thousands of them in one merged PDF slowly; there the outline goes on the page.
                case .qr(let code): tag("Figure") { draw(code, on: cairo, asForm: shared == nil) }
                case .text(let text):
                    tag(text.id == "heading" || text.id == "header-0" ? "H1" : "P") {
                        if omittingPrepared, text.isPrepared {
                            // Left for a prepared form.
                        } else if let shared, text.shaped.uses > 1 {
                            shared.paint(text, on: cairo)
                        } else {
                            draw(text, on: cairo)
                        }
                    }
                }
            }
        }
    }

    /// Draws one item as an untagged page of a document with `shared` drawings does: a QR
    /// code on the page, a paragraph seen before as its shared form.
    fileprivate static func draw(_ item: PageFrame.Item, on cairo: OpaquePointer, shared: SharedDrawings) {
        switch item {
        case .stroke(let stroke): draw(stroke, on: cairo)
        case .image(let image): draw(image, on: cairo)
        case .qr(let code): draw(code, on: cairo, asForm: false)
        case .text(let text):
            if text.shaped.uses > 1 { shared.paint(text, on: cairo) } else { draw(text, on: cairo) }
        }
    }

    private static func setColor(_ color: RGBColor, on cairo: OpaquePointer) {
        cairo_set_source_rgb(cairo, color.red, color.green, color.blue)
    }

    fileprivate static func draw(_ stroke: PageFrame.Stroke, on cairo: OpaquePointer) {
        setColor(stroke.color, on: cairo)
        cairo_set_line_width(cairo, stroke.width)
        switch stroke.shape {
        case .line(let x1, let y1, let x2, let y2):
            cairo_move_to(cairo, x1, y1)
            cairo_line_to(cairo, x2, y2)
        case .rectangle(let x, let y, let width, let height):
            cairo_rectangle(cairo, x, y, width, height)
        }
        cairo_stroke(cairo)
    }

    /// The dark areas' outlines filled on a white square that keeps the four-module quiet
    /// zone clear of the page's background. With `asForm`, the outlines are drawn in module
    /// units on a recording surface, which the PDF keeps as a form with whole-number
    /// coordinates, then scaled onto the page.
    private static func draw(_ placed: PageFrame.PlacedQR, on cairo: OpaquePointer, asForm: Bool) {
        let matrix = placed.matrix
        let side = Double(matrix.size + 8)
        cairo_save(cairo)
        cairo_translate(cairo, placed.x, placed.y)
        cairo_scale(cairo, placed.size / side, placed.size / side)
        cairo_set_source_rgb(cairo, 1, 1, 1)
        cairo_rectangle(cairo, 0, 0, side, side)
        cairo_fill(cairo)
        if placed.drawing == .mask, let mask = stencil(matrix) {
            // One bit a module, scaled up without smoothing: a PDF image mask of a few
            // hundred bytes that every viewer draws with square, crisp modules.
            cairo_set_source_rgb(cairo, 0, 0, 0)
            let pattern = cairo_pattern_create_for_surface(mask)
            cairo_pattern_set_filter(pattern, CAIRO_FILTER_NEAREST)
            var shift = cairo_matrix_t()
            cairo_matrix_init_translate(&shift, -4, -4)
            cairo_pattern_set_matrix(pattern, &shift)
            cairo_mask(cairo, pattern)
            cairo_pattern_destroy(pattern)
            cairo_surface_destroy(mask)
        } else if asForm, let recording = recording(extents: cairo_rectangle_t(x: 0, y: 0, width: side, height: side), {
            fillOutlines(matrix, on: $0)
        }) {
            cairo_set_source_surface(cairo, recording, 0, 0)
            cairo_paint(cairo)
            cairo_surface_destroy(recording)
        } else {
            fillOutlines(matrix, on: cairo)
        }
        cairo_restore(cairo)
    }

    /// A recording of what `draw` draws, within `extents` (unbounded when nil), or nil if
    /// Cairo cannot make one; the caller owns it. A recording painted on a PDF page is kept
    /// there as a form XObject.
    package static func recording(extents: cairo_rectangle_t?, _ draw: (OpaquePointer) -> Void) -> OpaquePointer? {
        var bounds = extents ?? cairo_rectangle_t()
        let made = extents == nil ? cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, nil)
            : cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &bounds)
        guard let surface = made else { return nil }
        guard let context = cairo_create(surface) else {
            cairo_surface_destroy(surface)
            return nil
        }
        draw(context)
        cairo_destroy(context)
        return surface
    }

    /// The modules as a 1-bit image, a pixel each (dark opaque), or nil if Cairo cannot make one.
    private static func stencil(_ matrix: QRMatrix) -> OpaquePointer? {
        let size = Int32(matrix.size)
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_A1, size, size),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS, let data = cairo_image_surface_get_data(surface) else { return nil }
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface))
        // A1 rows are 32-bit words, least significant bit first on little-endian machines:
        // a row's bits as `QRMatrix` keeps them, its first `stride` bytes.
        let rowBytes = min(stride, MemoryLayout<UInt128>.size)
        for (row, line) in matrix.rows.enumerated() {
            withUnsafeBytes(of: line.littleEndian) { bits in
                let start = data.advanced(by: row * stride)
                memcpy(start, bits.baseAddress!, rowBytes)
                if stride > rowBytes { memset(start.advanced(by: rowBytes), 0, stride - rowBytes) }
            }
        }
        cairo_surface_mark_dirty(surface)
        return surface
    }

    /// The QR code's dark areas in module units, its quiet zone included.
    private static func fillOutlines(_ matrix: QRMatrix, on cairo: OpaquePointer) {
        cairo_set_source_rgb(cairo, 0, 0, 0)
        cairo_set_fill_rule(cairo, CAIRO_FILL_RULE_WINDING)
        for loop in matrix.outlines {
            for (index, point) in loop.enumerated() {
                let x = Double(point.x + 4), y = Double(point.y + 4)
                if index == 0 { cairo_move_to(cairo, x, y) } else { cairo_line_to(cairo, x, y) }
            }
            cairo_close_path(cairo)
        }
        cairo_fill(cairo)
    }

    fileprivate static func draw(_ placed: PageFrame.PlacedImage, on cairo: OpaquePointer) {
        cairo_save(cairo)
        cairo_translate(cairo, placed.x, placed.y)
        cairo_scale(cairo, placed.width / Double(placed.image.pixelWidth),
                    placed.height / Double(placed.image.pixelHeight))
        cairo_set_source_surface(cairo, placed.image.surface, 0, 0)
        cairo_pattern_set_filter(cairo_get_source(cairo), CAIRO_FILTER_GOOD)
        cairo_paint(cairo)
        cairo_restore(cairo)
    }

    package static func draw(_ placed: PageFrame.PlacedText, on cairo: OpaquePointer) {
        setColor(placed.shaped.color, on: cairo)
        cairo_move_to(cairo, placed.x, placed.y)
        pango_cairo_show_layout(cairo, placed.shaped.pangoLayout)
    }
}

/// Recordings of what appears on many pages of one document; owns them. A paragraph used
/// on several pages is one recording; so is each run of consecutive items that are the same
/// on every certificate of the activity (its artwork, its rules, its statements), drawn at
/// their places: a page then paints a handful of forms, not one per paragraph, which keeps
/// each page's resources and content short and Cairo's work per page small.
///
/// Belongs to one thread.
package final class SharedDrawings {
    /// By the paragraph's cache key: the same text in the same block is one recording, even
    /// when the layouter shaped it again after its cache was trimmed.
    private var recordings: [String: OpaquePointer] = [:]
    /// Runs by the keys and places of their items.
    private var runs: [String: OpaquePointer] = [:]
    /// The artwork the runs' keys name by identity, held so that no other image takes an
    /// identity a key holds.
    private var artwork: [ObjectIdentifier: RasterImage] = [:]

    package init() {}

    deinit {
        for surface in recordings.values { cairo_surface_destroy(surface) }
        for surface in runs.values { cairo_surface_destroy(surface) }
    }

    /// Draws `frame` (untagged), its runs of repeated items as one form each.
    package func draw(_ frame: PageFrame, on cairo: OpaquePointer) {
        var run: [PageFrame.Item] = []
        var key = ""
        for item in frame.items {
            if let part = Self.runKey(item) {
                run.append(item)
                key += part
            } else {
                paint(run, key: key, on: cairo)
                run.removeAll(keepingCapacity: true)
                key = ""
                FrameDrawing.draw(item, on: cairo, shared: self)
            }
        }
        paint(run, key: key, on: cairo)
    }

    /// The key of an item that may join a run: what it draws and where; nil for an item drawn
    /// on its own (a QR code, the learner's text).
    private static func runKey(_ item: PageFrame.Item) -> String? {
        switch item {
        case .qr: return nil
        case .text(let text):
            guard text.isActivityText, let key = text.shaped.cacheKey else { return nil }
            return "t\(text.x),\(text.y):\(key)\u{0}"
        case .image(let placed):
            return "i\(placed.x),\(placed.y),\(placed.width),\(placed.height):\(UInt(bitPattern: ObjectIdentifier(placed.image)))\u{0}"
        case .stroke(let stroke):
            let color = stroke.color
            let shape: String
            switch stroke.shape {
            case .line(let x1, let y1, let x2, let y2): shape = "l\(x1),\(y1),\(x2),\(y2)"
            case .rectangle(let x, let y, let width, let height): shape = "r\(x),\(y),\(width),\(height)"
            }
            return "s\(shape),\(stroke.width),\(color.red),\(color.green),\(color.blue)\u{0}"
        }
    }

    /// Paints a run: a single item as it is, several as the one recording of them all.
    private func paint(_ run: [PageFrame.Item], key: String, on cairo: OpaquePointer) {
        guard run.count > 1 else {
            if let item = run.first { FrameDrawing.draw(item, on: cairo, shared: self) }
            return
        }
        let surface: OpaquePointer
        if let recorded = runs[key] {
            surface = recorded
        } else {
            // Unbounded, in page coordinates: each paragraph as its own shared form, so that
            // runs that differ in one paragraph (another kind's statement) share the rest.
            guard let recorded = FrameDrawing.recording(extents: nil, { context in
                for item in run {
                    switch item {
                    case .text(let text): self.paint(text, on: context)
                    case .image(let placed):
                        artwork[ObjectIdentifier(placed.image)] = placed.image
                        FrameDrawing.draw(item, on: context, shared: self)
                    default: FrameDrawing.draw(item, on: context, shared: self)
                    }
                }
            }) else {
                for item in run { FrameDrawing.draw(item, on: cairo, shared: self) }
                return
            }
            // A roster of many layouts could make many runs; start afresh past a few thousand.
            if runs.count >= 4_096 {
                for surface in runs.values { cairo_surface_destroy(surface) }
                runs.removeAll()
            }
            surface = recorded
            runs[key] = surface
        }
        cairo_save(cairo)
        cairo_set_source_surface(cairo, surface, 0, 0)
        cairo_paint(cairo)
        cairo_restore(cairo)
    }

    package func paint(_ placed: PageFrame.PlacedText, on cairo: OpaquePointer) {
        guard let key = placed.shaped.cacheKey else {
            FrameDrawing.draw(placed, on: cairo)
            return
        }
        let surface: OpaquePointer
        if let recorded = recordings[key] {
            surface = recorded
        } else {
            // Unbounded recording: the paragraph is drawn at its own origin.
            var origin = placed
            origin.x = 0
            origin.y = 0
            guard let recorded = FrameDrawing.recording(extents: nil, { FrameDrawing.draw(origin, on: $0) }) else {
                FrameDrawing.draw(placed, on: cairo)
                return
            }
            surface = recorded
            recordings[key] = surface
        }
        cairo_save(cairo)
        cairo_set_source_surface(cairo, surface, placed.x, placed.y)
        cairo_paint(cairo)
        cairo_restore(cairo)
    }
}

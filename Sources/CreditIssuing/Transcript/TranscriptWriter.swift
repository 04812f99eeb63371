import CreditLayout
import CreditPDF
import CreditRecords
import CreditRender
import CreditStatements
import CreditTrust
import Foundation

/// Lays a transcript out on as many pages as it needs and writes the PDF page by page.
///
/// The table's header row repeats on every page, a row never splits across pages, and the
/// footer says "Page n of N". Pages are found first by measuring each row (keeping only
/// heights), then drawn one at a time, so memory holds one page, not the document.
public struct TranscriptWriter {
    package let layout: TranscriptLayout
    package let engine: TextEngine

    public init(layout: TranscriptLayout, engine: TextEngine) {
        self.layout = layout
        self.engine = engine
    }

    /// A block of the document after the table: a totals line or a statement.
    private struct Trailer {
        var markup: String
        var style: TextStyle
        var gapBefore: Double
    }

    /// Writes `transcript` to `url`, signed (PAdES) when `signing` is given; returns the
    /// number of pages. A signed transcript is drawn under a temporary name first, so the
    /// final name only ever holds the signed file.
    @discardableResult
    public func write(_ transcript: Transcript, to url: URL, metadata: PDFMetadata, signing: SigningIdentity?,
                      signedAt time: Date) throws -> Int {
        guard let signing else { return try write(transcript, to: url, metadata: metadata) }
        let drawn = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).unsigned.tmp")
        defer { try? FileManager.default.removeItem(at: drawn) }
        let pages = try write(transcript, to: drawn, metadata: metadata)
        let options = PDFSignatureOptions(time: time, reason: "Transcript issued by \(transcript.issuer)")
        let signed = try PDFSigner.finish(Array(try Data(contentsOf: drawn)), accessibility: PDFAccessibility(), signing: (options, { digest in
            try CMSSignature.sign(digest: digest, identity: signing)
        }))
        try AtomicFile.write(Data(signed), to: url, durable: true)
        return pages
    }

    /// Writes `transcript` to `url`; returns the number of pages.
    @discardableResult
    public func write(_ transcript: Transcript, to url: URL, metadata: PDFMetadata) throws -> Int {
        let values = templateValues(transcript, page: 0, pages: 0)
        let rowHeights = try transcript.rows.map { try rowHeight(cells(for: $0)) }
        let trailers = try trailerBlocks(transcript, values: values)
        let trailerHeights = try trailers.map { try shape($0.markup, $0.style, width: contentWidth).height + $0.gapBefore }
        let pages = paginate(rowHeights: rowHeights, trailerHeights: trailerHeights,
                             firstTop: try firstHeaderHeight(values), laterTop: try runningHeaderHeight(values))
        let writer = try MergedPDFWriter(url: url, metadata: metadata, tagged: true)
        for (index, page) in pages.enumerated() {
            let frame = try draw(page, number: index + 1, of: pages.count, transcript: transcript, trailers: trailers)
            try writer.add(frame, outline: nil)
        }
        try writer.finish()
        return pages.count
    }

    package var contentWidth: Double { layout.pageWidth - 2 * layout.margin }
    package var bottom: Double { layout.pageHeight - layout.margin - 18 }

    /// Which rows and trailers go on one page.
    private struct Page {
        var rows: Range<Int>
        var trailers: Range<Int>
    }

    private func paginate(rowHeights: [Double], trailerHeights: [Double], firstTop: Double, laterTop: Double) -> [Page] {
        let header = (try? rowHeight(layout.columns.map { Markup.escape($0.title) }, header: true)) ?? 14
        var pages: [Page] = []
        var start = 0, y = layout.margin + firstTop + header
        for (index, height) in rowHeights.enumerated() {
            if y + height > bottom && index > start {
                pages.append(Page(rows: start..<index, trailers: 0..<0))
                start = index
                y = layout.margin + laterTop + header
            }
            y += height
        }
        let end = rowHeights.count
        var current = Page(rows: start..<end, trailers: 0..<0)
        var trailerStart = 0
        for (index, height) in trailerHeights.enumerated() {
            if y + height > bottom && (index > trailerStart || !current.rows.isEmpty) {
                current.trailers = trailerStart..<index
                pages.append(current)
                current = Page(rows: end..<end, trailers: index..<index)
                trailerStart = index
                y = layout.margin + laterTop
            }
            y += height
        }
        current.trailers = trailerStart..<trailerHeights.count
        pages.append(current)
        return pages
    }
}

extension TranscriptWriter {
    /// The cell texts of one record, as markup.
    package func cells(for record: CompletionRecord) -> [String] {
        layout.columns.map { column in
            switch column.field {
            case "date": return Markup.escape(record.completionDate.description)
            case "title": return Markup.escape(record.activityTitle) + (record.selfReported ? "\n<i>self-reported</i>" : "")
            case "provider": return Markup.escape(record.provider)
            case "format": return Markup.escape(record.format)
            case "creditType":
                let label = record.creditType == .moc
                    ? "\(record.board ?? "") MOC points" + (record.pointType.map { " (\($0))" } ?? "")
                    : Transcript.label(record.creditType, board: nil)
                return Markup.escape(label)
            default: return Markup.escape("\(record.amount)")
            }
        }
    }

    package func shape(_ markup: String, _ style: TextStyle, width: Double) throws -> ShapedText {
        let shaped = engine.shape(try engine.parse(markup: markup), style: style, size: style.size, width: width)
        if shaped.unknownGlyphs > 0 {
            throw LayoutError(file: layout.file, block: "table",
                              message: "has characters no bundled font can draw: \(FontLibrary.describe(shaped.unknownCharacters))")
        }
        return shaped
    }

    package func rowHeight(_ cells: [String], header: Bool = false) throws -> Double {
        var height = 0.0
        for (cell, column) in zip(cells, layout.columns) {
            let style = header ? layout.headerStyle : column.style
            height = max(height, try shape(cell, style, width: column.width - 2 * layout.rowPadding).height)
        }
        return height + 2 * layout.rowPadding
    }

    package func templateValues(_ transcript: Transcript, page: Int, pages: Int) -> [String: Any] {
        [
            "learner": ["name": transcript.learner.professionalName, "id": transcript.learner.id,
                        "degrees": transcript.learner.degrees.joined(separator: ", "), "identifiers": transcript.identifiers],
            "period": transcript.periodText,
            "issueDate": transcript.issueDate.longForm,
            "issuer": transcript.issuer,
            "page": "\(page)",
            "pages": "\(pages)",
            "rowCount": "\(transcript.rows.count)",
            "records": transcript.rows.count == 1 ? "1 record" : "\(transcript.rows.count) records",
        ]
    }

    package func render(_ line: TranscriptLayout.Line, _ values: [String: Any]) throws -> String {
        let missing = TemplateNames.undefined(in: line.source, context: values)
        guard missing.isEmpty else {
            throw LayoutError(file: layout.file, block: nil, message: "refers to \(missing.map { "{{\($0)}}" }.joined(separator: ", ")), which is not a transcript value")
        }
        return line.template.render(values).trimmed
    }

    package func firstHeaderHeight(_ values: [String: Any]) throws -> Double {
        try ([layout.title] + layout.header).reduce(0) { $0 + (try shape(render($1, values), $1.style, width: contentWidth).height) + 4 } + 10
    }

    package func runningHeaderHeight(_ values: [String: Any]) throws -> Double {
        try shape(render(layout.runningHeader, values), layout.runningHeader.style, width: contentWidth).height + 10
    }

    /// Totals, then the statements that apply.
    private func trailerBlocks(_ transcript: Transcript, values: [String: Any]) throws -> [Trailer] {
        var blocks = [Trailer(markup: try render(layout.totalsTitle, values), style: layout.totalsTitle.style, gapBefore: 14)]
        if transcript.rows.isEmpty {
            blocks.append(Trailer(markup: Markup.escape("No completed activities are recorded for this learner in this period (\(transcript.periodText))."),
                                  style: layout.rowStyle, gapBefore: 4))
        }
        for subtotal in transcript.subtotals {
            let own = subtotal.selfReported.isZero ? "" : " (of which \(subtotal.selfReported) self-reported)"
            blocks.append(Trailer(markup: Markup.escape("\(subtotal.label): \(subtotal.amount)\(own)"), style: layout.rowStyle, gapBefore: 2))
        }
        let totals = transcript.grandTotals
        blocks.append(Trailer(markup: "<b>" + Markup.escape("All credit and contact hours: \(totals.credit)") + "</b>", style: layout.rowStyle, gapBefore: 6))
        if !totals.moc.isZero {
            blocks.append(Trailer(markup: "<b>" + Markup.escape("MOC points, counted apart from credit: \(totals.moc)") + "</b>", style: layout.rowStyle, gapBefore: 2))
        }
        for statement in layout.statements {
            blocks.append(Trailer(markup: try render(statement, values), style: statement.style, gapBefore: 8))
        }
        return blocks
    }

    /// Draws one page: header, table rows with the header row repeated, trailers, footer.
    private func draw(_ page: Page, number: Int, of pages: Int, transcript: Transcript, trailers: [Trailer]) throws -> PageFrame {
        var frame = PageFrame(width: layout.pageWidth, height: layout.pageHeight, items: [])
        let values = templateValues(transcript, page: number, pages: pages)
        var y = layout.margin
        func place(_ markup: String, _ style: TextStyle, x: Double, width: Double, at top: Double, id: String) throws -> Double {
            let shaped = try shape(markup, style, width: width)
            frame.items.append(.text(.init(id: id, x: x, y: top, width: width, shaped: shaped)))
            return shaped.height
        }
        let lines = number == 1 ? [layout.title] + layout.header : [layout.runningHeader]
        for (index, line) in lines.enumerated() {
            y += try place(render(line, values), line.style, x: layout.margin, width: contentWidth, at: y, id: "header-\(index)") + 4
        }
        y += 6
        if !page.rows.isEmpty || number == 1 {
            y = try drawRow(layout.columns.map { Markup.escape($0.title) }, header: true, at: y, into: &frame)
            for index in page.rows {
                y = try drawRow(cells(for: transcript.rows[index]), header: false, at: y, into: &frame)
            }
        }
        for index in page.trailers {
            y += trailers[index].gapBefore
            y += try place(trailers[index].markup, trailers[index].style, x: layout.margin, width: contentWidth, at: y, id: "trailer-\(index)")
        }
        let footer = try shape(render(layout.footer, values), layout.footer.style, width: contentWidth)
        frame.items.append(.text(.init(id: "footer", x: layout.margin, y: layout.pageHeight - layout.margin - footer.height,
                                       width: contentWidth, shaped: footer)))
        return frame
    }

    private func drawRow(_ cells: [String], header: Bool, at top: Double, into frame: inout PageFrame) throws -> Double {
        var x = layout.margin, height = 0.0
        var shapedCells: [(ShapedText, Double, Double)] = []
        for (cell, column) in zip(cells, layout.columns) {
            let shaped = try shape(cell, header ? layout.headerStyle : column.style, width: column.width - 2 * layout.rowPadding)
            shapedCells.append((shaped, x + layout.rowPadding, column.width - 2 * layout.rowPadding))
            height = max(height, shaped.height)
            x += column.width
        }
        for (index, (shaped, x, width)) in shapedCells.enumerated() {
            frame.items.append(.text(.init(id: header ? "table-header-\(index)" : "cell-\(index)", x: x, y: top + layout.rowPadding,
                                           width: width, shaped: shaped)))
        }
        let bottom = top + height + 2 * layout.rowPadding
        frame.items.append(.stroke(.init(shape: .line(x1: layout.margin, y1: bottom, x2: layout.pageWidth - layout.margin, y2: bottom),
                                         width: header ? 0.8 : 0.3, color: header ? RGBColor(hex: "#1F3A5F")! : RGBColor(hex: "#BBBBBB")!)))
        return bottom
    }
}

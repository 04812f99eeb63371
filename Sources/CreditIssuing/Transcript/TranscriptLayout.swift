import CreditLayout
import CreditRecords
import CreditStatements
import Foundation
import Mustache

/// A transcript design, read from `Templates/transcripts/NAME.yaml`.
public struct TranscriptLayout {
    public var file: String
    public var version: Int
    public var pageWidth: Double, pageHeight: Double, margin: Double
    public var title: Line
    /// Lines under the title on the first page.
    public var header: [Line]
    /// The line at the top of every later page.
    public var runningHeader: Line
    public var columns: [Column]
    public var headerStyle: TextStyle
    public var rowStyle: TextStyle
    public var rowPadding: Double
    public var totalsTitle: Line
    public var statements: [Line]
    public var footer: Line

    /// A line of template text in a style.
    public struct Line {
        public var template: MustacheTemplate
        public var source: String
        public var style: TextStyle
    }

    /// A table column: its heading, the record field it shows, its width.
    public struct Column {
        public var title: String
        public var field: String
        public var width: Double
        public var style: TextStyle
    }

    package static let fields = ["date", "title", "provider", "format", "creditType", "amount"]

    public static func read(_ url: URL, fonts: FontLibrary) throws -> TranscriptLayout {
        let reader = FieldReader(try InputDocument.load(url))
        let root = reader.root
        root.rejectUnknownKeys(["version", "description", "page", "defaults", "title", "header", "runningHeader", "columns",
                                "headerStyle", "rowStyle", "rowPadding", "totalsTitle", "statements", "footer"])
        let page = LayoutSpec.readPage(root)
        let defaults = LayoutSpec.readStyle(root.mapping("defaults"), base: TextStyle(), fonts: fonts)
        func line(_ map: FieldMapping?) -> Line? {
            guard let map else { return nil }
            map.rejectUnknownKeys(["text", "style"])
            guard let text = map.string("text", required: true) else { return nil }
            do {
                return Line(template: try parseTemplate(text, file: reader.document.file), source: text,
                            style: LayoutSpec.readStyle(map.mapping("style"), base: defaults, fonts: fonts))
            } catch {
                map.reader.report(map.child("text"), map.value("text"), error.message)
                return nil
            }
        }
        let rowStyle = LayoutSpec.readStyle(root.mapping("rowStyle"), base: defaults, fonts: fonts)
        let columns: [Column] = root.mappings("columns", required: true).compactMap { item in
            item.rejectUnknownKeys(["title", "field", "width", "align"])
            let field = item.choice("field", required: true, allowed: fields.joined(separator: ", ")) { fields.contains($0) ? $0 : nil }
            var style = rowStyle
            style.alignment = item.choice("align", allowed: "left, center, right") { TextStyle.Alignment(rawValue: $0) } ?? .left
            guard let title = item.string("title", required: true), let field, let width = item.number("width", required: true) else { return nil }
            return Column(title: title, field: field, width: width, style: style)
        }
        let layout = page.flatMap { page -> TranscriptLayout? in
            guard let title = line(root.mapping("title", required: true)), let running = line(root.mapping("runningHeader", required: true)),
                  let totals = line(root.mapping("totalsTitle", required: true)), let footer = line(root.mapping("footer", required: true)) else { return nil }
            return TranscriptLayout(
                file: reader.document.file, version: root.number("version").map { Int($0) } ?? 1,
                pageWidth: page.0, pageHeight: page.1, margin: page.2, title: title,
                header: root.mappings("header").compactMap(line), runningHeader: running, columns: columns,
                headerStyle: LayoutSpec.readStyle(root.mapping("headerStyle"), base: rowStyle, fonts: fonts),
                rowStyle: rowStyle, rowPadding: root.number("rowPadding") ?? 3, totalsTitle: totals,
                statements: root.mappings("statements").compactMap(line), footer: footer)
        }
        if let layout {
            let width = layout.columns.reduce(0) { $0 + $1.width }
            let room = layout.pageWidth - 2 * layout.margin
            if abs(width - room) > 0.5 {
                reader.report("columns", root.value("columns"), "the columns are \(Int(width)) pt wide together; the page has \(Int(room)) pt between its margins",
                              hint: "make the widths add up to \(Int(room))")
            }
        }
        guard let layout, reader.problems.isEmpty else { throw InputError(reader.problems) }
        return layout
    }
}

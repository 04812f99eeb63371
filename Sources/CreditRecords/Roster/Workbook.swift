import CSV
import Foundation
import ZIPFoundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An Excel workbook (`.xlsx`) read as the CSV text of its first sheet, so that a roster
/// saved from Excel goes through the same reader as any other.
///
/// What a cell holds becomes what a CSV export of it would show: text as written, numbers
/// to 15 significant digits (24.5, not 24.499999999999996), cells formatted as dates as ISO
/// dates (`2018-06-05`), TRUE and FALSE. Empty rows inside the sheet are kept as empty
/// lines, so that row numbers stay the spreadsheet's. The archive is untrusted: every part
/// read is limited in size, and a part that is not what a workbook holds is refused.
package enum Workbook {
    /// The most any one part of the workbook may hold, unpacked.
    package static let partLimit = 256 << 20

    /// Whether `head` starts like a ZIP archive (an `.xlsx` is one).
    package static func isZIP(_ head: Data) -> Bool { head.starts(with: [0x50, 0x4B, 0x03, 0x04]) }

    /// The first sheet as UTF-8 CSV, with the sheet's name.
    package static func firstSheetCSV(_ data: Data, name: String) throws(InputError) -> (csv: Data, sheet: String) {
        func refuse(_ message: String) -> InputError {
            InputError([Problem(file: name, field: "", message: message,
                                hint: "in Excel choose File › Save As › \"CSV UTF-8 (Comma delimited)\" and give that file")])
        }
        // Read from a private file, not from memory: ZIPFoundation's in-memory archive traps on
        // an entry that points past the end of the data (found by the roster fuzz target),
        // where reading a file simply comes up short.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("creditpress-workbook-\(UUID().uuidString).xlsx")
        guard FileManager.default.createFile(atPath: file.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw InputError([Problem(file: name, field: "", message: "could not be read: no room for a private copy of the workbook",
                                      hint: "free some space in \(FileManager.default.temporaryDirectory.path), or save the sheet as CSV UTF-8")])
        }
        defer { try? FileManager.default.removeItem(at: file) }
        let archive: Archive
        do { archive = try Archive(url: file, accessMode: .read) } catch {
            throw refuse("looks like a ZIP archive but cannot be opened as an Excel workbook")
        }
        func part(_ path: String) throws(InputError) -> Data? {
            guard let entry = archive[path] else { return nil }
            var bytes = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    bytes.append(chunk)
                    if bytes.count > partLimit { throw WorkbookError.tooLarge }
                }
            } catch {
                throw refuse("has a part (\(path)) that cannot be unpacked or is larger than \(partLimit >> 20) MiB")
            }
            return bytes
        }
        guard let workbookXML = try part("xl/workbook.xml") else {
            throw refuse("is a ZIP archive but not an Excel workbook (.xlsx): it has no xl/workbook.xml")
        }
        let workbook = WorkbookParts.parse(workbookXML)
        guard let first = workbook.sheets.first else { throw refuse("has no sheet") }
        var sheetPath = "xl/worksheets/sheet1.xml"
        if let rels = try part("xl/_rels/workbook.xml.rels"),
           let target = WorkbookParts.relationships(rels)[first.relationship] {
            sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
        }
        guard let sheetXML = try part(sheetPath) else { throw refuse("has no data for its first sheet '\(first.name)'") }
        let strings = try part("xl/sharedStrings.xml").map(WorkbookParts.sharedStrings) ?? []
        let dateStyles = try part("xl/styles.xml").map(WorkbookParts.dateStyles) ?? []
        let rows: [[String]]
        do {
            rows = try SheetReader(strings: strings, dateStyles: dateStyles, date1904: workbook.date1904).read(sheetXML)
        } catch {
            throw refuse("has a first sheet that cannot be read (\(error))")
        }
        let stream = OutputStream.toMemory()
        do {
            let writer = try CSVWriter(stream: stream)
            for row in rows { try writer.write(row: row) }
        } catch {
            throw refuse("could not be turned into CSV text")
        }
        let csv = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        stream.close()
        return (csv + Data([0x0A]), first.name)
    }
}

private enum WorkbookError: Error, CustomStringConvertible {
    case tooLarge
    case tooManyCells
    case badXML(String)

    var description: String {
        switch self {
        case .tooLarge: return "a part is too large"
        case .tooManyCells: return "more than 2,000,000 cells or a column past 16,384"
        case .badXML(let message): return "not well-formed XML: \(message)"
        }
    }
}

/// The small parts of a workbook: its sheets, their files, shared strings, date styles.
private enum WorkbookParts {
    struct Sheet { var name: String; var relationship: String }

    static func parse(_ xml: Data) -> (sheets: [Sheet], date1904: Bool) {
        var sheets: [Sheet] = []
        var date1904 = false
        ElementWalker.walk(xml) { element, attributes in
            switch element {
            case "sheet":
                let relationship = attributes.first { $0.key == "r:id" || $0.key.hasSuffix(":id") }?.value ?? ""
                sheets.append(Sheet(name: attributes["name"] ?? "Sheet1", relationship: relationship))
            case "workbookPr":
                date1904 = ["1", "true"].contains(attributes["date1904"] ?? "")
            default: break
            }
        }
        return (sheets, date1904)
    }

    static func relationships(_ xml: Data) -> [String: String] {
        var targets: [String: String] = [:]
        ElementWalker.walk(xml) { element, attributes in
            if element == "Relationship", let id = attributes["Id"], let target = attributes["Target"] { targets[id] = target }
        }
        return targets
    }

    /// Every shared string: the text of its `t` elements, phonetic runs left out.
    static func sharedStrings(_ xml: Data) -> [String] {
        let collector = TextCollector(item: "si", text: "t", skip: "rPh")
        collector.run(xml)
        return collector.items
    }

    /// The indexes of the cell formats (`cellXfs`) that show a number as a date.
    static func dateStyles(_ xml: Data) -> Set<Int> {
        var customDates: Set<Int> = []
        var inCellFormats = false
        var index = 0
        var dates: Set<Int> = []
        ElementWalker.walk(xml, end: { element in if element == "cellXfs" { inCellFormats = false } }) { element, attributes in
            switch element {
            case "numFmt":
                if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"], isDateCode(code) {
                    customDates.insert(id)
                }
            case "cellXfs": inCellFormats = true
            case "xf" where inCellFormats:
                let format = attributes["numFmtId"].flatMap(Int.init) ?? 0
                if (14...22).contains(format) || (45...47).contains(format) || customDates.contains(format) { dates.insert(index) }
                index += 1
            default: break
            }
        }
        return dates
    }

    /// A number format that shows a date: it has a day, month or year code outside quotes
    /// and brackets (`[Red]`, `"text"`), and no elapsed-time code.
    static func isDateCode(_ code: String) -> Bool {
        var plain = ""
        var quoted = false, bracket = false
        for character in code {
            if character == "\"" { quoted.toggle(); continue }
            if quoted { continue }
            if character == "[" { bracket = true; continue }
            if character == "]" { bracket = false; continue }
            if !bracket { plain.append(character) }
        }
        let lower = plain.lowercased()
        return lower.contains { "dmy".contains($0) }
    }
}

/// The rows of a sheet's XML, cell by cell.
private final class SheetReader: NSObject, XMLParserDelegate {
    let strings: [String]
    let dateStyles: Set<Int>
    let date1904: Bool
    private var rows: [[String]] = []
    private var row: [String] = []
    private var rowNumber = 0
    private var cellColumn = 0
    private var cellType = ""
    private var cellStyle = 0
    private var text = ""
    private var collecting = false
    private var inInline = false
    private var cells = 0
    private var failure: WorkbookError?

    init(strings: [String], dateStyles: Set<Int>, date1904: Bool) {
        self.strings = strings
        self.dateStyles = dateStyles
        self.date1904 = date1904
    }

    func read(_ xml: Data) throws -> [[String]] {
        let parser = XMLParser(data: xml)
        parser.delegate = self
        parser.shouldResolveExternalEntities = false
        if !parser.parse() {
            throw failure ?? WorkbookError.badXML(parser.parserError.map { "\($0.localizedDescription)" } ?? "unknown error")
        }
        if let failure { throw failure }
        // Trailing empty rows are not rows of the roster.
        while let last = rows.last, last.allSatisfy(\.isEmpty) { rows.removeLast() }
        return rows
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch local(element) {
        case "row":
            let number = attributes["r"].flatMap(Int.init) ?? rowNumber + 1
            // Rows the sheet skips are empty lines, so that the row numbers stay Excel's;
            // none before the first row that holds anything (the header).
            // (Two empty fields: a line with a comma, which the CSV reader counts as a row.)
            if !rows.isEmpty { while rowNumber + 1 < number, rows.count < 1_000_000 { rows.append(["", ""]); rowNumber += 1 } }
            rowNumber = number
            row = []
        case "c":
            cellColumn = attributes["r"].map(Self.column) ?? row.count
            cellType = attributes["t"] ?? "n"
            cellStyle = attributes["s"].flatMap(Int.init) ?? 0
            text = ""
            cells += 1
            if cells > 2_000_000 || cellColumn >= 16_384 { fail(.tooManyCells, parser) }
        case "v": collecting = true; text = ""
        case "is": inInline = true; text = ""
        case "t" where inInline: collecting = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if collecting { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        switch local(element) {
        case "v", "t": collecting = false
        case "is": inInline = false
        case "c":
            while row.count < cellColumn { row.append("") }
            if row.count == cellColumn { row.append(value()) }
        case "row":
            if !(rows.isEmpty && row.allSatisfy(\.isEmpty)) { rows.append(row) }
        default: break
        }
    }

    private func fail(_ error: WorkbookError, _ parser: XMLParser) {
        failure = error
        parser.abortParsing()
    }

    private func local(_ name: String) -> String {
        name.split(separator: ":").last.map(String.init) ?? name
    }

    /// The cell's value as a CSV export shows it.
    private func value() -> String {
        switch cellType {
        case "s": return Int(text).flatMap { strings.indices.contains($0) ? strings[$0] : nil } ?? ""
        case "inlineStr", "str", "e": return text
        case "b": return text == "1" ? "TRUE" : "FALSE"
        default:
            guard let number = Double(text), number.isFinite else { return text }
            if dateStyles.contains(cellStyle), let date = Self.date(serial: number, date1904: date1904) { return date }
            return Self.number(number)
        }
    }

    /// `B7` → 1 (columns from 0).
    static func column(_ reference: String) -> Int {
        var column = 0
        for scalar in reference.unicodeScalars {
            guard (65...90).contains(scalar.value) || (97...122).contains(scalar.value) else { break }
            column = column * 26 + Int(scalar.value & 0x1F)
            if column > 16_384 { return column }
        }
        return column - 1
    }

    /// 24.5, 38.75, 3 — at most 15 significant digits, as Excel shows them.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.15g", value)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    /// An Excel date serial as an ISO date (1900 system: day 1 is 1900-01-01, with Excel's
    /// phantom 1900-02-29 at 60; 1904 system: day 0 is 1904-01-01).
    static func date(serial: Double, date1904: Bool) -> String? {
        let day = Int(serial.rounded(.down))
        guard day >= 1, day < 2_958_466 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let origin = date1904 ? DateComponents(year: 1904, month: 1, day: 1) : DateComponents(year: 1899, month: 12, day: day > 60 ? 30 : 31)
        guard let start = calendar.date(from: origin), let date = calendar.date(byAdding: .day, value: day, to: start) else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

/// Calls `start` for every element with its attributes (the small parts of a workbook).
private final class ElementWalker: NSObject, XMLParserDelegate {
    let start: (String, [String: String]) -> Void
    let end: (String) -> Void

    init(start: @escaping (String, [String: String]) -> Void, end: @escaping (String) -> Void) {
        self.start = start
        self.end = end
    }

    static func walk(_ xml: Data, end: @escaping (String) -> Void = { _ in }, start: @escaping (String, [String: String]) -> Void) {
        let walker = ElementWalker(start: start, end: end)
        let parser = XMLParser(data: xml)
        parser.shouldResolveExternalEntities = false
        parser.delegate = walker
        _ = parser.parse()
    }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        start(element.split(separator: ":").last.map(String.init) ?? element, attributes)
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        end(element.split(separator: ":").last.map(String.init) ?? element)
    }
}

/// The text of every `item` element: its `text` elements joined, those inside `skip` left out.
private final class TextCollector: NSObject, XMLParserDelegate {
    let item: String, text: String, skip: String
    private(set) var items: [String] = []
    private var current = ""
    private var inText = false, skipping = 0

    init(item: String, text: String, skip: String) {
        (self.item, self.text, self.skip) = (item, text, skip)
    }

    func run(_ xml: Data) {
        let parser = XMLParser(data: xml)
        parser.shouldResolveExternalEntities = false
        parser.delegate = self
        _ = parser.parse()
    }

    private func local(_ name: String) -> String { name.split(separator: ":").last.map(String.init) ?? name }

    func parser(_ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch local(element) {
        case item: current = ""
        case skip: skipping += 1
        case text: inText = skipping == 0
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { current += string }
    }

    func parser(_ parser: XMLParser, didEndElement element: String, namespaceURI: String?, qualifiedName: String?) {
        switch local(element) {
        case item: items.append(current)
        case skip: skipping -= 1
        case text: inText = false
        default: break
        }
    }
}

import CreditRecords
import Foundation

/// What a PDF's cross-reference tables say: where each object starts and what the trailer
/// names. Reads the classic tables Cairo and CreditPress write (following `/Prev` through
/// earlier revisions); cross-reference streams are refused, not guessed at.
package struct PDFIndex {
    package let bytes: [UInt8]
    /// Offset of the newest cross-reference section.
    package let startXref: Int
    package let size: Int
    package let root: Int
    package let info: Int?
    /// Byte offset of each object's `N G obj`, newest revision first.
    package let offsets: [Int: Int]
    /// How many revisions (cross-reference sections) the file has: 1 for a file as Cairo wrote it.
    package let revisions: Int

    package init(_ bytes: [UInt8]) throws(PDFStructureError) {
        self.bytes = bytes
        guard let marker = Self.lastRange(of: Array("startxref".utf8), in: bytes) else {
            throw PDFStructureError("no 'startxref': this is not a complete PDF")
        }
        var cursor = PDFCursor(bytes: bytes, position: marker + 9)
        guard let start = cursor.integer() else { throw PDFStructureError("'startxref' is not followed by an offset") }
        startXref = start
        var offsets: [Int: Int] = [:]
        var trailer: String?
        var section: Int? = start
        var visited = Set<Int>()
        while let position = section, visited.insert(position).inserted {
            let (entries, dictionary) = try Self.readSection(bytes, at: position)
            for (number, offset) in entries where offsets[number] == nil { offsets[number] = offset }
            if trailer == nil { trailer = dictionary }
            section = PDFDictionary.integer("Prev", in: dictionary)
        }
        guard let trailer, let size = PDFDictionary.integer("Size", in: trailer),
              let root = PDFDictionary.reference("Root", in: trailer) else {
            throw PDFStructureError("the trailer names no /Size or /Root")
        }
        self.size = size
        self.root = root
        self.info = PDFDictionary.reference("Info", in: trailer)
        self.offsets = offsets
        self.revisions = visited.count
    }

    /// A stream object's dictionary and its data (still encoded), measured by `/Length`,
    /// which may be a reference to another object.
    package func stream(_ number: Int) throws(PDFStructureError) -> (dictionary: String, data: ArraySlice<UInt8>) {
        let dictionary = try object(number)
        guard let offset = offsets[number],
              let keyword = Self.firstRange(of: Array("stream".utf8), in: bytes, from: offset, limit: dictionary.utf8.count + 64) else {
            throw PDFStructureError("object \(number) is not a stream")
        }
        var start = keyword + 6
        if start < bytes.count, bytes[start] == 0x0D { start += 1 }
        if start < bytes.count, bytes[start] == 0x0A { start += 1 }
        let length: Int?
        if let reference = PDFDictionary.reference("Length", in: dictionary) {
            length = Int(try object(reference))
        } else {
            length = PDFDictionary.integer("Length", in: dictionary)
        }
        guard let length, length >= 0, start + length <= bytes.count else {
            throw PDFStructureError("object \(number) has no usable /Length")
        }
        return (dictionary, bytes[start..<(start + length)])
    }

    /// The stream data of object `number`, or nil when it is a dictionary without one.
    package func streamIfAny(_ number: Int) throws(PDFStructureError) -> ArraySlice<UInt8>? {
        guard let offset = offsets[number],
              let end = Self.firstRange(of: Array("endobj".utf8), in: bytes, from: offset, limit: bytes.count),
              Self.firstRange(of: Array("stream".utf8), in: bytes, from: offset, limit: end - offset) != nil else { return nil }
        return try stream(number).data
    }

    /// The text of object `number` between `obj` and `endobj` (dictionaries only: any
    /// stream data is cut off at `stream`).
    package func object(_ number: Int) throws(PDFStructureError) -> String {
        guard let offset = offsets[number], offset < bytes.count else {
            throw PDFStructureError("object \(number) is not in the cross-reference table")
        }
        guard let objStart = Self.firstRange(of: Array("obj".utf8), in: bytes, from: offset, limit: 40) else {
            throw PDFStructureError("object \(number) does not start where the table says")
        }
        let bodyStart = objStart + 3
        var end = Self.firstRange(of: Array("endobj".utf8), in: bytes, from: bodyStart, limit: bytes.count) ?? bytes.count
        if let stream = Self.firstRange(of: Array("stream".utf8), in: bytes, from: bodyStart, limit: end - bodyStart - 6) {
            end = stream
        }
        var start = bodyStart
        while start < end, PDFLexer.isSpace(bytes[start]) { start += 1 }
        while end > start, PDFLexer.isSpace(bytes[end - 1]) { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    /// The first page's object number, through the catalog's page tree.
    package func firstPage() throws(PDFStructureError) -> Int {
        var node = try PDFDictionary.reference("Pages", in: object(root))
        var depth = 0
        while let current = node, depth < 32 {
            let text = try object(current)
            if PDFDictionary.name("Type", in: text) == "Page" { return current }
            node = PDFDictionary.firstArrayReference("Kids", in: text)
            depth += 1
        }
        throw PDFStructureError("the page tree has no page")
    }

    private static func readSection(_ bytes: [UInt8], at position: Int) throws(PDFStructureError) -> ([Int: Int], String) {
        var cursor = PDFCursor(bytes: bytes, position: position)
        guard cursor.keyword() == "xref" else {
            throw PDFStructureError("the cross-reference data at \(position) is a stream or damaged; only classic tables are read")
        }
        var entries: [Int: Int] = [:]
        while true {
            let mark = cursor.position
            if cursor.keyword() == "trailer" { break }
            cursor.position = mark
            guard let first = cursor.integer(), let count = cursor.integer() else {
                throw PDFStructureError("the cross-reference table at \(position) is damaged")
            }
            for number in first..<(first + count) {
                guard let offset = cursor.integer(), cursor.integer() != nil, let kind = cursor.keyword() else {
                    throw PDFStructureError("the cross-reference table at \(position) is damaged")
                }
                if kind == "n" { entries[number] = offset }
            }
        }
        guard let open = firstRange(of: Array("<<".utf8), in: bytes, from: cursor.position, limit: 64),
              let close = firstRange(of: Array("startxref".utf8), in: bytes, from: open, limit: 4096) else {
            throw PDFStructureError("the trailer at \(position) is damaged")
        }
        return (entries, String(decoding: bytes[open..<close], as: UTF8.self))
    }

    package static func lastRange(of needle: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = bytes.count - needle.count
        while index >= 0 {
            if bytes[index] == needle[0], Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index -= 1
        }
        return nil
    }

    package static func firstRange(of needle: [UInt8], in bytes: [UInt8], from start: Int, limit: Int) -> Int? {
        let end = min(bytes.count - needle.count, start + limit)
        guard start <= end, !needle.isEmpty else { return nil }
        return bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { pattern in
                var index = start
                while index <= end {
                    // memchr finds the first byte's next occurrence at C speed.
                    guard let hit = memchr(haystack.baseAddress! + index, Int32(pattern[0]), end - index + 1) else { return nil }
                    index = haystack.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(haystack.baseAddress! + index, pattern.baseAddress!, pattern.count) == 0 { return index }
                    index += 1
                }
                return nil
            }
        }
    }
}

extension PDFStructureError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(kind: .render, file: "", message: description)] }
}

/// A problem with a PDF's structure.
public struct PDFStructureError: Error, CustomStringConvertible {
    public let description: String
    package init(_ description: String) { self.description = description }
}

/// Reads whitespace-separated tokens from PDF bytes.
package struct PDFCursor {
    package let bytes: [UInt8]
    package var position: Int

    package init(bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
    }

    package mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09, 0x0C, 0x00].contains(bytes[position]) { position += 1 }
    }

    package mutating func keyword() -> String? {
        skipSpace()
        let start = position
        while position < bytes.count, (bytes[position] >= 0x61 && bytes[position] <= 0x7A) { position += 1 }
        return position > start ? String(decoding: bytes[start..<position], as: UTF8.self) : nil
    }

    package mutating func integer() -> Int? {
        skipSpace()
        let start = position
        while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
        return position > start ? Int(String(decoding: bytes[start..<position], as: UTF8.self)) : nil
    }
}

/// Reading single entries of a PDF dictionary's text, for the few keys signing needs.
package enum PDFDictionary {
    package static func value(_ key: String, in text: String) -> Substring? {
        let needle = Array("/\(key)".utf8)
        let utf8 = text.utf8
        var from = utf8.startIndex
        while let found = firstIndex(of: needle, in: utf8, from: from) {
            var after = utf8.index(found, offsetBy: needle.count)
            // `/Key` must not be a prefix of a longer name, such as /Type of /TypeX.
            if after < utf8.endIndex, !PDFLexer.isSpace(utf8[after]), !PDFLexer.isDelimiter(utf8[after]) {
                from = utf8.index(after: found)
                continue
            }
            while after < utf8.endIndex, PDFLexer.isSpace(utf8[after]) { after = utf8.index(after: after) }
            return text[after...]
        }
        return nil
    }

    private static func firstIndex(of needle: [UInt8], in utf8: String.UTF8View, from start: String.Index) -> String.Index? {
        var index = start
        while index < utf8.endIndex {
            guard let hit = utf8[index...].firstIndex(of: needle[0]) else { return nil }
            if utf8[hit...].starts(with: needle) { return hit }
            index = utf8.index(after: hit)
        }
        return nil
    }

    /// A text string value, literal `( … )` or hexadecimal `< … >` (UTF-16BE with its BOM,
    /// or PDFDocEncoding read as Latin-1).
    package static func string(_ key: String, in text: String) -> String? {
        guard let rest = value(key, in: text), let first = rest.first else { return nil }
        var bytes: [UInt8] = []
        if first == "(" {
            let text = Array(rest.utf8.dropFirst())
            var index = 0, depth = 0
            scan: while index < text.count {
                let byte = text[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\\"):
                    guard index < text.count else { break scan }
                    let escaped = text[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "0")...UInt8(ascii: "7"):
                        // One to three octal digits.
                        var value = Int(escaped - 0x30)
                        var digits = 1
                        while digits < 3, index < text.count, (0x30...0x37).contains(text[index]) {
                            value = value * 8 + Int(text[index] - 0x30)
                            index += 1
                            digits += 1
                        }
                        bytes.append(UInt8(value & 0xFF))
                    default: bytes.append(escaped)
                    }
                case UInt8(ascii: "("):
                    depth += 1
                    bytes.append(byte)
                case UInt8(ascii: ")"):
                    if depth == 0 { break scan }
                    depth -= 1
                    bytes.append(byte)
                default:
                    bytes.append(byte)
                }
            }
        } else if first == "<" {
            let hex = rest.dropFirst().prefix { $0 != ">" }.filter { !$0.isWhitespace }
            var iterator = hex.makeIterator()
            while let high = iterator.next() {
                let low = iterator.next() ?? "0"
                guard let value = UInt8(String([high, low]), radix: 16) else { return nil }
                bytes.append(value)
            }
        } else {
            return nil
        }
        if bytes.starts(with: [0xFE, 0xFF]) {
            var units: [UInt16] = []
            var index = 2
            while index + 1 < bytes.count {
                units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
        return String(String.UnicodeScalarView(bytes.map(PDFDictionary.pdfDocEncoding)))
    }

    /// A PDFDocEncoding byte as the character it stands for (PDF 32000-1, annex D): Latin-1
    /// but for accents at 0x18–0x1F and typographic marks at 0x80–0xA0.
    package static func pdfDocEncoding(_ byte: UInt8) -> Unicode.Scalar {
        let low: [UInt32] = [0x02D8, 0x02C7, 0x02C6, 0x02D9, 0x02DD, 0x02DB, 0x02DA, 0x02DC]
        let high: [UInt32] = [0x2022, 0x2020, 0x2021, 0x2026, 0x2014, 0x2013, 0x0192, 0x2044, 0x2039, 0x203A, 0x2212,
                              0x2030, 0x201E, 0x201C, 0x201D, 0x2018, 0x2019, 0x201A, 0x2122, 0xFB01, 0xFB02, 0x0141,
                              0x0152, 0x0160, 0x0178, 0x017D, 0x0131, 0x0142, 0x0153, 0x0161, 0x017E, 0xFFFD, 0x20AC]
        switch byte {
        case 0x18...0x1F: return Unicode.Scalar(low[Int(byte - 0x18)]) ?? "\u{FFFD}"
        case 0x80...0xA0: return Unicode.Scalar(high[Int(byte - 0x80)]) ?? "\u{FFFD}"
        default: return Unicode.Scalar(byte)
        }
    }

    package static func integer(_ key: String, in text: String) -> Int? {
        guard let rest = value(key, in: text) else { return nil }
        return Int(rest.prefix { $0.isASCII && $0.isNumber })
    }

    package static func reference(_ key: String, in text: String) -> Int? {
        guard let rest = value(key, in: text) else { return nil }
        return leadingReference(rest)
    }

    /// The number of the `N G R` that `text` starts with.
    private static func leadingReference(_ text: Substring) -> Int? {
        let words = text.split(maxSplits: 3, omittingEmptySubsequences: true) { $0 == " " || $0 == "\n" || $0 == "\r" }
        guard words.count >= 3, words[2].hasPrefix("R"), Int(words[1]) != nil, let number = Int(words[0]) else { return nil }
        return number
    }

    package static func name(_ key: String, in text: String) -> String? {
        guard let rest = value(key, in: text), rest.first == "/" else { return nil }
        return String(rest.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" })
    }

    package static func firstArrayReference(_ key: String, in text: String) -> Int? {
        guard let rest = value(key, in: text), rest.first == "[" else { return nil }
        return leadingReference(rest.dropFirst())
    }

    /// `text` (a `<< … >>` dictionary) with `entries` added before its closing `>>`.
    package static func adding(_ entries: String, to text: String) throws(PDFStructureError) -> String {
        guard text.hasPrefix("<<"), let close = text.range(of: ">>", options: .backwards) else {
            throw PDFStructureError("an object to update is not a dictionary")
        }
        return text[..<close.lowerBound] + entries + "\n" + text[close.lowerBound...]
    }
}

import CreditRecords
import Foundation

/// Joins PDFs that Cairo wrote (classic cross-reference tables, one flat page tree, no
/// outline, no structure) into one, with an outline entry a page: how the merged PDF of a
/// long batch is drawn by several processes at once, each writing parts.
///
/// The joined file's pages are chosen and ordered by the caller, part by part and page by
/// page, so a part's pages need not come in the file's order, and a page no one asks for is
/// left out with whatever only it uses. The objects the chosen pages use are copied as they
/// are (streams byte for byte) under new numbers; only the references in the objects'
/// dictionaries are renumbered, found by `PDFLexer`, so a `0 R` inside a string is never
/// touched. Each part's pages point at the joined file's page tree; its catalog and page
/// tree are left behind; the document information is the first part's, with the entries
/// the caller gives in place of its own.
package enum PDFConcatenation {
    /// A page of the joined file: page `page` (from 0, in its page tree's order) of `parts[part]`.
    package struct Page: Equatable, Sendable {
        package var part: Int
        package var page: Int

        package init(part: Int, page: Int) {
            (self.part, self.page) = (part, page)
        }
    }

    /// Writes every page of the parts at `parts`, in order, into `output` (a new file),
    /// `outlines[i]` the outline entry of page i counted over all parts; the number of pages written.
    package static func join(_ parts: [URL], outlines: [String], into output: URL) throws -> Int {
        var pages: [Page] = []
        for (number, part) in parts.enumerated() {
            let index = try PDFIndex(try read(part))
            let count = try kids(of: index, in: part).pages.count
            pages += (0..<count).map { Page(part: number, page: $0) }
        }
        guard pages.count == outlines.count else {
            throw PDFStructureError("the parts hold \(pages.count) pages, not the \(outlines.count) expected")
        }
        return try join(parts, pages: pages, outlines: outlines, information: [], into: output)
    }

    /// Writes `pages` of the parts at `parts`, in that order, into `output` (a new file),
    /// `outlines[i]` the outline entry of `pages[i]`; `information` replaces those entries
    /// (a key without its slash, a text) of the first part's document information. The
    /// number of pages written. A part none of `pages` names is not read.
    package static func join(_ parts: [URL], pages wanted: [Page], outlines: [String],
                             information: [(key: String, text: String)], into output: URL) throws -> Int {
        guard wanted.count == outlines.count else {
            throw PDFStructureError("\(wanted.count) pages were asked for with \(outlines.count) outline entries")
        }
        // Where each part's pages go in the joined file.
        var positions = [[Int: Int]](repeating: [:], count: parts.count)
        for (position, page) in wanted.enumerated() {
            guard positions.indices.contains(page.part), page.page >= 0, positions[page.part].updateValue(position, forKey: page.page) == nil else {
                throw PDFStructureError("page \(page.page + 1) of part \(page.part + 1) was asked for twice, or its part is not there")
            }
        }
        let file = try OutputFile(url: output, truncate: true)
        defer { file.close() }
        var writer = Writer(file: file)
        try writer.put(Array("%PDF-1.7\n%".utf8) + [0xE2, 0xE3, 0xCF, 0xD3, 0x0A])
        var pages = [Int](repeating: 0, count: wanted.count)
        var info: String?
        // The page tree is object 1, so that the parts' pages can point at it as they are
        // copied; the outline, the information and the catalog follow the parts.
        let tree = 1
        var next = 2
        for (number, part) in parts.enumerated() where !positions[number].isEmpty {
            let index = try PDFIndex(try read(part))
            let (partTree, kidNumbers) = try kids(of: index, in: part)
            if info == nil, let number = index.info { info = try index.object(number) }
            let left: Set<Int> = [index.root, partTree, index.info ?? -1]
            // The objects the chosen pages use, found by following references from them;
            // each object's bytes and references are kept for its renumbering.
            var texts: [Int: (text: String, bytes: [UInt8], references: [(range: Range<Int>, number: Int)])] = [:]
            var queue: [Int] = []
            for page in positions[number].keys {
                guard kidNumbers.indices.contains(page) else {
                    throw PDFStructureError("\(part.lastPathComponent) has no page \(page + 1)")
                }
                queue.append(kidNumbers[page])
            }
            while let object = queue.popLast() {
                guard texts[object] == nil, !left.contains(object) else { continue }
                guard index.offsets[object] != nil else {
                    throw PDFStructureError("\(part.lastPathComponent): object \(object) is used but not in the file")
                }
                let text = try index.object(object)
                let bytes = Array(text.utf8)
                let references = bytes.withUnsafeBufferPointer { PDFLexer.references(in: $0) }
                texts[object] = (text, bytes, references)
                queue += references.map(\.number)
            }
            var numbers: [Int: Int] = [:]
            for object in texts.keys.sorted() {
                numbers[object] = next
                next += 1
            }
            for (page, position) in positions[number] { pages[position] = numbers[kidNumbers[page]]! }
            for object in texts.keys.sorted() {
                let (text, bytes, references) = texts[object]!
                let rewritten = renumber(bytes, references: references) { $0 == partTree ? tree : numbers[$0] } ?? text
                let stream = text.hasPrefix("<<") ? try index.streamIfAny(object) : nil
                try writer.object(numbers[object]!, rewritten, stream: stream)
            }
        }
        // The page tree, the outline, the information and the catalog.
        let outlineRoot = next, firstItem = next + 1
        let infoNumber = firstItem + pages.count, catalogNumber = infoNumber + 1
        let kids = pages.map { "\($0) 0 R" }.joined(separator: " ")
        try writer.object(tree, "<< /Type /Pages\n   /Kids [ \(kids) ]\n   /Count \(pages.count)\n>>", stream: nil)
        let outline = pages.isEmpty ? "" : "\n   /First \(firstItem) 0 R\n   /Last \(firstItem + pages.count - 1) 0 R\n   /Count -\(pages.count)"
        try writer.object(outlineRoot, "<< /Type /Outlines\(outline)\n>>", stream: nil)
        for (position, page) in pages.enumerated() {
            var item = "<< /Title \(PDFText.string(outlines[position]))\n   /Parent \(outlineRoot) 0 R"
            if position > 0 { item += "\n   /Prev \(firstItem + position - 1) 0 R" }
            if position < pages.count - 1 { item += "\n   /Next \(firstItem + position + 1) 0 R" }
            item += "\n   /Dest [\(page) 0 R /XYZ null null 0]\n>>"
            try writer.object(firstItem + position, item, stream: nil)
        }
        try writer.object(infoNumber, Self.information(info ?? "<< >>", replacing: information), stream: nil)
        try writer.object(catalogNumber, "<< /Type /Catalog\n   /Pages \(tree) 0 R\n   /Outlines \(outlineRoot) 0 R\n>>", stream: nil)
        try writer.finish(size: catalogNumber + 1, root: catalogNumber, info: infoNumber)
        return pages.count
    }

    /// A part's page tree and the objects of its pages, in order.
    private static func kids(of index: PDFIndex, in part: URL) throws -> (tree: Int, pages: [Int]) {
        let catalog = try index.object(index.root)
        guard let partTree = PDFDictionary.reference("Pages", in: catalog) else {
            throw PDFStructureError("\(part.lastPathComponent): the catalog names no page tree")
        }
        let kids = try index.object(partTree)
        guard let open = kids.range(of: "/Kids"), let start = kids[open.upperBound...].firstIndex(of: "["),
              let end = kids[start...].firstIndex(of: "]") else {
            throw PDFStructureError("\(part.lastPathComponent): the page tree lists no pages")
        }
        let numbers = Array(kids[start...end].utf8).withUnsafeBufferPointer { PDFLexer.references(in: $0) }.map(\.number)
        return (partTree, numbers)
    }

    /// A document information dictionary: `replacing`'s entries as text strings, then the
    /// entries of `text` (Cairo's: one a line) whose keys they do not name.
    static func information(_ text: String, replacing: [(key: String, text: String)]) -> String {
        guard !replacing.isEmpty else { return text }
        var entries = replacing.map { "/\($0.key) \(PDFText.string($0.text))" }
        let replaced = Set(replacing.map(\.key))
        for key in ["Producer", "Title", "Author", "Subject", "Keywords", "Creator", "CreationDate", "ModDate"] where !replaced.contains(key) {
            if let value = PDFDictionary.string(key, in: text) { entries.append("/\(key) \(PDFText.string(value))") }
        }
        return "<< " + entries.joined(separator: "\n   ") + "\n>>"
    }

    /// The whole file, read straight into one array (no second copy on the way).
    static func read(_ url: URL) throws -> [UInt8] {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw PDFStructureError("\(url.lastPathComponent) cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw PDFStructureError("\(url.lastPathComponent) cannot be read") }
        let size = Int(status.st_size)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var done = 0
            while done < size {
                let got = Foundation.read(descriptor, buffer.baseAddress! + done, size - done)
                if got < 0 && errno == EINTR { continue }
                if got <= 0 { break }
                done += got
            }
            failed = done < size
            count = done
        }
        if failed { throw PDFStructureError("\(url.lastPathComponent) was cut short while it was read") }
        return bytes
    }

    /// An object's bytes with each of the references found in them (`N 0 R`) renumbered by
    /// `number` (left as it is when nil); nil when it has none.
    static func renumber(_ bytes: [UInt8], references: [(range: Range<Int>, number: Int)], _ number: (Int) -> Int?) -> String? {
        guard !references.isEmpty else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 16)
        var cursor = 0
        for (range, old) in references {
            guard let new = number(old) else { continue }
            result += bytes[cursor..<range.lowerBound]
            result += Array("\(new) 0 R".utf8)
            cursor = range.upperBound
        }
        result += bytes[cursor...]
        return String(decoding: result, as: UTF8.self)
    }

    /// Writes objects in blocks and keeps their offsets.
    private struct Writer {
        let file: OutputFile
        var buffer: [UInt8] = []
        var offsets: [Int: UInt64] = [:]

        init(file: OutputFile) { self.file = file }

        var position: UInt64 { file.size + UInt64(buffer.count) }

        mutating func put<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
            buffer.append(contentsOf: bytes)
            if buffer.count >= 1 << 20 { try flush() }
        }

        mutating func flush() throws {
            guard !buffer.isEmpty else { return }
            try file.append(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }

        mutating func object(_ number: Int, _ text: String, stream: ArraySlice<UInt8>?) throws {
            offsets[number] = position
            try put(Array("\(number) 0 obj\n".utf8))
            try put(text.utf8)
            if let stream {
                try put(Array("\nstream\n".utf8))
                try put(stream)
                try put(Array("\nendstream".utf8))
            }
            try put(Array("\nendobj\n".utf8))
        }

        mutating func finish(size: Int, root: Int, info: Int) throws {
            let start = position
            var table = Array("xref\n0 \(size)\n0000000000 65535 f \n".utf8)
            for number in 1..<size {
                guard let offset = offsets[number] else { throw PDFStructureError("object \(number) was not written") }
                let digits = String(offset)
                table += Array((String(repeating: "0", count: max(0, 10 - digits.count)) + digits + " 00000 n \n").utf8)
            }
            table += Array("trailer\n<< /Size \(size)\n   /Root \(root) 0 R\n   /Info \(info) 0 R\n>>\nstartxref\n\(start)\n%%EOF\n".utf8)
            try put(table)
            try flush()
        }
    }
}

import CreditRecords
import Foundation

/// The accepted rows, kept on disk for the merged PDF's pass so that memory holds only a
/// small sort key per row, whatever the roster's size.
///
/// The keys' bytes sit end to end in one buffer and each row's entry is a few integers,
/// rather than a string and a tuple per row: a 38,000-row run keeps about 2 MB, not 8.
package struct RowSpool {
    private let file: OutputFile
    /// Lines not yet written: the spool writes in blocks, not a system call a row.
    private var pending: [UInt8] = []
    private var keyBytes: [UInt8] = []
    private var index: [Entry] = []

    /// Where a row's sort key and its line in the spool file are.
    fileprivate struct Entry {
        var keyStart: UInt32
        var keyLength: UInt16
        var length: UInt32
        var offset: UInt64
    }

    package init(folder: URL) throws {
        file = try OutputFile(url: folder.appendingPathComponent(".spool"), truncate: true)
    }

    /// Keeps a row for the merged PDF, with the QR code its certificate carries when known,
    /// where its drawing process added its page when it did, and its outline entry; fails
    /// when the spool cannot be written.
    package mutating func add(_ row: RosterRow, learner: Learner, id: String, qr: (text: String, modules: String?)? = nil,
                              page: MergedPages.Place? = nil, order: BatchOptions.Order) throws {
        let line = RowSpool.line(row, id: id, qr: qr, page: page, outline: "\(learner.lastName), \(learner.firstName) (\(learner.id))")
        let offset = file.size + UInt64(pending.count)
        pending += line
        if pending.count >= 1 << 18 { try flush() }
        let key: String
        switch order {
        case .roster: key = RowSpool.padded(row.number)
        case .certificateID: key = id
        case .lastName:
            let name = "\(learner.lastName)\u{1}\(learner.firstName)"
            key = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
                + "\u{1}" + RowSpool.padded(row.number)
        }
        let bytes = Array(key.utf8.prefix(Int(UInt16.max)))
        index.append(Entry(keyStart: UInt32(keyBytes.count), keyLength: UInt16(bytes.count), length: UInt32(line.count), offset: offset))
        keyBytes += bytes
    }

    /// A row as the spool keeps it: its number and number of fields, then its id, its QR text
    /// and modules (empty when not known), its page's part (empty when none) and place, its
    /// outline entry and its fields, each text as a 32-bit length and UTF-8 bytes. Written
    /// and read only by this run, so no more than that; read back without trusting any length.
    package static func line(_ row: RosterRow, id: String, qr: (text: String, modules: String?)?,
                             page: MergedPages.Place? = nil, outline: String = "") -> [UInt8] {
        var bytes: [UInt8] = []
        func put(_ value: Int) {
            for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> shift)) }
        }
        func put(_ text: String) {
            put(text.utf8.count)
            bytes.append(contentsOf: text.utf8)
        }
        put(row.number)
        put(row.fields.count)
        put(id)
        put(qr?.text ?? "")
        put(qr?.modules ?? "")
        put(page?.part ?? "")
        put(page?.index ?? 0)
        put(outline)
        for field in row.fields { put(field) }
        return bytes
    }

    /// A line `line(_:id:qr:)` wrote, or nil when it is not one.
    package static func spooled(_ data: Data) -> Spooled? {
        let bytes = [UInt8](data)
        var at = 0
        func take() -> Int? {
            guard bytes.count - at >= 4 else { return nil }
            var value = 0
            for shift in 0..<4 { value |= Int(bytes[at + shift]) << (8 * shift) }
            at += 4
            return value
        }
        func text() -> String? {
            guard let count = take(), bytes.count - at >= count else { return nil }
            defer { at += count }
            return String(decoding: bytes[at..<(at + count)], as: UTF8.self)
        }
        guard let number = take(), let count = take(), count <= bytes.count / 4,
              let id = text(), let qrText = text(), let modules = text(),
              let part = text(), let place = take(), let outline = text() else { return nil }
        var fields: [String] = []
        fields.reserveCapacity(count)
        for _ in 0..<count {
            guard let field = text() else { return nil }
            fields.append(field)
        }
        guard at == bytes.count else { return nil }
        var spooled = Spooled(row: RosterRow(number: number, fields: fields), id: id, outline: outline)
        if !part.isEmpty { spooled.page = MergedPages.Place(part: part, index: place) }
        if !qrText.isEmpty {
            spooled.qrText = qrText
            spooled.qrModules = RowSpool.modules(modules)
            spooled.qrModulesText = modules
        }
        return spooled
    }

    /// Writes the pending lines; fails when the spool cannot be written.
    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        try file.append(Data(pending))
        pending.removeAll(keepingCapacity: true)
    }

    /// `42` → `000000000042`, so that rows sort in number order as text.
    package static func padded(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 12 - digits.count)) + digits
    }

    /// A spooled row: the roster's, its certificate id and, when the drawing said, its QR code.
    package struct Spooled {
        package var row: RosterRow
        package var id: String
        /// The merged PDF's outline entry for the row: "Last, First (learner id)".
        package var outline: String
        /// Where a drawing process added the certificate's page, when one did.
        package var page: MergedPages.Place?
        package var qrText: String?
        package var qrModules: (version: Int, packed: [UInt8])?
        /// The same, as the drawing wrote them (`VERSION:BASE64`).
        package var qrModulesText: String?
    }

    /// The rows in the chosen order, read by position. UTF-8 bytes sort as their code
    /// points do. Fails when the last lines cannot be written.
    package mutating func sorted() throws -> Sorted {
        try flush()
        pending = []
        let keys = keyBytes
        index.sort { a, b in
            keys[Int(a.keyStart)..<Int(a.keyStart) + Int(a.keyLength)]
                .lexicographicallyPrecedes(keys[Int(b.keyStart)..<Int(b.keyStart) + Int(b.keyLength)])
        }
        keyBytes = []
        return Sorted(entries: index, file: file)
    }

    /// The spooled rows in order.
    package struct Sorted {
        fileprivate let entries: [Entry]
        fileprivate let file: OutputFile

        package var count: Int { entries.count }

        /// The row at `position`, nil when the spool cannot give it back.
        package func row(_ position: Int) -> Spooled? {
            let entry = entries[position]
            guard let data = file.read(at: entry.offset, count: Int(entry.length)) else { return nil }
            return RowSpool.spooled(data)
        }
    }

    /// `VERSION:BASE64` as `IssueMaterial.qrModules` writes it.
    static func modules(_ text: String) -> (version: Int, packed: [UInt8])? {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let version = Int(parts[0]), let bytes = Data(base64Encoded: String(parts[1])) else { return nil }
        return (version, Array(bytes))
    }

    package func remove() {
        file.close()
        unlink(file.url.path)
    }
}

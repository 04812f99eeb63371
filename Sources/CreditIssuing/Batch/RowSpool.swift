import CreditRecords
import Foundation

/// The accepted rows, kept on disk for the merged PDF's pass so that memory holds only a
/// small sort key per row, whatever the roster's size.
///
/// The keys' bytes sit end to end in one buffer and each row's entry is a few integers,
/// rather than a string and a tuple per row: a 38,000-row run keeps about 2 MB, not 8.
package struct RowSpool {
    private let file: OutputFile
    private var keyBytes: [UInt8] = []
    private var index: [Entry] = []

    /// Where a row's sort key and its line in the spool file are.
    private struct Entry {
        var keyStart: UInt32
        var keyLength: UInt16
        var length: UInt32
        var offset: UInt64
    }

    package init(folder: URL) throws {
        file = try OutputFile(url: folder.appendingPathComponent(".spool"), truncate: true)
    }

    /// Keeps a row for the merged PDF, with the QR code its certificate carries when known;
    /// fails when the spool cannot be written.
    package mutating func add(_ row: RosterRow, learner: Learner, id: String, qr: (text: String, modules: String?)? = nil,
                              order: BatchOptions.Order) throws {
        let line: [Any] = [row.number, row.fields, id] + (qr.map { [$0.text, $0.modules ?? ""] } ?? [])
        guard let data = try? JSONSerialization.data(withJSONObject: line) else { return }
        let offset = file.size
        try file.append(data)
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
        index.append(Entry(keyStart: UInt32(keyBytes.count), keyLength: UInt16(bytes.count), length: UInt32(data.count), offset: offset))
        keyBytes += bytes
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
        package var qrText: String?
        package var qrModules: (version: Int, packed: [UInt8])?
    }

    /// The rows in the chosen order, with their certificate ids. UTF-8 bytes sort as their
    /// code points do.
    package mutating func rows() -> AnySequence<Spooled> {
        let keys = keyBytes
        index.sort { a, b in
            keys[Int(a.keyStart)..<Int(a.keyStart) + Int(a.keyLength)]
                .lexicographicallyPrecedes(keys[Int(b.keyStart)..<Int(b.keyStart) + Int(b.keyLength)])
        }
        keyBytes = []
        let sorted = index, file = self.file
        return AnySequence(sorted.lazy.compactMap { entry -> Spooled? in
            guard let data = file.read(at: entry.offset, count: Int(entry.length)),
                  let array = try? JSONSerialization.jsonObject(with: data) as? [Any], array.count == 3 || array.count == 5,
                  let number = array[0] as? Int, let fields = array[1] as? [String], let id = array[2] as? String else { return nil }
            var spooled = Spooled(row: RosterRow(number: number, fields: fields), id: id)
            if array.count == 5, let text = array[3] as? String, let modules = array[4] as? String {
                spooled.qrText = text
                spooled.qrModules = RowSpool.modules(modules)
            }
            return spooled
        })
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

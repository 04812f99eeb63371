import Foundation

/// The character encoding a roster file is read in. `automatic`: UTF-8 (with or without a
/// byte-order mark), UTF-16 when a byte-order mark says so (Excel's "Unicode Text"), and
/// Windows-1252 (Excel's "CSV (Comma delimited)" on Windows) when the bytes are not UTF-8 —
/// said in a notice, never silently.
public enum RosterEncoding: String, Sendable, CaseIterable {
    case automatic = "auto"
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case utf16 = "utf-16"
}

/// A roster's bytes made ready for the CSV reader, which reads UTF-8.
package enum RosterText {
    /// What to read: the file as it is (`nil`, already UTF-8, streamed) or these UTF-8 bytes;
    /// and what to tell the user about how it was read.
    package struct Prepared {
        package var utf8: Data?
        package var notice: String?
    }

    /// Reads no more than the checks need: a UTF-8 file is streamed in chunks to be checked,
    /// and only a file in another encoding is read whole to be converted.
    package static func prepare(url: URL, name: String, encoding: RosterEncoding) throws(InputError) -> Prepared {
        func whole() throws(InputError) -> Data {
            do { return try Data(contentsOf: url) } catch {
                throw InputError([Problem(file: name, field: "", message: "cannot read the roster file", hint: "check the path and that the file is readable")])
            }
        }
        if let handle = try? FileHandle(forReadingFrom: url) {
            let head = (try? handle.read(upToCount: 4)) ?? Data()
            try? handle.close()
            if Workbook.isZIP(head) { return try workbook(try whole(), name: name) }
        }
        switch encoding {
        case .windows1252: return Prepared(utf8: windows1252(try whole()))
        case .utf16: return Prepared(utf8: try utf16(try whole(), name: name))
        case .utf8, .automatic:
            guard let handle = try? FileHandle(forReadingFrom: url) else { return Prepared() }
            defer { try? handle.close() }
            let head = (try? handle.read(upToCount: 2)) ?? Data()
            if encoding == .automatic, head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
                return Prepared(utf8: try utf16(try whole(), name: name))
            }
            try? handle.seek(toOffset: 0)
            var validator = UTF8Check()
            var valid = true
            while valid, let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { valid = validator.feed(chunk) }
            if valid { valid = validator.finish() }
            if valid { return Prepared() }
            guard encoding == .automatic else { throw notUTF8(name: name, validator: validator) }
            return Prepared(utf8: windows1252(try whole()), notice: notice(name: name, validator: validator))
        }
    }

    /// An Excel workbook: its first sheet as CSV, and a notice naming the sheet.
    private static func workbook(_ data: Data, name: String) throws(InputError) -> Prepared {
        let (csv, sheet) = try Workbook.firstSheetCSV(data, name: name)
        return Prepared(utf8: csv, notice: "\(name) is an Excel workbook: its first sheet, '\(sheet)', was read (dates as the cells show them, numbers to 15 digits)")
    }

    /// Said of a file given as UTF-8 that is not: read no further, nothing garbled.
    static func notUTF8(name: String, validator: UTF8Check) -> InputError {
        let byte = validator.badByte.map { String(format: "byte 0x%02X", $0) } ?? "a byte"
        return InputError([Problem(file: name, field: "", message: "is not UTF-8 text (\(byte) on line \(validator.line)), so no row of it was read",
                                   hint: "save the roster as \"CSV UTF-8\", or give --encoding windows-1252 (Excel's \"CSV\" on Windows) or --encoding auto")])
    }

    /// The same for bytes already in memory (an upload).
    package static func prepare(data: Data, name: String, encoding: RosterEncoding) throws(InputError) -> Prepared {
        if Workbook.isZIP(data) { return try workbook(data, name: name) }
        switch encoding {
        case .windows1252: return Prepared(utf8: windows1252(data))
        case .utf16: return Prepared(utf8: try utf16(data, name: name))
        case .utf8, .automatic:
            if encoding == .automatic, data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF]) {
                return Prepared(utf8: try utf16(data, name: name))
            }
            var validator = UTF8Check()
            if validator.feed(data), validator.finish() { return Prepared() }
            guard encoding == .automatic else { throw notUTF8(name: name, validator: validator) }
            return Prepared(utf8: windows1252(data), notice: notice(name: name, validator: validator))
        }
    }

    static func notice(name: String, validator: UTF8Check) -> String {
        let byte = validator.badByte.map { String(format: "byte 0x%02X", $0) } ?? "a byte"
        return "\(name) is not UTF-8 text (\(byte) on line \(validator.line)), so it was read as Windows-1252, "
            + "the encoding of Excel's \"CSV (Comma delimited)\" on Windows; check the names in the manifest, "
            + "or save the roster as \"CSV UTF-8\" (or give --encoding) to be sure"
    }

    /// UTF-16 with its byte-order mark (or big-endian without one), as UTF-8.
    static func utf16(_ data: Data, name: String) throws(InputError) -> Data {
        guard let text = String(data: data, encoding: .utf16) else {
            throw InputError([Problem(file: name, field: "", message: "is not UTF-16 text",
                                      hint: "save the roster as \"CSV UTF-8\", or give the right --encoding")])
        }
        return Data(text.utf8)
    }

    /// Windows-1252 as UTF-8. The five bytes the code page leaves undefined become the C1
    /// control characters of the same number, which the field checks then refuse by row.
    static func windows1252(_ data: Data) -> Data {
        var out = Data()
        out.reserveCapacity(data.count + data.count / 8)
        for byte in data {
            switch byte {
            case 0..<0x80: out.append(byte)
            case 0x80..<0xA0:
                let scalar = Unicode.Scalar(highHalf[Int(byte - 0x80)]) ?? Unicode.Scalar(UInt8(byte))
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                // Latin-1 above 0x9F: U+00A0–U+00FF, two bytes in UTF-8.
                out.append(0xC0 | (byte >> 6))
                out.append(0x80 | (byte & 0x3F))
            }
        }
        return out
    }

    /// Windows-1252 0x80–0x9F (the unassigned five as their own code points).
    static let highHalf: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

/// Checks bytes for UTF-8 a chunk at a time (a sequence may straddle two chunks), noting
/// the line of the first byte that is not. The check itself is the standard library's.
package struct UTF8Check {
    private var pending: [UInt8] = []
    package private(set) var line = 1
    package private(set) var badByte: UInt8?

    package init() {}

    /// False at the first byte that cannot be UTF-8.
    package mutating func feed(_ chunk: Data) -> Bool {
        var bytes = pending + Array(chunk)
        // A sequence cut off by the chunk's end waits for the next chunk.
        let complete = Self.completeLength(bytes)
        pending = Array(bytes[complete...])
        bytes.removeLast(bytes.count - complete)
        if String(validating: bytes, as: UTF8.self) != nil {
            line += Self.newlines(bytes[...])
            return true
        }
        // Rare: find the byte, and its line, for the message.
        var index = 0
        while index < bytes.count {
            let length = Self.sequenceLength(bytes[index])
            if length == 0 || index + length > bytes.count
                || String(validating: bytes[index..<(index + length)], as: UTF8.self) == nil {
                badByte = bytes[index]
                line += Self.newlines(bytes[..<index])
                return false
            }
            index += length
        }
        return false
    }

    /// False when the file ends inside a sequence.
    package mutating func finish() -> Bool {
        if let first = pending.first {
            badByte = first
            return false
        }
        return true
    }

    /// The bytes a sequence starting with `lead` takes; 0 for a byte no sequence starts with.
    static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0..<0x80: return 1
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 0
        }
    }

    /// The length of `bytes` without a last sequence that is cut off.
    static func completeLength(_ bytes: [UInt8]) -> Int {
        var start = bytes.count
        while start > 0, bytes.count - start < 4 {
            start -= 1
            let byte = bytes[start]
            guard byte & 0xC0 == 0x80 else {
                let length = sequenceLength(byte)
                return length > 0 && start + length > bytes.count ? start : bytes.count
            }
        }
        return bytes.count
    }

    static func newlines(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.withUnsafeBufferPointer { buffer in
            guard var cursor = buffer.baseAddress else { return 0 }
            let end = cursor + buffer.count
            var count = 0
            while cursor < end, let found = memchr(cursor, 0x0A, end - cursor) {
                count += 1
                cursor = UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) + 1
            }
            return count
        }
    }
}

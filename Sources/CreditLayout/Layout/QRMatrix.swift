import CQRCode
import CreditRecords
import Foundation

/// A QR code's modules, made by libqrencode.
public struct QRMatrix: Sendable {
    public let version: Int
    public let size: Int
    /// A line of bits a row, column `c` in bit `c`, set for a dark module: what the mask
    /// choice works on, and, read little-endian, the rows of a 1-bit image as Cairo keeps
    /// them. A code is at most 128 modules wide (version 27).
    public let rows: [UInt128]

    public static let maximumVersion = 13
    /// The narrowest module the sealed payload's code aims for, in points: 4 pixels in a
    /// 150 dpi rendering, which zbar still reads from the whole page turned 3° and blurred
    /// (σ 1 pixel); at 1.8 pt (3 or 4 pixels a module) it does so only now and then.
    public static let preferredModule = 1.9

    /// Encodes `text` at error correction M with the smallest version that holds it,
    /// switching between byte, alphanumeric and numeric modes where that saves room; fails
    /// above `limit`.
    public static func encode(_ text: String, maximumVersion limit: Int = maximumVersion) throws(QRError) -> QRMatrix {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw QRError(characters: text.utf8.count, version: nil)
        }
        defer { QRcode_free(code) }
        let size = Int(code.pointee.width)
        let version = Int(code.pointee.version)
        guard version <= min(limit, maximumVersion) else { throw QRError(characters: text.utf8.count, version: version) }
        guard size <= 128 else { throw QRError(characters: text.utf8.count, version: version) }
        let data = UnsafeBufferPointer(start: code.pointee.data, count: size * size)
        let rows = (0..<size).map { row in
            var line: UInt128 = 0
            for column in 0..<size { line |= UInt128(data[row * size + column] & 1) << UInt128(column) }
            return line
        }
        return QRMatrix(version: version, size: size, rows: rows)
    }

    /// A sealed payload's text, `…CP2:DIGITS`: the part up to `CP2:` in byte mode, the
    /// digits in numeric mode, the mask chosen by `QRMaskChoice` (one encode, not eight
    /// scored by libqrencode). Any other text, and any libqrencode without the call that
    /// needs, is encoded as `encode` does it. Issue and reproduction both come here, so a
    /// text always gives the same modules.
    public static func encodeSealed(_ text: String, maximumVersion limit: Int = maximumVersion) throws(QRError) -> QRMatrix {
        // The last `CP2:`, by bytes (ASCII, so always between characters): Foundation's
        // backward search costs more than the rest of this but the encode.
        let bytes = Array(text.utf8), marker = Array("CP2:".utf8)
        guard let start = stride(from: bytes.count - marker.count, through: 0, by: -1).first(where: {
            bytes[$0..<($0 + marker.count)].elementsEqual(marker)
        }) else { return try encode(text, maximumVersion: limit) }
        let end = start + marker.count
        let digits = bytes[end...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let made = QRMaskChoice.encode(head: String(decoding: bytes[..<end], as: UTF8.self),
                                             digits: String(decoding: digits, as: UTF8.self)) else {
            return try encode(text, maximumVersion: limit)
        }
        guard made.version <= min(limit, maximumVersion) else { throw QRError(characters: text.utf8.count, version: made.version) }
        return QRMatrix(version: made.version, size: made.size, rows: made.rows)
    }

    /// The smallest version at error correction M that holds `bytes` bytes in byte mode
    /// followed by `digits` digits in numeric mode (ISO/IEC 18004 §7.4: mode indicators,
    /// character counts and the data codewords of each version), or nil above
    /// `maximumVersion`. libqrencode, which splits a text into modes itself, never needs
    /// fewer, and near a version's capacity sometimes one more; this answers without
    /// encoding (and choosing a mask), which costs far more.
    public static func estimatedVersion(bytes: Int, digits: Int) -> Int? {
        for version in 1...maximumVersion {
            let short = version <= 9
            var bits = 4 + (short ? 8 : 16) + 8 * bytes
            if digits > 0 { bits += 4 + (short ? 10 : 12) + 10 * (digits / 3) + [0, 4, 7][digits % 3] }
            if bits <= 8 * dataCodewordsM[version - 1] { return version }
        }
        return nil
    }

    /// Data codewords of versions 1–13 at error correction M.
    static let dataCodewordsM = [16, 28, 44, 64, 86, 108, 124, 154, 182, 216, 254, 290, 334]

    /// The highest version (at least 1, at most `maximumVersion`) whose modules are
    /// `preferredModule` wide or wider in a box of `side` points that holds the code and its
    /// four-module quiet zone.
    public static func preferredVersion(inBox side: Double) -> Int {
        let modules = Int((side / preferredModule).rounded(.down)) - 8
        return min(maximumVersion, max(1, (modules - 17) / 4))
    }

    /// The modules, a bit each, row by row, most significant bit first: what a batch keeps
    /// to draw the same code again on the merged PDF's page.
    public var packed: [UInt8] {
        let count = size * size
        return [UInt8](unsafeUninitializedCapacity: (count + 7) / 8) { bytes, written in
            var index = 0, byte: UInt8 = 0
            for row in rows.prefix(size) {
                var line = row
                for _ in 0..<size {
                    byte = byte << 1 | UInt8(truncatingIfNeeded: line & 1)
                    line >>= 1
                    index += 1
                    if index & 7 == 0 { bytes[index / 8 - 1] = byte; byte = 0 }
                }
            }
            if index & 7 != 0 { bytes[index / 8] = byte << UInt8(8 - index & 7) }
            written = (count + 7) / 8
        }
    }

    /// The modules from `packed`; nil when the bytes do not fit a code of that version.
    public init?(version: Int, packed: [UInt8]) {
        guard (1...27).contains(version) else { return nil }
        let size = 17 + 4 * version
        guard packed.count == (size * size + 7) / 8 else { return nil }
        var rows = [UInt128](repeating: 0, count: size)
        var index = 0
        for row in 0..<size {
            var line: UInt128 = 0
            for column in 0..<size {
                line |= UInt128(packed[index >> 3] >> UInt8(7 - index & 7) & 1) << UInt128(column)
                index += 1
            }
            rows[row] = line
        }
        self.init(version: version, size: size, rows: rows)
    }

    package init(version: Int, size: Int, rows: [UInt128]) {
        precondition(size <= 128 && rows.count == size, "a QR code of \(size) modules in \(rows.count) rows")
        (self.version, self.size, self.rows) = (version, size, rows)
    }

    public subscript(row: Int, column: Int) -> Bool { rows[row] >> UInt128(column) & 1 == 1 }

    /// Row-major, true for a dark module.
    public var modules: [Bool] {
        (0..<(size * size)).map { self[$0 / size, $0 % size] }
    }

    /// The outlines of the dark areas, as closed loops of grid corners (x = column, y = row):
    /// outer edges clockwise, holes counter-clockwise, so a non-zero fill draws exactly the
    /// dark modules. Far fewer points than a rectangle a module, which keeps the PDF small.
    public var outlines: [[(x: Int, y: Int)]] {
        // Each dark module's sides that face a light one, directed with the dark side on the
        // right. A grid corner starts at most two such edges (where two dark modules touch
        // diagonally), kept in two flat arrays.
        let stride = size + 1
        var first = [Int32](repeating: -1, count: stride * stride)
        var second = [Int32](repeating: -1, count: stride * stride)
        func edge(_ from: Int, _ to: Int) {
            if first[from] < 0 { first[from] = Int32(to) } else { second[from] = Int32(to) }
        }
        func dark(_ row: Int, _ column: Int) -> Bool {
            row >= 0 && column >= 0 && row < size && column < size && self[row, column]
        }
        for row in 0..<size {
            for column in 0..<size where self[row, column] {
                let topLeft = row * stride + column
                if !dark(row - 1, column) { edge(topLeft, topLeft + 1) }
                if !dark(row, column + 1) { edge(topLeft + 1, topLeft + 1 + stride) }
                if !dark(row + 1, column) { edge(topLeft + 1 + stride, topLeft + stride) }
                if !dark(row, column - 1) { edge(topLeft + stride, topLeft) }
            }
        }
        func take(_ vertex: Int) -> Int? {
            if second[vertex] >= 0 { defer { second[vertex] = -1 }; return Int(second[vertex]) }
            if first[vertex] >= 0 { defer { first[vertex] = -1 }; return Int(first[vertex]) }
            return nil
        }
        var loops: [[(x: Int, y: Int)]] = []
        for start in 0..<(stride * stride) {
            while let next = take(start) {
                // Walk the loop, keeping a point only where the direction turns.
                var points: [(x: Int, y: Int)] = []
                var current = next
                var direction = next - start
                while true {
                    guard let following = take(current) else { break }
                    let turn = following - current
                    if turn != direction { points.append((current % stride, current / stride)) }
                    direction = turn
                    current = following
                    if current == start { break }
                }
                if next - start != direction { points.append((start % stride, start / stride)) }
                loops.append(points)
            }
        }
        return loops
    }
}

extension QRError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(kind: .layout, file: "", block: "qr", message: description)] }
}

/// A QR code that cannot be made small enough.
public struct QRError: Error, CustomStringConvertible {
    public let characters: Int
    public let version: Int?
    public var description: String {
        if let version {
            return "the verification QR code needs version \(version), above the \(QRMatrix.maximumVersion) a phone reads reliably (\(characters) bytes)"
        }
        return "libqrencode could not encode \(characters) bytes"
    }
}

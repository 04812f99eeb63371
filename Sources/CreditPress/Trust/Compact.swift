import CQRCode
import Foundation

/// zlib (RFC 1950), as the EU Digital COVID Certificate compresses its COSE message.
enum Zlib {
    static func compress(_ input: [UInt8], level: Int32 = 9) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = CQRCode.compress2(&output, &length, input, uLong(input.count), level)
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        return Array(output.prefix(Int(length)))
    }

    /// Inflates data of at most `limit` bytes (64 MiB unless given); nil for damaged data or
    /// anything larger. The buffer starts near the likely size and doubles until it fits.
    static func inflate(_ input: [UInt8], limit: Int = 64 << 20) -> [UInt8]? {
        var capacity = min(max(4096, input.count * 4), limit)
        while true {
            var length = uLong(capacity)
            var status = Z_OK
            let output = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                status = uncompress(buffer.baseAddress, &length, input, uLong(input.count))
                count = status == Z_OK ? Int(length) : 0
            }
            if status == Z_OK { return output }
            // Z_BUF_ERROR: the output did not fit; anything else: the data is damaged.
            guard status == Z_BUF_ERROR, capacity < limit else { return nil }
            capacity = min(capacity * 2, limit)
        }
    }
}

/// RFC 4648 base 32 without padding. Its alphabet (A–Z, 2–7) is inside the QR code's
/// alphanumeric mode and needs no escaping in a URL, unlike base 45's space, % and +.
enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: character) else { return nil }
            buffer = buffer << 5 | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}

/// A QR code's modules, made by libqrencode.
public struct QRMatrix: Sendable {
    public let version: Int
    public let size: Int
    /// Row-major, true for a dark module.
    public let modules: [Bool]

    public static let maximumVersion = 13

    /// Encodes `text` at error correction M with the smallest version that holds it,
    /// switching between byte and alphanumeric modes where that saves room.
    public static func encode(_ text: String) throws(QRError) -> QRMatrix {
        guard let code = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) else {
            throw QRError(characters: text.utf8.count, version: nil)
        }
        defer { QRcode_free(code) }
        let size = Int(code.pointee.width)
        let version = Int(code.pointee.version)
        guard version <= maximumVersion else { throw QRError(characters: text.utf8.count, version: version) }
        let modules = (0..<(size * size)).map { code.pointee.data[$0] & 1 == 1 }
        return QRMatrix(version: version, size: size, modules: modules)
    }

    public subscript(row: Int, column: Int) -> Bool { modules[row * size + column] }

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
            row >= 0 && column >= 0 && row < size && column < size && modules[row * size + column]
        }
        for row in 0..<size {
            for column in 0..<size where modules[row * size + column] {
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

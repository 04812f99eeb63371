import CQRCode
import CreditRecords
import Foundation

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

import Foundation

/// The part of CBOR (RFC 8949) a COSE_Sign1 payload needs: integers, byte and text
/// strings, arrays, maps and tags, in definite lengths only.
package indirect enum CBOR: Equatable {
    case unsigned(UInt64)
    case negative(UInt64)  // the value is -1 - n
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    case map([(CBOR, CBOR)])
    case tagged(UInt64, CBOR)

    package static func == (lhs: CBOR, rhs: CBOR) -> Bool { lhs.encoded() == rhs.encoded() }

    package static func int(_ value: Int) -> CBOR {
        value >= 0 ? .unsigned(UInt64(value)) : .negative(UInt64(-1 - value))
    }

    package func encoded() -> [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    private func encode(into out: inout [UInt8]) {
        switch self {
        case .unsigned(let value): Self.head(0, value, into: &out)
        case .negative(let value): Self.head(1, value, into: &out)
        case .bytes(let bytes):
            Self.head(2, UInt64(bytes.count), into: &out)
            out += bytes
        case .text(let text):
            let utf8 = Array(text.utf8)
            Self.head(3, UInt64(utf8.count), into: &out)
            out += utf8
        case .array(let items):
            Self.head(4, UInt64(items.count), into: &out)
            for item in items { item.encode(into: &out) }
        case .map(let pairs):
            Self.head(5, UInt64(pairs.count), into: &out)
            for (key, value) in pairs {
                key.encode(into: &out)
                value.encode(into: &out)
            }
        case .tagged(let tag, let item):
            Self.head(6, tag, into: &out)
            item.encode(into: &out)
        }
    }

    private static func head(_ major: UInt8, _ value: UInt64, into out: inout [UInt8]) {
        let type = major << 5
        switch value {
        case 0..<24: out.append(type | UInt8(value))
        case 24..<0x100: out += [type | 24, UInt8(value)]
        case 0x100..<0x10000: out += [type | 25, UInt8(value >> 8), UInt8(value & 0xFF)]
        case 0x10000..<0x1_0000_0000: out += [type | 26] + (0..<4).reversed().map { UInt8((value >> ($0 * 8)) & 0xFF) }
        default: out += [type | 27] + (0..<8).reversed().map { UInt8((value >> ($0 * 8)) & 0xFF) }
        }
    }

    /// Decodes one item that fills `bytes` exactly.
    package static func decode(_ bytes: [UInt8]) throws(CBORError) -> CBOR {
        var reader = Reader(bytes: bytes)
        let item = try reader.item(depth: 0)
        guard reader.position == bytes.count else { throw CBORError("extra bytes after the CBOR item") }
        return item
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func byte() throws(CBORError) -> UInt8 {
            guard position < bytes.count else { throw CBORError("the CBOR ends early") }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func argument(_ info: UInt8) throws(CBORError) -> UInt64 {
            switch info {
            case 0..<24: return UInt64(info)
            case 24...27:
                var value: UInt64 = 0
                for _ in 0..<(1 << (info - 24)) { value = value << 8 | UInt64(try byte()) }
                return value
            default: throw CBORError("indefinite lengths are not used here")
            }
        }

        mutating func take(_ count: UInt64) throws(CBORError) -> [UInt8] {
            guard count <= UInt64(bytes.count - position) else { throw CBORError("the CBOR ends early") }
            defer { position += Int(count) }
            return Array(bytes[position..<(position + Int(count))])
        }

        mutating func item(depth: Int) throws(CBORError) -> CBOR {
            guard depth < 16 else { throw CBORError("the CBOR nests too deeply") }
            let initial = try byte()
            let value = try argument(initial & 0x1F)
            switch initial >> 5 {
            case 0: return .unsigned(value)
            case 1: return .negative(value)
            case 2: return .bytes(try take(value))
            case 3:
                guard let text = String(validating: try take(value), as: UTF8.self) else { throw CBORError("a text string is not UTF-8") }
                return .text(text)
            case 4:
                guard value <= 1000 else { throw CBORError("an array is too long") }
                var items: [CBOR] = []
                for _ in 0..<value { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                guard value <= 1000 else { throw CBORError("a map is too long") }
                var pairs: [(CBOR, CBOR)] = []
                for _ in 0..<value { pairs.append((try item(depth: depth + 1), try item(depth: depth + 1))) }
                return .map(pairs)
            case 6: return .tagged(value, try item(depth: depth + 1))
            default: throw CBORError("floating-point and simple values are not used here")
            }
        }
    }

    package subscript(key: Int) -> CBOR? {
        guard case .map(let pairs) = self else { return nil }
        return pairs.first { $0.0 == .int(key) }?.1
    }

    package var text: String? { if case .text(let value) = self { return value } else { return nil } }
    package var bytes: [UInt8]? { if case .bytes(let value) = self { return value } else { return nil } }
    package var integer: Int? {
        switch self {
        case .unsigned(let value): return value <= UInt64(Int.max) ? Int(value) : nil
        case .negative(let value): return value < UInt64(Int.max) ? -1 - Int(value) : nil
        default: return nil
        }
    }
    package var array: [CBOR]? { if case .array(let value) = self { return value } else { return nil } }
}

package struct CBORError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

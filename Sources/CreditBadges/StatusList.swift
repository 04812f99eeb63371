import CSystemZlib
import Foundation

/// A W3C Bitstring Status List: one bit per badge, set when its certificate is revoked or
/// superseded. Published GZIP-compressed and base64url-encoded (multibase `u`), at least
/// 16 KiB (131,072 bits) long so that no one badge stands out; bit 0 is the first byte's
/// most significant bit.
public struct StatusList: Sendable, Equatable {
    public static let minimumBits = 131_072
    /// A published list larger than this is refused when read (a compressed bomb).
    static let maximumBytes = 16 << 20

    public private(set) var bytes: [UInt8]

    /// Room for `positions` entries, rounded up to a multiple of the minimum.
    public init(positions: Int) {
        let bits = max(1, (positions + Self.minimumBits - 1) / Self.minimumBits) * Self.minimumBits
        bytes = [UInt8](repeating: 0, count: bits / 8)
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    public var count: Int { bytes.count * 8 }

    public mutating func set(_ position: Int) {
        guard position >= 0, position < count else { return }
        bytes[position / 8] |= 0x80 >> UInt8(position % 8)
    }

    public func isSet(_ position: Int) -> Bool {
        guard position >= 0, position < count else { return false }
        return bytes[position / 8] & (0x80 >> UInt8(position % 8)) != 0
    }

    /// `u` and the base64url (no padding) of the GZIP of the bits.
    public var encoded: String {
        "u" + Base64URL.encode(Self.gzip(bytes))
    }

    /// The list an `encodedList` holds, or nil when it is not one.
    public static func decode(_ text: String) -> StatusList? {
        guard text.first == "u", let compressed = Base64URL.decode(String(text.dropFirst())),
              let bytes = gunzip(compressed, limit: maximumBytes), !bytes.isEmpty else { return nil }
        return StatusList(bytes: bytes)
    }

    static func gzip(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        // 15 window bits + 16: a GZIP header and trailer rather than zlib's.
        var status = deflateInit2_(&stream, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib deflateInit2 failed with \(status)")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                status = deflate(&stream, Z_FINISH)
            }
        }
        precondition(status == Z_STREAM_END, "zlib deflate did not finish (\(status))")
        return Array(output.prefix(Int(stream.total_out)))
    }

    /// The GZIP member's bytes, or nil when they are not GZIP or would exceed `limit`.
    static func gunzip(_ input: [UInt8], limit: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var input = input
        var status: Int32 = Z_OK
        return input.withUnsafeMutableBufferPointer { source -> [UInt8]? in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { target -> Int in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return target.count - Int(stream.avail_out)
                }
                guard status == Z_OK || status == Z_STREAM_END, output.count + produced <= limit else { return nil }
                output += chunk.prefix(produced)
                if status == Z_OK && produced == 0 && stream.avail_in == 0 { return nil }  // truncated
            } while status != Z_STREAM_END
            return output
        }
    }
}

/// base64url without padding (RFC 4648, section 5), as JOSE and multibase `u` use it.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        standard += String(repeating: "=", count: (4 - standard.count % 4) % 4)
        return Data(base64Encoded: standard).map(Array.init)
    }
}

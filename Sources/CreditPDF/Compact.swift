import CSystemZlib
import Foundation

/// zlib (RFC 1950), as the EU Digital COVID Certificate compresses its COSE message.
package enum Zlib {
    package static func compress(_ input: [UInt8], level: Int32 = 9) -> [UInt8] {
        var length = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let status = CSystemZlib.compress2(&output, &length, input, uLong(input.count), level)
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        return Array(output.prefix(Int(length)))
    }

    /// Inflates data of at most `limit` bytes (64 MiB unless given); nil for damaged data or
    /// anything larger. The buffer starts near the likely size and doubles until it fits.
    package static func inflate(_ input: [UInt8], limit: Int = 64 << 20) -> [UInt8]? {
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
package enum Base32 {
    package static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    package static func encode(_ bytes: [UInt8]) -> String {
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

    package static func decode(_ text: String) -> [UInt8]? {
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

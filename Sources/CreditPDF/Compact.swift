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

/// Bytes as decimal digits, for the QR code's numeric mode, which spends 10 bits on three
/// digits: each 7 bytes become the 17 digits of their big-endian value (8.1 bits a byte,
/// against base 32's 8.8 in alphanumeric mode). A last group of k < 7 bytes takes the
/// fewest digits that hold 2^(8k) − 1, so the digit count tells the byte count.
package enum DecimalDigits {
    /// Digits for a group of 1…7 bytes.
    static let width = [0, 3, 5, 8, 10, 13, 15, 17]

    /// How many digits `encode` makes of `count` bytes.
    package static func count(forBytes count: Int) -> Int { count / 7 * 17 + width[count % 7] }

    package static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 17 / 7 + 17)
        var start = 0
        while start < bytes.count {
            let end = min(start + 7, bytes.count)
            var value: UInt64 = 0
            for byte in bytes[start..<end] { value = value << 8 | UInt64(byte) }
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: width[end - start])
            var index = digits.count - 1
            while value > 0 {
                digits[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
                index -= 1
            }
            output += digits
            start = end
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Nil for anything but digits in groups of the widths above, or a group whose value
    /// does not fit its bytes.
    package static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(digits.count * 7 / 17 + 7)
        var start = 0
        while start < digits.count {
            let remaining = digits.count - start
            let count: Int
            if remaining >= 17 {
                count = 7
            } else if let short = width.firstIndex(of: remaining), short > 0 {
                count = short
            } else {
                return nil
            }
            var value: UInt64 = 0
            for digit in digits[start..<start + width[count]] {
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + UInt64(digit - UInt8(ascii: "0"))  // 17 digits stay below 2^64
            }
            guard value >> UInt64(8 * count) == 0 else { return nil }
            for shift in stride(from: 8 * (count - 1), through: 0, by: -8) { output.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
            start += width[count]
        }
        return output
    }
}

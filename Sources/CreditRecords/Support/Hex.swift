import Crypto
import Foundation

/// Hexadecimal digests and bytes, as the journal, the registry, the caches and a PDF's
/// `/Contents` write them, without a formatter per byte.
package enum Hex {
    /// Lower-case hexadecimal.
    package static func string<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        String(decoding: digits(bytes, uppercase: false), as: UTF8.self)
    }

    /// The hexadecimal digits of `bytes` as ASCII.
    package static func digits<Bytes: Sequence>(_ bytes: Bytes, uppercase: Bool) -> [UInt8] where Bytes.Element == UInt8 {
        let digits = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var characters: [UInt8] = []
        characters.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return characters
    }

    /// The SHA-256 of `bytes`, in lower-case hexadecimal.
    package static func sha256<Bytes: DataProtocol>(_ bytes: Bytes) -> String {
        string(SHA256.hash(data: bytes))
    }
}

/// Instants as the PDF, the registry and the batch state write them.
package enum ISODate {
    /// `2018-06-05T17:00:00Z` (whole seconds, UTC), the form Cairo turns into a PDF date.
    package static func string(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}

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
        let digits: StaticString = uppercase ? "0123456789ABCDEF" : "0123456789abcdef"
        // A signature's room is kilobytes: written straight into the result, no append.
        func write(_ source: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            digits.withUTF8Buffer { digits in
                [UInt8](unsafeUninitializedCapacity: source.count * 2) { characters, count in
                    for (index, byte) in source.enumerated() {
                        characters[2 * index] = digits[Int(byte >> 4)]
                        characters[2 * index + 1] = digits[Int(byte & 0x0F)]
                    }
                    count = source.count * 2
                }
            }
        }
        return bytes.withContiguousStorageIfAvailable(write) ?? Array(bytes).withUnsafeBufferPointer(write)
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
        format(date, after: Array("--T::Z".utf8))
    }

    /// `20180605170000`, the digits of `string(_:)` alone (a PDF date's core).
    package static func digits(_ date: Date) -> String {
        format(date, after: [])
    }

    /// The date's six fields, each followed by its byte of `after` if any, written by bytes:
    /// Foundation's `String(format:)` costs several times as much, and a batch writes a few
    /// dates a certificate. A year outside 0–9999 is written in full.
    private static func format(_ date: Date, after: [UInt8]) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fields = [Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        for (index, value) in fields.enumerated() {
            if index == 0, !(0...9999).contains(value) {
                bytes += Array(String(value).utf8)
            } else {
                for divisor in index == 0 ? [1000, 100, 10, 1] : [10, 1] {
                    bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                }
            }
            if index < after.count { bytes.append(after[index]) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The instant `string(_:)` wrote; nil for any other text.
    package static func date(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 20, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-"), digits[10] == UInt8(ascii: "T"),
              digits[13] == UInt8(ascii: ":"), digits[16] == UInt8(ascii: ":"), digits[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ from: Int, _ count: Int) -> Int32? {
            var value: Int32 = 0
            for byte in digits[from..<(from + count)] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday) = (year - 1900, month - 1, day)
        (parts.tm_hour, parts.tm_min, parts.tm_sec) = (hour, minute, second)
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}

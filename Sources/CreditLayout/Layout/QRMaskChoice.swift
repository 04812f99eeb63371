import CQRCode
import Foundation
import Synchronization

/// Encoding a sealed payload's text (an address, then digits) with its mask chosen here.
///
/// libqrencode's public calls score all eight masks with its own evaluation on every encode,
/// which is most of what a signed certificate costs beyond an unsigned one. Here the text is
/// encoded once, with mask 0, through `QRcode_encodeMask` (which Debian's libqrencode exports
/// beside its header's calls; looked up at run time, so that a build without it falls back
/// to the public call); the data modules are unmasked, each mask is applied again with the
/// fixed patterns and format information libqrencode drew for it (kept per version), and
/// each candidate is scored by the penalty rules of ISO/IEC 18004 §7.8.3. Written by hand
/// because no library at hand scores a symbol without also encoding it eight times.
package enum QRMaskChoice {
    typealias EncodeMask = @convention(c) (OpaquePointer?, Int32) -> UnsafeMutablePointer<QRcode>?

    static let encodeMask: EncodeMask? = {
        guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "QRcode_encodeMask") else { return nil }
        return unsafeBitCast(symbol, to: EncodeMask.self)
    }()

    /// The non-data modules (finders, timing, alignment, version and format information)
    /// of each version with each mask, at error correction M: what changes with the mask is
    /// the format information alone.
    private static let fixed = Mutex<[Int: [[UInt8]]]>([:])

    /// The modules of `head` in byte mode followed by `digits` in numeric mode, or nil when
    /// libqrencode cannot make them (or has no `QRcode_encodeMask`).
    package static func encode(head: String, digits: String) -> (version: Int, size: Int, modules: [Bool], mask: Int)? {
        guard let encodeMask, let input = QRinput_new2(0, QR_ECLEVEL_M) else { return nil }
        defer { QRinput_free(input) }
        let headBytes = Array(head.utf8), digitBytes = Array(digits.utf8)
        guard headBytes.isEmpty || QRinput_append(input, QR_MODE_8, Int32(headBytes.count), headBytes) == 0,
              digitBytes.isEmpty || QRinput_append(input, QR_MODE_NUM, Int32(digitBytes.count), digitBytes) == 0,
              let first = encodeMask(input, 0) else { return nil }
        defer { QRcode_free(first) }
        let size = Int(first.pointee.width), version = Int(first.pointee.version), count = size * size
        let data = UnsafeBufferPointer(start: first.pointee.data, count: count)

        // Bit 7 of libqrencode's module byte marks a non-data module; bit 0 is dark.
        var unmasked = [UInt8](repeating: 0, count: count)
        var isData = [Bool](repeating: false, count: count)
        for index in 0..<count where data[index] & 0x80 == 0 {
            isData[index] = true
            unmasked[index] = (data[index] & 1) ^ (inverts(0, row: index / size, column: index % size) ? 1 : 0)
        }
        guard let patterns = fixedModules(version: version, input: input, size: size) else { return nil }

        var best: (score: Int, mask: Int, modules: [UInt8])?
        for mask in 0..<8 {
            var modules = patterns[mask]
            for index in 0..<count where isData[index] {
                modules[index] = unmasked[index] ^ (inverts(mask, row: index / size, column: index % size) ? 1 : 0)
            }
            let score = penalty(modules, size: size)
            if best == nil || score < best!.score { best = (score, mask, modules) }
        }
        guard let best else { return nil }
        return (version, size, best.modules.map { $0 == 1 }, best.mask)
    }

    /// What libqrencode draws for `mask` itself, module for module (for the tests).
    package static func libraryModules(head: String, digits: String, mask: Int) -> [Bool]? {
        guard let encodeMask, let input = QRinput_new2(0, QR_ECLEVEL_M) else { return nil }
        defer { QRinput_free(input) }
        let headBytes = Array(head.utf8), digitBytes = Array(digits.utf8)
        guard headBytes.isEmpty || QRinput_append(input, QR_MODE_8, Int32(headBytes.count), headBytes) == 0,
              digitBytes.isEmpty || QRinput_append(input, QR_MODE_NUM, Int32(digitBytes.count), digitBytes) == 0,
              let code = encodeMask(input, Int32(mask)) else { return nil }
        defer { QRcode_free(code) }
        let count = Int(code.pointee.width) * Int(code.pointee.width)
        return (0..<count).map { code.pointee.data[$0] & 1 == 1 }
    }

    private static func fixedModules(version: Int, input: OpaquePointer, size: Int) -> [[UInt8]]? {
        if let known = fixed.withLock({ $0[version] }) { return known }
        var masks: [[UInt8]] = []
        for mask in 0..<8 {
            guard let code = encodeMask?(input, Int32(mask)), Int(code.pointee.version) == version else { return nil }
            defer { QRcode_free(code) }
            masks.append((0..<(size * size)).map { code.pointee.data[$0] & 0x80 == 0 ? 0 : code.pointee.data[$0] & 1 })
        }
        fixed.withLock { $0[version] = masks }
        return masks
    }

    /// Whether mask `mask` turns the module at (`row`, `column`) (ISO/IEC 18004 Table 10).
    static func inverts(_ mask: Int, row i: Int, column j: Int) -> Bool {
        switch mask {
        case 0: return (i + j) % 2 == 0
        case 1: return i % 2 == 0
        case 2: return j % 3 == 0
        case 3: return (i + j) % 3 == 0
        case 4: return (i / 2 + j / 3) % 2 == 0
        case 5: return (i * j) % 2 + (i * j) % 3 == 0
        case 6: return ((i * j) % 2 + (i * j) % 3) % 2 == 0
        default: return ((i + j) % 2 + (i * j) % 3) % 2 == 0
        }
    }

    /// The symbol's penalty (ISO/IEC 18004 §7.8.3): runs of five or more alike in a row or
    /// column (3, and 1 for each further module), 2 × 2 blocks alike (3 each), the finder-like
    /// 1:1:3:1:1 pattern with four light modules on one side, the quiet zone counting as
    /// light (40 each), and 10 for each 5 % the dark share strays from half.
    package static func penalty(_ modules: [UInt8], size: Int) -> Int {
        var score = 0
        var dark = 0
        modules.withUnsafeBufferPointer { m in
            for line in 0..<size {
                for vertical in [false, true] {
                    var run = 0, last: UInt8 = 2
                    // An 11-module window, the newest module in bit 0; four light modules of
                    // quiet zone before the line and after it.
                    var window: UInt32 = 0
                    for step in 0..<(size + 4) {
                        let value: UInt8
                        if step < size {
                            value = vertical ? m[step * size + line] : m[line * size + step]
                            if value == last {
                                run += 1
                            } else {
                                if run >= 5 { score += run - 2 }
                                run = 1
                                last = value
                            }
                        } else {
                            value = 0
                        }
                        window = (window << 1 | UInt32(value)) & 0x7FF
                        // 0000 1011101 and 1011101 0000, counted where the window ends.
                        if step >= 6, window == 0b000_0101_1101 || window == 0b101_1101_0000 { score += 40 }
                    }
                    if run >= 5 { score += run - 2 }
                }
            }
            for row in 0..<(size - 1) {
                for column in 0..<(size - 1) {
                    let value = m[row * size + column]
                    if value == m[row * size + column + 1], value == m[(row + 1) * size + column],
                       value == m[(row + 1) * size + column + 1] { score += 3 }
                }
            }
            for value in m { dark += Int(value) }
        }
        let percent = dark * 100 / (size * size)
        score += abs(percent - 50) / 5 * 10
        return score
    }
}

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

    /// What a version's candidates are made of, a bit a module (bit `c` of row `r`, and of
    /// column `c` bit `r`): which modules hold data, which each mask turns, and the dark
    /// non-data modules (finders, timing, alignment, version and format information) that
    /// libqrencode draws with each mask (the format information alone changes with it).
    private struct Frame {
        var size: Int
        var dataRows: [UInt128], dataColumns: [UInt128]
        var maskRows: [[UInt128]], maskColumns: [[UInt128]]
        var fixedRows: [[UInt128]], fixedColumns: [[UInt128]]
    }

    private static let frames = Mutex<[Int: Frame]>([:])

    /// The modules of `head` in byte mode followed by `digits` in numeric mode, or nil when
    /// libqrencode cannot make them (or has no `QRcode_encodeMask`).
    package static func encode(head: String, digits: String) -> (version: Int, size: Int, rows: [UInt128], mask: Int)? {
        guard let encodeMask, let input = input(head: head, digits: digits) else { return nil }
        defer { QRinput_free(input) }
        guard let first = encodeMask(input, 0) else { return nil }
        defer { QRcode_free(first) }
        let size = Int(first.pointee.width), version = Int(first.pointee.version)
        guard size <= 128, let frame = frame(version: version, size: size, input: input) else { return nil }

        // The data modules with mask 0 taken off again (bit 7 of libqrencode's module byte
        // marks a non-data module; bit 0 is dark), without a branch a module: the modules
        // are random, so a branch on each is mispredicted half the time. Each line is kept
        // as two 64-bit halves while it is built, which shift in one instruction.
        var rowHalves = [(low: UInt64, high: UInt64)](repeating: (0, 0), count: size)
        var columnHalves = [(low: UInt64, high: UInt64)](repeating: (0, 0), count: size)
        let data = UnsafeBufferPointer(start: first.pointee.data, count: size * size)
        for row in 0..<size {
            var low: UInt64 = 0, high: UInt64 = 0
            let rowBit = UInt64(1) << UInt64(row & 63), rowIsHigh = row >= 64
            for column in 0..<size {
                let module = data[row * size + column]
                // Mask 0 turns the modules whose row and column add up to an even number.
                let even = UInt8(truncatingIfNeeded: ~(row + column) & 1)
                let flag = UInt64((~module >> 7) & (module ^ even) & 1)
                if column < 64 { low |= flag << UInt64(column) } else { high |= flag << UInt64(column - 64) }
                let set = 0 &- flag
                if rowIsHigh { columnHalves[column].high |= rowBit & set } else { columnHalves[column].low |= rowBit & set }
            }
            rowHalves[row] = (low, high)
        }
        var rows = rowHalves.map { UInt128($0.high) << 64 | UInt128($0.low) }
        var columns = columnHalves.map { UInt128($0.high) << 64 | UInt128($0.low) }
        func candidate(_ mask: Int, rows: inout [UInt128], columns: inout [UInt128]) {
            let maskRows = frame.maskRows[mask], maskColumns = frame.maskColumns[mask]
            let fixedRows = frame.fixedRows[mask], fixedColumns = frame.fixedColumns[mask]
            for line in 0..<size {
                rows[line] = (rowsWithoutMask[line] ^ maskRows[line]) & frame.dataRows[line] | fixedRows[line]
                columns[line] = (columnsWithoutMask[line] ^ maskColumns[line]) & frame.dataColumns[line] | fixedColumns[line]
            }
        }
        let rowsWithoutMask = rows, columnsWithoutMask = columns
        var best: (score: Int, mask: Int)?
        for mask in 0..<8 {
            candidate(mask, rows: &rows, columns: &columns)
            let score = penalty(rows: rows, columns: columns, size: size)
            if best == nil || score < best!.score { best = (score, mask) }
        }
        guard let best else { return nil }
        candidate(best.mask, rows: &rows, columns: &columns)
        return (version, size, rows, best.mask)
    }

    /// What libqrencode draws for `mask` itself, module for module (for the tests).
    package static func libraryModules(head: String, digits: String, mask: Int) -> [Bool]? {
        guard let encodeMask, let input = input(head: head, digits: digits) else { return nil }
        defer { QRinput_free(input) }
        guard let code = encodeMask(input, Int32(mask)) else { return nil }
        defer { QRcode_free(code) }
        let count = Int(code.pointee.width) * Int(code.pointee.width)
        return (0..<count).map { code.pointee.data[$0] & 1 == 1 }
    }

    /// `head` as one byte-mode segment, `digits` as one numeric one, at error correction M;
    /// the caller frees it.
    private static func input(head: String, digits: String) -> OpaquePointer? {
        guard let input = QRinput_new2(0, QR_ECLEVEL_M) else { return nil }
        let headBytes = Array(head.utf8), digitBytes = Array(digits.utf8)
        guard headBytes.isEmpty || QRinput_append(input, QR_MODE_8, Int32(headBytes.count), headBytes) == 0,
              digitBytes.isEmpty || QRinput_append(input, QR_MODE_NUM, Int32(digitBytes.count), digitBytes) == 0 else {
            QRinput_free(input)
            return nil
        }
        return input
    }

    private static func frame(version: Int, size: Int, input: OpaquePointer) -> Frame? {
        if let known = frames.withLock({ $0[version] }) { return known }
        let empty = [UInt128](repeating: 0, count: size)
        var frame = Frame(size: size, dataRows: empty, dataColumns: empty,
                          maskRows: Array(repeating: empty, count: 8), maskColumns: Array(repeating: empty, count: 8),
                          fixedRows: Array(repeating: empty, count: 8), fixedColumns: Array(repeating: empty, count: 8))
        for mask in 0..<8 {
            guard let code = encodeMask?(input, Int32(mask)), Int(code.pointee.version) == version else { return nil }
            defer { QRcode_free(code) }
            for row in 0..<size {
                for column in 0..<size {
                    let module = code.pointee.data[row * size + column]
                    let (rowBit, columnBit) = (UInt128(1) << UInt128(column), UInt128(1) << UInt128(row))
                    if module & 0x80 == 0 {
                        if mask == 0 { frame.dataRows[row] |= rowBit; frame.dataColumns[column] |= columnBit }
                    } else if module & 1 == 1 {
                        frame.fixedRows[mask][row] |= rowBit; frame.fixedColumns[mask][column] |= columnBit
                    }
                    if inverts(mask, row: row, column: column) {
                        frame.maskRows[mask][row] |= rowBit; frame.maskColumns[mask][column] |= columnBit
                    }
                }
            }
        }
        frames.withLock { $0[version] = frame }
        return frame
    }

    /// `penalty(_:size:)` on bit rows and columns, each rule a few word operations a line
    /// and no loop over modules.
    package static func penalty(rows: [UInt128], columns: [UInt128], size: Int) -> Int {
        let full: UInt128 = size == 128 ? ~0 : (1 << UInt128(size)) - 1
        let pairs = full >> 1  // bits 0…size−2: a module and the next
        // Where an 11-module window can start on the line padded with four light modules
        // before it (the quiet zone after it is the zero bits above).
        let starts: UInt128 = (1 << UInt128(size - 2)) - 1
        var score = 0
        func add(line: UInt128) {
            // Runs of five or more alike: bit k of `five` when modules k…k+4 are alike, so a
            // run of n sets n − 4 bits in a row; it scores n − 2, the bits plus 2 for its start.
            let same = ~(line ^ (line >> 1)) & pairs
            let five = same & (same >> 1) & (same >> 2) & (same >> 3)
            score += five.nonzeroBitCount + 2 * (five & ~(five << 1)).nonzeroBitCount
            // 0000 1011101 and 1011101 0000, bit k of the window being module k − 4.
            let p0 = line << 4
            let (p1, p2, p3, p4, p5) = (p0 >> 1, p0 >> 2, p0 >> 3, p0 >> 4, p0 >> 5)
            let (p6, p7, p8, p9, p10) = (p0 >> 6, p0 >> 7, p0 >> 8, p0 >> 9, p0 >> 10)
            let core = p6 & ~p5  // both windows: module 5 light, module 6 dark
            let before = ~p0 & ~p1 & ~p2 & ~p3 & p4 & core & p7 & p8 & ~p9 & p10
            let after = p0 & ~p1 & p2 & p3 & p4 & core & ~p7 & ~p8 & ~p9 & ~p10
            score += 40 * ((before & starts).nonzeroBitCount + (after & starts).nonzeroBitCount)
        }
        for line in rows { add(line: line) }
        for line in columns { add(line: line) }
        var dark = 0
        for row in 0..<size {
            dark += rows[row].nonzeroBitCount
            guard row + 1 < size else { continue }
            let (a, b) = (rows[row], rows[row + 1])
            let below = ~(a ^ b), next = ~(a ^ (a >> 1))  // a module as the one below it; as the next
            score += 3 * (below & (below >> 1) & next & pairs).nonzeroBitCount
        }
        score += abs(dark * 100 / (size * size) - 50) / 5 * 10
        return score
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

    /// The symbol's penalty (ISO/IEC 18004 §7.8.3), module by module: what the word-wise
    /// `penalty(rows:columns:size:)` must agree with (the tests compare them). Runs of five or more alike in a row or
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

import CreditRecords
import Foundation

/// Changes to a PDF being put together: objects replaced and added. A file as Cairo
/// wrote it (one revision) is written anew as one revision; a file that already has
/// updates gets another incremental update, its earlier bytes left as they were.
package struct PDFUpdate {
    package let base: PDFIndex
    private var bodies: [Int: [UInt8]] = [:]
    private var nextNumber: Int

    package init(base: PDFIndex) {
        self.base = base
        self.nextNumber = base.size
    }

    package mutating func reserve() -> Int {
        defer { nextNumber += 1 }
        return nextNumber
    }

    package mutating func replace(_ number: Int, with body: String) { bodies[number] = Array(body.utf8) }
    package mutating func set(_ number: Int, to body: String) { bodies[number] = Array(body.utf8) }
    package mutating func set(_ number: Int, to body: [UInt8]) { bodies[number] = body }

    /// The finished file, and where each object written anew starts in it.
    package func serialize() -> (bytes: [UInt8], offsets: [Int: Int]) {
        var output: [UInt8]
        var offsets: [Int: Int] = [:]
        let whole = base.revisions == 1
        if whole {
            // The base's objects in their order, each replaced one in its old place.
            let starts = base.offsets.sorted { $0.value < $1.value }
            output = Array(base.bytes[0..<(starts.first?.value ?? base.startXref)])
            output.reserveCapacity(base.bytes.count + bodies.values.reduce(0) { $0 + $1.count + 32 })
            for (index, (number, start)) in starts.enumerated() {
                let end = index + 1 < starts.count ? starts[index + 1].value : base.startXref
                offsets[number] = output.count
                if let body = bodies[number] {
                    Self.append(number, body, to: &output)
                } else {
                    output += base.bytes[start..<end]
                }
            }
        } else {
            output = base.bytes
            if output.last != 0x0A { output.append(0x0A) }
        }
        var written: [Int: Int] = [:]
        for number in bodies.keys.sorted() where !whole || base.offsets[number] == nil {
            written[number] = output.count
            Self.append(number, bodies[number]!, to: &output)
        }
        if whole {
            offsets.merge(written) { $1 }
        } else {
            offsets = written
        }
        let xref = output.count
        Self.appendTable(offsets, size: whole ? nextNumber : nil, to: &output)
        var trailer = "trailer\n<< /Size \(nextNumber)\n   /Root \(base.root) 0 R\n"
        if let info = base.info { trailer += "   /Info \(info) 0 R\n" }
        if !whole { trailer += "   /Prev \(base.startXref)\n" }
        trailer += ">>\nstartxref\n\(xref)\n%%EOF\n"
        output += Array(trailer.utf8)
        return (output, whole ? offsets : written)
    }

    private static func append(_ number: Int, _ body: [UInt8], to output: inout [UInt8]) {
        output += Array("\(number) 0 obj\n".utf8)
        output += body
        output += Array("\nendobj\n".utf8)
    }

    /// A cross-reference section: one subsection per run of consecutive numbers, or, for a
    /// whole file of `size` numbers, one subsection from 0 with every number missing marked free.
    private static func appendTable(_ offsets: [Int: Int], size: Int?, to output: inout [UInt8]) {
        func entry(_ offset: Int?) {
            guard let offset else {
                output += Array("0000000000 00001 f \n".utf8)
                return
            }
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 10)
            var value = offset, index = 9
            while value > 0, index >= 0 {
                digits[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
                index -= 1
            }
            output += digits
            output += Array(" 00000 n \n".utf8)
        }
        output += Array("xref\n".utf8)
        if let size {
            output += Array("0 \(size)\n0000000000 65535 f \n".utf8)
            for number in 1..<max(size, 1) { entry(offsets[number]) }
            return
        }
        var runs: [[Int]] = []
        for number in offsets.keys.sorted() {
            if let last = runs.last?.last, last + 1 == number { runs[runs.count - 1].append(number) } else { runs.append([number]) }
        }
        for run in runs {
            output += Array("\(run[0]) \(run.count)\n".utf8)
            for number in run { entry(offsets[number]) }
        }
    }
}

/// PDF strings and dates.
package enum PDFText {
    /// A text string: PDFDocEncoding-safe ASCII as a literal, anything else as UTF-16BE hex.
    package static func string(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            // Byte by byte: Foundation's replacing bridges through NSString and costs more
            // than the rest of a signature's dictionary.
            var literal: [UInt8] = [UInt8(ascii: "(")]
            literal.reserveCapacity(text.utf8.count + 8)
            for byte in text.utf8 {
                if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "(") || byte == UInt8(ascii: ")") {
                    literal.append(UInt8(ascii: "\\"))
                }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: ")"))
            return String(decoding: literal, as: UTF8.self)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 { bytes.append(UInt8(unit >> 8)); bytes.append(UInt8(unit & 0xFF)) }
        return "<FEFF" + String(decoding: hex(bytes), as: UTF8.self) + ">"
    }

    /// Upper-case hexadecimal digits of `bytes`, as ASCII.
    package static func hex(_ bytes: [UInt8]) -> [UInt8] {
        Hex.digits(bytes, uppercase: true)
    }

    /// `D:20180605120000+00'00'`, from the ISO form's digits.
    package static func date(_ date: Date) -> String {
        "D:" + ISODate.digits(date) + "+00'00'"
    }
}

import Foundation

/// An incremental update being put together.
struct PDFUpdate {
    let base: PDFIndex
    private var bodies: [Int: String] = [:]
    private var nextNumber: Int

    init(base: PDFIndex) {
        self.base = base
        self.nextNumber = base.size
    }

    mutating func reserve() -> Int {
        defer { nextNumber += 1 }
        return nextNumber
    }

    mutating func replace(_ number: Int, with body: String) { bodies[number] = body }
    mutating func set(_ number: Int, to body: String) { bodies[number] = body }

    /// The original bytes followed by the update.
    func serialize() -> [UInt8] {
        var output = base.bytes
        if output.last != 0x0A { output.append(0x0A) }
        var offsets: [Int: Int] = [:]
        for number in bodies.keys.sorted() {
            offsets[number] = output.count
            output.append(contentsOf: Array("\(number) 0 obj\n\(bodies[number]!)\nendobj\n".utf8))
        }
        let xref = output.count
        var table = "xref\n"
        // One subsection per run of consecutive numbers.
        var runs: [[Int]] = []
        for number in offsets.keys.sorted() {
            if let last = runs.last?.last, last + 1 == number { runs[runs.count - 1].append(number) } else { runs.append([number]) }
        }
        for run in runs {
            table += "\(run[0]) \(run.count)\n"
            for number in run {
                let offset = String(offsets[number]!)
                table += String(repeating: "0", count: max(0, 10 - offset.count)) + offset + " 00000 n \n"
            }
        }
        table += "trailer\n<< /Size \(nextNumber)\n   /Root \(base.root) 0 R\n"
        if let info = base.info { table += "   /Info \(info) 0 R\n" }
        table += "   /Prev \(base.startXref)\n>>\nstartxref\n\(xref)\n%%EOF\n"
        output.append(contentsOf: Array(table.utf8))
        return output
    }
}

/// PDF strings and dates.
enum PDFText {
    /// A text string: PDFDocEncoding-safe ASCII as a literal, anything else as UTF-16BE hex.
    static func string(_ text: String) -> String {
        if text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "(", with: "\\(").replacingOccurrences(of: ")", with: "\\)")
            return "(\(escaped))"
        }
        let bytes = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        return "<FEFF" + String(decoding: hex(bytes), as: UTF8.self) + ">"
    }

    /// Upper-case hexadecimal digits of `bytes`, as ASCII.
    static func hex(_ bytes: [UInt8]) -> [UInt8] {
        BatchState.hexDigits(bytes, uppercase: true)
    }

    /// `D:20180605120000+00'00'`, from the ISO form's digits.
    static func date(_ date: Date) -> String {
        "D:" + PDFWriter.isoDate(date).filter(\.isNumber) + "+00'00'"
    }
}

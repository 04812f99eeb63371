import CSV
import Foundation

/// A CSV file written through CSV.swift a few dozen rows at a time. The library hands its
/// stream one byte at a time, which on a file stream is one system call per byte; here rows
/// go to a memory stream first and reach the file in one write.
package final class CSVFile {
    private let url: URL
    private let file: OutputFile
    private var pending: [[String]] = []
    private var rowsWritten = 0
    private let delimiter: String

    /// Creates (or empties) the file at `url`; fields separated by `delimiter`, and a UTF-8
    /// byte-order mark first when `byteOrderMark` (so that Excel reads the text as UTF-8).
    package init(url: URL, delimiter: Unicode.Scalar = ",", byteOrderMark: Bool = false) throws(RenderError) {
        self.url = url
        self.delimiter = String(delimiter)
        file = try OutputFile(url: url, truncate: true)
        if byteOrderMark { try file.append(Data([0xEF, 0xBB, 0xBF])) }
    }

    /// Text a spreadsheet would run as a formula — a leading =, +, @, or - not starting a
    /// number — kept as text behind an apostrophe. Every CSV file CreditPress writes holds
    /// names and reasons from rosters, which nobody should be able to make execute.
    package static func neutralised(_ text: String) -> String {
        guard let first = text.first else { return text }
        if "=+@".contains(first) || (first == "-" && text.count > 1 && !(text.dropFirst().first?.isNumber ?? false)) {
            return "'" + text
        }
        return text
    }

    /// One row as CSV text with its line break, for a file that is replaced whole.
    package static func line(_ fields: [String], delimiter: Unicode.Scalar = ",") throws -> Data {
        let stream = OutputStream.toMemory()
        defer { stream.close() }
        let writer = try CSVWriter(stream: stream, delimiter: String(delimiter))
        try writer.write(row: fields.map(neutralised))
        let text = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
        return text + Data([0x0A])
    }

    package func write(row: [String]) throws {
        pending.append(row.map(Self.neutralised))
        if pending.count >= 64 { try flush() }
    }

    /// Writes the rows held so far.
    package func flush() throws {
        guard !pending.isEmpty else { return }
        let stream = OutputStream.toMemory()
        let writer = try CSVWriter(stream: stream, delimiter: delimiter)
        for row in pending { try writer.write(row: row) }
        guard let text = stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw RenderError(file: url.path, message: "the CSV writer gave no text")
        }
        stream.close()
        // CSV.swift puts the line break before every row but its first.
        try file.append(rowsWritten > 0 ? Data([0x0A]) + text : text)
        rowsWritten += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    /// Writes what is left and a final line break, flushes the file to the disk when
    /// `durable`, and closes it.
    package func close(durable: Bool = false) throws {
        try flush()
        try file.append(Data([0x0A]))
        if durable { try file.sync() }
        file.close()
    }
}

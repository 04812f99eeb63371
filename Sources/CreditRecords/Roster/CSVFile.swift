import Foundation

/// A CSV file written a few dozen rows at a time, each quoted as CSV.swift's writer quotes
/// it (RFC 4180). Rows are written here by bytes rather than through CSV.swift's writer,
/// which hands its stream one character at a time and cost a batch's own process more per
/// row than everything else it does for the row's manifest entry; a test
/// (`writesRowsAsTheCSVLibraryWouldQuoteThem`) compares the two on awkward fields.
package final class CSVFile {
    private let url: URL
    private let file: OutputFile
    private var pending: [UInt8] = []
    private var pendingRows = 0
    private var rowsWritten = 0
    private let delimiter: Unicode.Scalar

    /// Creates (or empties) the file at `url`; fields separated by `delimiter`, and a UTF-8
    /// byte-order mark first when `byteOrderMark` (so that Excel reads the text as UTF-8).
    package init(url: URL, delimiter: Unicode.Scalar = ",", byteOrderMark: Bool = false) throws(RenderError) {
        self.url = url
        self.delimiter = delimiter
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
        var bytes: [UInt8] = []
        append(fields.map(neutralised), delimiter: delimiter, to: &bytes)
        bytes.append(0x0A)
        return Data(bytes)
    }

    /// `fields` as one CSV row, without a line break: a field holding the delimiter, a
    /// double quote or a line break is quoted, its double quotes doubled.
    package static func append(_ fields: [String], delimiter: Unicode.Scalar, to bytes: inout [UInt8]) {
        let separator = Array(String(delimiter).utf8)
        for (index, field) in fields.enumerated() {
            if index > 0 { bytes += separator }
            let utf8 = field.utf8
            let quoted = utf8.contains { $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || (separator.count == 1 ? utf8.contains(separator[0]) : field.unicodeScalars.contains(delimiter))
            guard quoted else {
                bytes += utf8
                continue
            }
            bytes.append(0x22)
            for byte in utf8 {
                bytes.append(byte)
                if byte == 0x22 { bytes.append(0x22) }
            }
            bytes.append(0x22)
        }
    }

    package func write(row: [String]) throws {
        // Rows are separated by line breaks; the last one gets its own when the file closes.
        if rowsWritten + pendingRows > 0 { pending.append(0x0A) }
        Self.append(row.map(Self.neutralised), delimiter: delimiter, to: &pending)
        pendingRows += 1
        if pendingRows >= 64 { try flush() }
    }

    /// Writes the rows held so far.
    package func flush() throws {
        guard pendingRows > 0 else { return }
        try file.append(Data(pending))
        rowsWritten += pendingRows
        pendingRows = 0
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

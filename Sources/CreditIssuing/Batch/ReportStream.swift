import CreditRecords
import Foundation

/// Writes the manifest and the rejects report as rows are settled, in roster order, so
/// memory holds only the rows still being drawn, not the whole roster.
///
/// Rows settle out of order (several drawers); each waits in a small buffer until every
/// row read before it has settled. The files appear under their final names only in
/// `finish()`.
package final class ReportStream {
    private let folder: URL
    private let manifestCSV: CSVFile
    private let rejectsCSV: CSVFile
    private let json: OutputFile
    private var outstanding: [Int] = []
    private var head = 0
    private var settled: [Int: (issued: ManifestEntry?, rejects: [RejectEntry])] = [:]
    private var firstJSON = true
    private let encoder = JSONEncoder.sorted
    /// The credit codes with a column of their own in the manifest, in the activity's order.
    private let creditCodes: [String]
    private let decimalComma: Bool

    /// The reports in the roster's own field separator (a semicolon roster gets semicolons
    /// and decimal commas), with a byte-order mark so that Excel reads them as UTF-8; one
    /// numeric column per credit code in `creditCodes`.
    package init(folder: URL, activity: String, creationDate: String, delimiter: Unicode.Scalar = ",", creditCodes: [String] = []) throws {
        self.folder = folder
        self.creditCodes = creditCodes
        decimalComma = delimiter == ";"
        manifestCSV = try CSVFile(url: folder.appendingPathComponent(".manifest.csv.part"), delimiter: delimiter, byteOrderMark: true)
        rejectsCSV = try CSVFile(url: folder.appendingPathComponent(".rejects.csv.part"), delimiter: delimiter, byteOrderMark: true)
        try manifestCSV.write(row: ["row", "learner_id", "name", "email", "certificate_id", "kind"] + creditCodes.map(Self.column)
                                   + ["credits", "file", "sha256"])
        try rejectsCSV.write(row: ["row", "learner_id", "name", "email", "column", "reason"])
        json = try OutputFile(url: folder.appendingPathComponent(".manifest.json.part"), truncate: true)
        let header = ["activity": activity, "creationDate": creationDate]
        let encoded = String(decoding: try JSONEncoder.sorted.encode(header), as: UTF8.self)
        try json.append(Data((encoded.dropLast() + ",\"certificates\":[\n").utf8))
    }

    /// A row was read and will settle later.
    package func expect(row: Int) {
        outstanding.append(row)
    }

    package func issued(_ entry: ManifestEntry) throws {
        settled[entry.row, default: (nil, [])].issued = entry
        try flush()
    }

    package func rejected(row: Int, _ entries: [RejectEntry]) throws {
        settled[row, default: (nil, [])].rejects += entries
        try flush()
    }

    private func flush() throws {
        while head < outstanding.count, let done = settled.removeValue(forKey: outstanding[head]) {
            if let entry = done.issued {
                let amounts = creditCodes.map { code in entry.amounts[code].map(number) ?? "" }
                try manifestCSV.write(row: ["\(entry.row)", entry.learnerID, entry.name, entry.email ?? "", entry.certificateID, entry.kind]
                                      + amounts + [entry.credits, entry.file, entry.sha256])
                let line = String(decoding: try encoder.encode(entry), as: UTF8.self)
                try json.append(Data(((firstJSON ? "" : ",\n") + line).utf8))
                firstJSON = false
            }
            for reject in done.rejects {
                try rejectsCSV.write(row: ["\(reject.row)", reject.learnerID, reject.name, reject.email, reject.column, reject.reason])
            }
            head += 1
            if head > 4096 {
                outstanding.removeFirst(head)
                head = 0
            }
        }
    }

    /// `ama-pra-category-1` → `ama_pra_category_1`, `moc:abim` → `moc_abim`: a column name.
    static func column(_ code: String) -> String {
        code.replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ":", with: "_")
    }

    private func number(_ value: Double) -> String { Self.number(value, decimalComma: decimalComma) }

    /// 24.5, or 24,5 beside semicolons: what the spreadsheet will read as a number.
    package static func number(_ value: Double, decimalComma: Bool) -> String {
        let text = value == value.rounded() ? String(Int(value)) : String(value)
        return decimalComma ? text.replacingOccurrences(of: ".", with: ",") : text
    }

    /// Closes the reports and moves them into place; every expected row must have settled.
    package func finish() throws {
        try flush()
        try json.append(Data("\n]}\n".utf8))
        try json.sync()
        json.close()
        try manifestCSV.close(durable: true)
        try rejectsCSV.close(durable: true)
        for name in ["manifest.csv", "rejects.csv", "manifest.json"] {
            let part = folder.appendingPathComponent(".\(name).part"), final = folder.appendingPathComponent(name)
            guard rename(part.path, final.path) == 0 else {
                throw RenderError(file: final.path, "cannot move the finished report into place", .current(path: final.path))
            }
        }
        try AtomicFile.syncFolder(folder)
    }
}

extension JSONEncoder {
    /// Compact JSON with sorted keys: the same data always gives the same bytes.
    package static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

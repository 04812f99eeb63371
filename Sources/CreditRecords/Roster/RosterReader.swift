import CSV
import Foundation
import Yams

/// One data row of a roster, as read: its number and its fields by column.
public struct RosterRow: Sendable {
    /// 1-based; the header is row 0.
    public let number: Int
    public let fields: [String]

    package init(number: Int, fields: [String]) {
        self.number = number
        self.fields = fields
    }
}

/// Reads a roster CSV one row at a time, never the whole file at once.
///
/// The header names the columns (see `RosterColumns`); rows become learner records
/// through the same checks as a learner file, with problems named by row and column.
public final class RosterReader {
    public let file: String
    public let columns: RosterColumns
    private let reader: CSVReader
    private var rowNumber = 0

    /// Reads the roster file at `url`, one row at a time.
    /// With `purpose` `.enrolment`, a roster of who attends (no completion date or credit
    /// columns needed) for enrolling learners on the service.
    /// `encoding` (default: found from the bytes, see `RosterEncoding`) says how its text is read.
    public convenience init(url: URL, displayName: String? = nil, purpose: RosterColumns.Purpose = .certificates,
                            encoding: RosterEncoding = .automatic) throws(InputError) {
        let name = displayName ?? url.relativePath
        guard let stream = InputStream(url: url), FileManager.default.isReadableFile(atPath: url.path) else {
            throw InputError([Problem(file: name, field: "", message: "cannot read the roster file",
                                      hint: "check the path and that the file is readable")])
        }
        let prepared = try RosterText.prepare(url: url, name: name, encoding: encoding)
        if let converted = prepared.utf8 {
            try self.init(stream: InputStream(data: converted), head: converted.prefix(4096), name: name, purpose: purpose,
                          notice: prepared.notice)
            return
        }
        let head = (try? FileHandle(forReadingFrom: url)).flatMap { handle in
            defer { try? handle.close() }
            return try? handle.read(upToCount: 4096)
        } ?? Data()
        try self.init(stream: stream, head: head, name: name, purpose: purpose, notice: nil)
    }

    /// Reads a roster from its bytes (an upload, say), named `displayName` in messages.
    public convenience init(data: Data, displayName: String, purpose: RosterColumns.Purpose = .certificates,
                            encoding: RosterEncoding = .automatic) throws(InputError) {
        let prepared = try RosterText.prepare(data: data, name: displayName, encoding: encoding)
        let text = prepared.utf8 ?? data
        try self.init(stream: InputStream(data: text), head: text.prefix(4096), name: displayName, purpose: purpose,
                      notice: prepared.notice)
    }

    private init(stream: InputStream, head: Data, name: String, purpose: RosterColumns.Purpose, notice: String?) throws(InputError) {
        self.encodingNotice = notice
        func fail(_ message: String, hint: String? = nil) -> InputError {
            InputError([Problem(file: name, field: "", message: message, hint: hint)])
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true, delimiter: RosterReader.delimiter(of: head))
        } catch {
            throw fail("has no header row", hint: "the first line must name the columns, e.g. id,first_name,last_name,…")
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        self.file = name
        self.reader = reader
        self.header = header
        self.columns = try RosterColumns(header: header, file: name, purpose: purpose)
    }

    public var parser: RosterRowParser { RosterRowParser(file: file, columns: columns) }

    /// The field separator, from the header line: a comma, or the semicolon or tab that
    /// spreadsheets in many countries write instead.
    package static func delimiter(of head: Data) -> Unicode.Scalar {
        let header = String(decoding: head, as: UTF8.self).prefix { $0 != "\n" && $0 != "\r" }
        let counts = [(",", header.filter { $0 == "," }.count), (";", header.filter { $0 == ";" }.count),
                      ("\t", header.filter { $0 == "\t" }.count)]
        let best = counts.max { $0.1 < $1.1 }!
        return best.1 == 0 ? "," : Unicode.Scalar(best.0)!
    }

    /// Checks a row as a learner record; problems name the row and the column.
    public func learner(from row: RosterRow) -> Result<Learner, InputError> {
        parser.learner(from: row)
    }

    /// The same problems, named by this roster's row and columns.
    public func relabel(_ error: InputError, row: RosterRow) -> InputError {
        parser.relabel(error, row: row)
    }

    /// The header, as read.
    public let header: [String]

    /// How the text was read, when that is worth saying (not UTF-8, read as Windows-1252).
    public let encodingNotice: String?

    /// Why reading stopped before the end of the file, if it did.
    public private(set) var stoppedEarly: Problem?

    /// The next row, or nil at the end of the file (or where the file stops being readable:
    /// see `stoppedEarly`). Blank lines are skipped.
    public func next() -> RosterRow? {
        while let fields = reader.next() {
            rowNumber += 1
            if fields.allSatisfy({ $0.trimmed.isEmpty }) { continue }
            return RosterRow(number: rowNumber, fields: fields)
        }
        // The CSV reader also reports plain end of file as an error; only these two are failures.
        switch reader.error {
        case CSVError.unicodeDecoding?:
            stoppedEarly = Problem(file: file, row: rowNumber + 1, field: "",
                                   message: "is not UTF-8 text, so it and the rows after it were not read",
                                   hint: "save the roster as \"CSV UTF-8\", or give --encoding windows-1252 (Excel's \"CSV\" on Windows) and run the batch again")
        case CSVError.streamErrorHasOccurred(let error)?:
            stoppedEarly = Problem(file: file, row: rowNumber + 1, field: "",
                                   message: "could not be read (\(error.localizedDescription)); the rows after it were not read",
                                   hint: "run the batch again once the file is readable")
        default:
            break
        }
        return nil
    }
}

extension Problem {
    package init(file: String, row: Int, field: String, learnerID: String? = nil, message: String, hint: String? = nil) {
        self.init(file: file, field: field, learnerID: learnerID, message: message, hint: hint)
        self.row = row
    }
}

/// The roster's columns and how each maps to a learner record's field.
public struct RosterColumns: Sendable {
    /// Learner fields by column name.
    package static let learnerFields: [(column: String, field: String)] = [
        ("id", "id"), ("first_name", "name.first"), ("middle_name", "name.middle"), ("last_name", "name.last"),
        ("professional_name", "name.professional"), ("degrees", "degrees"), ("profession", "profession"),
        ("email", "email"), ("completion_date", "completionDate"), ("claimed_at", "claimedAt"),
        ("evaluation_completed", "evaluationCompleted"), ("birth_month_day", "birthMonthDay"),
        ("moc_consent", "mocConsent"), ("nabp_epid", "nabpEPID"),
    ]
    /// Credit columns: the amount claimed of each credit type, blank for none.
    package static let creditColumns: [(column: String, type: CreditType)] = [
        ("ama_pra_category_1", .amaPRACategory1), ("ancc", .ancc), ("acpe", .acpe),
        ("aapa_category_1", .aapaCategory1), ("ipce", .ipce), ("participation", .participation),
    ]
    package static let mocColumns = ["moc_board", "moc_board_id", "moc_points", "moc_point_type"]
    /// One licence: its state (or other issuer), number and profession code.
    package static let licenseColumns = ["license_state", "license_number", "license_profession"]
    package static let required = ["id", "first_name", "last_name", "professional_name", "profession", "completion_date"]
    /// The most columns a header may name: the roster has some thirty, and unknown ones are refused.
    package static let maximumColumns = 100

    package static var allNames: [String] {
        learnerFields.map(\.column) + creditColumns.map(\.column) + mocColumns + licenseColumns
    }

    package let index: [String: Int]

    /// What the roster is read for: certificates (a batch) or enrolment on the service.
    public enum Purpose: Sendable {
        case certificates
        case enrolment
    }

    public init(header: [String], file: String, purpose: Purpose = .certificates) throws(InputError) {
        var problems: [Problem] = []
        var index: [String: Int] = [:]
        // A header of thousands of columns is not a roster (a data file, a lost line break):
        // it is refused as a whole rather than column by column.
        guard header.count <= Self.maximumColumns else {
            throw InputError([Problem(file: file, row: 0, field: "",
                                      message: "has \(header.count) columns; a roster has at most \(Self.maximumColumns)",
                                      hint: "check that this is the roster CSV and that its first line is the header")])
        }
        var repeated: Set<String> = []
        for (position, name) in header.enumerated() {
            let name = name.hasPrefix("\u{FEFF}") ? String(name.dropFirst()) : name
            if name.unicodeScalars.count > 64 || name.unicodeScalars.contains(where: FieldMapping.isControl) {
                problems.append(Problem(file: file, row: 0, field: "",
                                        message: "column \(position + 1) is not a roster column (its name is not shown: it is \(name.unicodeScalars.count > 64 ? "over 64 characters long" : "not printable"))",
                                        hint: "the columns are described in the README"))
            } else if index[name] != nil {
                if repeated.insert(name).inserted {
                    problems.append(Problem(file: file, row: 0, field: name, message: "appears more than once in the header"))
                }
            } else if !Self.allNames.contains(name) {
                let guess = Self.allNames.min { editDistance($0, name) < editDistance($1, name) }
                problems.append(Problem(file: file, row: 0, field: name, message: "is not a roster column",
                                        hint: guess.flatMap { editDistance($0, name) <= 3 ? "did you mean '\($0)'?" : nil }
                                            ?? "the columns are described in the README"))
            }
            index[name] = position
        }
        let required = purpose == .certificates ? Self.required : ["id", "email"]
        for name in required where index[name] == nil {
            problems.append(Problem(file: file, row: 0, field: name, message: "is a required column and is missing from the header"))
        }
        if purpose == .certificates, !Self.creditColumns.contains(where: { index[$0.column] != nil }) && index["moc_points"] == nil {
            problems.append(Problem(file: file, row: 0, field: "", message: "the header has no credit column",
                                    hint: "add at least one of: \(Self.creditColumns.map(\.column).joined(separator: ", "))"))
        }
        guard problems.isEmpty else { throw InputError(problems) }
        self.index = index
    }

    /// The row's learner id as reports may name it: nil when it is too long or holds a
    /// control character, as the id column's own problem then says.
    package func learnerID(in row: RosterRow) -> String? {
        guard let id = value("id", in: row), id.unicodeScalars.count <= FieldMapping.maximumIDLength,
              !id.unicodeScalars.contains(where: FieldMapping.isControl) else { return nil }
        return id
    }

    package func value(_ column: String, in row: RosterRow) -> String? {
        guard let position = index[column], position < row.fields.count else { return nil }
        let text = row.fields[position].trimmed
        return text.isEmpty ? nil : text
    }
}

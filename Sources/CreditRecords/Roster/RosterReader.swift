import CSV
import Foundation
import Yams

/// One data row of a roster, as read: its number and its fields by column.
public struct RosterRow: Sendable {
    /// As a spreadsheet numbers it: the header is row 1, the first learner row 2.
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
    /// The spreadsheet row of the row last read: the header is row 1.
    private var rowNumber = 1

    /// Reads the roster file at `url`, one row at a time.
    /// With `purpose` `.enrolment`, a roster of who attends (no completion date or credit
    /// columns needed) for enrolling learners on the service.
    /// `encoding` (default: found from the bytes, see `RosterEncoding`) says how its text is read.
    public convenience init(url: URL, displayName: String? = nil, purpose: RosterColumns.Purpose = .certificates,
                            encoding: RosterEncoding = .automatic, mapping: RosterMapping = RosterMapping()) throws(InputError) {
        let name = displayName ?? url.relativePath
        guard let stream = InputStream(url: url), FileManager.default.isReadableFile(atPath: url.path) else {
            throw InputError([Problem(file: name, field: "", message: "cannot read the roster file",
                                      hint: "check the path and that the file is readable")])
        }
        let prepared = try RosterText.prepare(url: url, name: name, encoding: encoding)
        if let converted = prepared.utf8 {
            try self.init(stream: InputStream(data: converted), head: converted.prefix(4096), name: name, purpose: purpose,
                          notice: prepared.notice, mapping: mapping)
            return
        }
        let head = (try? FileHandle(forReadingFrom: url)).flatMap { handle in
            defer { try? handle.close() }
            return try? handle.read(upToCount: 4096)
        } ?? Data()
        try self.init(stream: stream, head: head, name: name, purpose: purpose, notice: nil, mapping: mapping)
    }

    /// Reads a roster from its bytes (an upload, say), named `displayName` in messages.
    public convenience init(data: Data, displayName: String, purpose: RosterColumns.Purpose = .certificates,
                            encoding: RosterEncoding = .automatic, mapping: RosterMapping = RosterMapping()) throws(InputError) {
        let prepared = try RosterText.prepare(data: data, name: displayName, encoding: encoding)
        let text = prepared.utf8 ?? data
        try self.init(stream: InputStream(data: text), head: text.prefix(4096), name: displayName, purpose: purpose,
                      notice: prepared.notice, mapping: mapping)
    }

    private init(stream: InputStream, head: Data, name: String, purpose: RosterColumns.Purpose, notice: String?,
                 mapping: RosterMapping) throws(InputError) {
        // An old binary workbook is not a CSV: said as such, not read as a header of binary.
        // (An .xlsx is read through `Workbook` before it gets here.)
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0]) {
            throw InputError([Problem(file: name, field: "", message: "is an old Excel workbook (.xls), not a CSV file",
                                      hint: "in Excel choose File › Save As › \"CSV UTF-8 (Comma delimited)\" and give that file")])
        }
        self.encodingNotice = notice
        func fail(_ message: String, hint: String? = nil) -> InputError {
            InputError([Problem(file: name, field: "", message: message, hint: hint)])
        }
        let reader: CSVReader
        delimiter = RosterReader.delimiter(of: head)
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true, delimiter: delimiter)
        } catch {
            throw fail("has no header row", hint: "the first line must name the columns, e.g. id,first_name,last_name,…")
        }
        let given = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        let header = given.map { $0.lowercased() }
        self.file = name
        self.reader = reader
        self.header = header
        self.columns = try RosterColumns(header: given, file: name, purpose: purpose, mapping: mapping)
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
    /// The row as `{"column": "value", …}` with its row number and the roster's file name:
    /// the learner's exact input, as the registry keeps it.
    public func inputJSON(of row: RosterRow) -> String {
        var object: [String: String] = ["_row": String(row.number), "_roster": URL(fileURLWithPath: file).lastPathComponent]
        for (name, value) in zip(header, row.fields) { object[name] = value }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    public func relabel(_ error: InputError, row: RosterRow) -> InputError {
        parser.relabel(error, row: row)
    }

    /// The header, as read.
    public let header: [String]

    /// The field separator the roster uses (a comma, a semicolon or a tab).
    public let delimiter: Unicode.Scalar

    /// How the text was read, when that is worth saying (not UTF-8, read as Windows-1252).
    public let encodingNotice: String?

    /// Everything worth saying about how the roster was read: its encoding, its columns.
    public var notices: [String] { (encodingNotice.map { [$0] } ?? []) + columns.notices }

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
    /// How many columns the header has, read or not.
    package let headerCount: Int

    /// What the roster is read for: certificates (a batch) or enrolment on the service.
    public enum Purpose: Sendable {
        case certificates
        case enrolment
    }

    /// Values every row shares, from the mapping file, by our column.
    package let constants: [String: String]
    package let dateFormat: RosterMapping.DateFormat
    /// What the user should know about how the header was read: columns ignored, names
    /// understood, values composed.
    public let notices: [String]

    public init(header: [String], file: String, purpose: Purpose = .certificates, mapping: RosterMapping = RosterMapping()) throws(InputError) {
        var problems: [Problem] = []
        var index: [String: Int] = [:]
        var notices: [String] = []
        // A header of thousands of columns is not a roster (a data file, a lost line break):
        // it is refused as a whole rather than column by column.
        guard header.count <= Self.maximumColumns else {
            throw InputError([Problem(file: file, row: 0, field: "",
                                      message: "has \(header.count) columns; a roster has at most \(Self.maximumColumns)",
                                      hint: "check that this is the roster CSV and that its first line is the header")])
        }
        var repeated: Set<String> = []
        var understood: [String] = []
        var ignored: [String] = []
        var nearMisses: [String: String] = [:]
        for (position, raw) in header.enumerated() {
            let given = raw.hasPrefix("\u{FEFF}") ? String(raw.dropFirst()) : raw
            if given.unicodeScalars.count > 64 || given.unicodeScalars.contains(where: FieldMapping.isControl) {
                problems.append(Problem(file: file, row: 0, field: "",
                                        message: "column \(position + 1) is not a roster column (its name is not shown: it is \(given.unicodeScalars.count > 64 ? "over 64 characters long" : "not printable"))",
                                        hint: "the columns are described in the README"))
                continue
            }
            let key = RosterMapping.normalised(given)
            let name: String
            if let mapped = mapping.columns[key] ?? mapping.columns[given.lowercased()] {
                guard mapped != "ignore" else { continue }
                name = mapped
            } else if Self.allNames.contains(key) {
                name = key
            } else if let alias = RosterMapping.aliases[key] {
                name = alias
                understood.append("\(given) as \(alias)")
            } else {
                if key.isEmpty { continue }
                ignored.append(given)
                if let guess = Self.allNames.min(by: { editDistance($0, key) < editDistance($1, key) }), editDistance(guess, key) <= 3 {
                    nearMisses[guess] = given
                }
                continue
            }
            if let earlier = index[name] {
                if repeated.insert(name).inserted {
                    problems.append(Problem(file: file, row: 0, field: name,
                                            message: "is given by two columns (\(header[earlier].trimmingCharacters(in: .whitespaces)) and \(given.trimmingCharacters(in: .whitespaces)))",
                                            hint: "keep one, or map the other to ignore in a --columns file"))
                }
                continue
            }
            index[name] = position
        }
        let constants = mapping.values
        // What the roster lacks and can be made from what it has.
        let hasID = index["id"] != nil
        let composedID = !hasID && index["email"] != nil
        let composedName = index["professional_name"] == nil && constants["professional_name"] == nil
        let inferredProfession = index["profession"] == nil && constants["profession"] == nil
        var required = purpose == .certificates ? Self.required : ["id", "email"]
        if composedID { required.removeAll { $0 == "id" } }
        if purpose == .certificates {
            if composedName { required.removeAll { $0 == "professional_name" } }
            if inferredProfession && index["degrees"] != nil { required.removeAll { $0 == "profession" } }
        }
        for name in required where index[name] == nil && constants[name] == nil {
            let hint: String
            if let miss = nearMisses[name] {
                hint = "the column '\(miss)' was not read: did you mean '\(name)'? (rename it, or map it with --columns)"
            } else if name == "profession" {
                hint = "add a profession column, a degrees column it can be told from (MD, RN, PharmD…), or values: { profession: … } in a --columns file"
            } else {
                hint = "add the column, or map one of yours to it with a --columns file (see the README)"
            }
            problems.append(Problem(file: file, row: 0, field: name, message: "is a required column and is missing from the header", hint: hint))
        }
        if purpose == .certificates, !Self.creditColumns.contains(where: { index[$0.column] != nil || constants[$0.column] != nil }),
           index["moc_points"] == nil {
            problems.append(Problem(file: file, row: 0, field: "", message: "the header has no credit column",
                                    hint: "add at least one of: \(Self.creditColumns.map(\.column).joined(separator: ", ")) (or map yours with --columns)"))
        }
        guard problems.isEmpty else { throw InputError(problems) }
        if !understood.isEmpty { notices.append("\(file): read the columns \(understood.joined(separator: ", "))") }
        if !ignored.isEmpty {
            notices.append("\(file): ignored the columns \(ignored.map { "'\($0)'" }.joined(separator: ", ")), which are not roster columns (map them with --columns to use them)")
        }
        if purpose == .certificates {
            if composedID { notices.append("\(file): there is no id column, so each learner's email is their id (certificate ids derive from it)") }
            if composedName {
                notices.append("\(file): there is no professional_name column, so the printed name is composed: first, middle, last, then the degrees after a comma (e.g. Sarah A. Whitfield, MD)")
            }
            if inferredProfession && index["degrees"] != nil {
                notices.append("\(file): there is no profession column, so each learner's profession is told from their degrees (MD, DO: physician; RN, NP: nurse; PharmD: pharmacist; CPhT: pharmacy technician; PA-C: physician assistant)")
            }
        }
        self.index = index
        self.headerCount = header.count
        self.constants = constants
        self.dateFormat = mapping.dateFormat
        self.notices = notices
    }

    /// The row's learner id as reports may name it: nil when it is too long or holds a
    /// control character, as the id column's own problem then says.
    package func learnerID(in row: RosterRow) -> String? {
        guard let id = value("id", in: row), id.unicodeScalars.count <= FieldMapping.maximumIDLength,
              !id.unicodeScalars.contains(where: FieldMapping.isControl) else { return nil }
        return id
    }

    /// The row's value of one of our columns: its field, else the mapping's value for every
    /// row, else what the row's other fields make of it (id from email, the printed name,
    /// the profession from the degrees). Dates come as YYYY-MM-DD when the column's format
    /// reads them.
    package func value(_ column: String, in row: RosterRow) -> String? {
        if let text = field(column, in: row) {
            if RosterMapping.dateColumns.contains(column) { return dateFormat.iso(text) ?? text }
            return text
        }
        if let constant = constants[column], !constant.trimmed.isEmpty {
            if RosterMapping.dateColumns.contains(column) { return dateFormat.iso(constant.trimmed) ?? constant.trimmed }
            return constant.trimmed
        }
        switch column {
        case "id" where index["id"] == nil:
            return field("email", in: row)?.lowercased()
        case "professional_name" where index["professional_name"] == nil:
            guard let first = value("first_name", in: row), let last = value("last_name", in: row) else { return nil }
            var name = first
            if let middle = value("middle_name", in: row) { name += " " + (middle.count == 1 ? middle + "." : middle) }
            name += " " + last
            if let degrees = value("degrees", in: row) { name += ", " + degrees }
            return name
        case "profession" where index["profession"] == nil:
            let degrees = value("degrees", in: row)?.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).map(String.init) ?? []
            return Profession.inferred(fromDegrees: degrees)?.rawValue
        default:
            return nil
        }
    }

    /// The row's own field of one of our columns, nil when blank.
    package func field(_ column: String, in row: RosterRow) -> String? {
        guard let position = index[column], position < row.fields.count else { return nil }
        let text = row.fields[position].trimmed
        return text.isEmpty ? nil : text
    }
}

import CSV
import Foundation

/// One completed activity and credit on a learner's record: a transcript row.
public struct CompletionRecord: Sendable {
    public var row: Int
    public var learnerID: String
    public var completionDate: CivilDate
    public var activityTitle: String
    public var provider: String
    public var format: String
    public var creditType: CreditType
    public var amount: CreditAmount
    /// MOC: the board's abbreviation.
    public var board: String?
    public var pointType: String?
    /// Credit the learner reports from elsewhere, not recorded by a provider here.
    public var selfReported: Bool

    public init(row: Int, learnerID: String, completionDate: CivilDate, activityTitle: String, provider: String, format: String,
                creditType: CreditType, amount: CreditAmount, board: String? = nil, pointType: String? = nil, selfReported: Bool = false) {
        (self.row, self.learnerID, self.completionDate, self.activityTitle) = (row, learnerID, completionDate, activityTitle)
        (self.provider, self.format, self.creditType, self.amount) = (provider, format, creditType, amount)
        (self.board, self.pointType, self.selfReported) = (board, pointType, selfReported)
    }
}

/// Reads completion records (CSV), joining each to its activity file or, for self-reported
/// credit, to the title, provider and format the row gives.
///
/// Columns: `learner_id`, `activity_id`, `credit_type`, `amount`, `completion_date`, and
/// optionally `board`, `point_type`, `self_reported`, `title`, `provider`, `format`.
public struct CompletionRecords {
    package static let columns = ["learner_id", "activity_id", "credit_type", "amount", "completion_date", "board",
                          "point_type", "self_reported", "title", "provider", "format"]

    /// The records of `learnerID`, read as a stream; problems name row and column.
    public static func read(_ url: URL, displayName: String? = nil, learnerID: String,
                            activities: [String: Activity], boards: BoardCatalog) throws(InputError) -> [CompletionRecord] {
        let file = displayName ?? url.relativePath
        guard let stream = InputStream(url: url), FileManager.default.isReadableFile(atPath: url.path),
              let reader = try? CSVReader(stream: stream, hasHeaderRow: true) else {
            throw InputError([Problem(file: file, field: "", message: "cannot read the completion records")])
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "\u{FEFF}", with: "") }
        var problems: [Problem] = []
        for name in header where !columns.contains(name) {
            problems.append(Problem(file: file, row: 0, field: name, message: "is not a completion-record column",
                                    hint: "the columns are: \(columns.joined(separator: ", "))"))
        }
        for name in ["learner_id", "credit_type", "amount", "completion_date"] where !header.contains(name) {
            problems.append(Problem(file: file, row: 0, field: name, message: "is a required column and is missing from the header"))
        }
        guard problems.isEmpty else { throw InputError(problems) }
        var records: [CompletionRecord] = []
        // Rows as a spreadsheet numbers them: the header is row 1.
        var number = 1
        while let fields = reader.next() {
            number += 1
            func value(_ column: String) -> String? {
                guard let index = header.firstIndex(of: column), index < fields.count else { return nil }
                let text = fields[index].trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty ? nil : text.precomposedStringWithCanonicalMapping
            }
            guard value("learner_id") == learnerID else { continue }
            var parser = RecordParser(file: file, row: number, learnerID: learnerID, value: value)
            if let record = parser.record(activities: activities, boards: boards) { records.append(record) }
            problems += parser.problems
        }
        guard problems.isEmpty else { throw InputError(problems) }
        return records
    }
}

/// Checks one completion-record row.
private struct RecordParser {
    let file: String
    let row: Int
    let learnerID: String
    let value: (String) -> String?
    var problems: [Problem] = []

    mutating func refuse(_ column: String, _ message: String, _ hint: String? = nil) {
        problems.append(Problem(file: file, row: row, field: column, learnerID: learnerID, message: message, hint: hint))
    }

    mutating func record(activities: [String: Activity], boards: BoardCatalog) -> CompletionRecord? {
        let selfReported = ["true", "yes", "1", "y"].contains(value("self_reported")?.lowercased() ?? "")
        let type = value("credit_type").flatMap { CreditType(rawValue: $0.lowercased()) }
        if type == nil { refuse("credit_type", "'\(value("credit_type") ?? "")' is not a credit type", "use one of: \(CreditType.allNames)") }
        var amount: CreditAmount?
        switch value("amount").map(CreditAmount.parse) {
        case .success(let parsed)?: amount = parsed
        case .failure?: refuse("amount", "'\(value("amount") ?? "")' is not an amount in steps of 0.25")
        case nil: refuse("amount", "is required but missing")
        }
        let date = value("completion_date").flatMap { CivilDate(iso: $0) }
        if date == nil { refuse("completion_date", "'\(value("completion_date") ?? "")' is not a date", "write it as YYYY-MM-DD") }
        let board = value("board").map { boards[$0]?.abbreviation ?? $0.uppercased() }
        if type == .moc && board == nil { refuse("board", "is required for MOC points") }
        let (title, provider, format) = describe(selfReported: selfReported, activities: activities)
        guard let type, let amount, let date, let title, let provider else { return nil }
        return CompletionRecord(row: row, learnerID: learnerID, completionDate: date, activityTitle: title,
                                provider: provider, format: format ?? "", creditType: type, amount: amount,
                                board: board, pointType: value("point_type").map(BoardCatalog.pointTypeName),
                                selfReported: selfReported)
    }

    /// Title, provider and format: from the activity file, or from the row for self-reported credit.
    private mutating func describe(selfReported: Bool, activities: [String: Activity]) -> (String?, String?, String?) {
        if let id = value("activity_id"), let activity = activities[id] {
            return (value("title") ?? activity.title, activity.provider.name, activity.format.phrase)
        }
        if let id = value("activity_id"), !selfReported {
            refuse("activity_id", "there is no activity file with id '\(id)'",
                   "pass its activity file with --activities, or mark the row self_reported with its title and provider")
            return (nil, nil, nil)
        }
        let title = value("title"), provider = value("provider")
        if title == nil { refuse("title", "is required for a record without an activity file") }
        if provider == nil { refuse("provider", "is required for a record without an activity file") }
        return (title, provider, value("format"))
    }
}

import Foundation
import Yams

/// Turns roster rows into learner records, given the roster's columns. Shared by the
/// reader and by worker processes, which receive rows without the file.
public struct RosterRowParser: Sendable {
    public let file: String
    public let columns: RosterColumns

    /// A row names no file beside it; made once, as a relative URL costs a system call.
    private static let noFolder = URL(fileURLWithPath: ".")

    /// Checks a row as a learner record; problems name the row and the column.
    public func learner(from row: RosterRow) -> Result<Learner, InputError> {
        // A field run on for megabytes (a lost quote, a binary file) is refused before any of
        // it is read as a name or a date; it is never echoed.
        let names = columns.index.sorted { $0.value < $1.value }.map(\.key)
        if let position = row.fields.firstIndex(where: { $0.unicodeScalars.count > FieldMapping.maximumLength }) {
            let length = row.fields[position].unicodeScalars.count
            return .failure(InputError([Problem(file: file, row: row.number, field: position < names.count ? names[position] : "",
                                                learnerID: columns.learnerID(in: row),
                                                message: "is \(length) characters long, more than the \(FieldMapping.maximumLength) a field may be",
                                                hint: "check the row for a quote that is not closed")]))
        }
        if row.fields.count > columns.headerCount {
            return .failure(InputError([Problem(file: file, row: row.number, field: "",
                                                learnerID: columns.learnerID(in: row),
                                                message: "has \(row.fields.count) fields but the header names \(columns.headerCount)",
                                                hint: "quote fields that contain commas")]))
        }
        let (node, _) = document(for: row)
        let reader = FieldReader(InputDocument(file: file, directory: Self.noFolder, root: node, contentDigest: ""))
        let learner = LearnerReader.read(reader.root)
        if let learner, reader.problems.isEmpty { return .success(learner) }
        return .failure(relabel(InputError(reader.problems), row: row))
    }

    /// The same problems, named by this roster's row and columns instead of learner-file fields.
    public func relabel(_ error: InputError, row: RosterRow) -> InputError {
        let (_, claimColumns) = document(for: row)
        return InputError(error.problems.map { problem in
            var problem = problem
            problem.row = row.number
            problem.line = nil
            problem.field = column(for: problem.field, claimColumns: claimColumns)
            // A date written another way than the column's format: say how to name the format.
            if RosterMapping.dateColumns.contains(problem.field), let text = columns.field(problem.field, in: row),
               text.wholeMatch(of: /[0-9]{1,2}[\/.-][0-9]{1,2}[\/.-][0-9]{4}/) != nil {
                problem.hint = columns.dateFormat == .iso
                    ? "'\(text)' looks like MM/DD/YYYY or DD/MM/YYYY: give --date-format MM/DD/YYYY (or DD/MM/YYYY) for the whole column"
                    : "the column is read as \(columns.dateFormat.rawValue) (--date-format), and '\(text)' is not a date in it"
            }
            return problem
        })
    }

    /// The row as the node tree a learner file would give, and the column of each claim.
    private func document(for row: RosterRow) -> (Node, [String]) {
        // One tag for every node: Yams makes a new tag, with its resolver's and constructor's
        // tables, each time a node is given the default one.
        let tag = Tag(.implicit)
        func node(_ text: String) -> Node { Node(text, tag) }
        func quoted(_ text: String) -> Node { Node(text, tag, .doubleQuoted) }
        func map(_ pairs: [(Node, Node)]) -> Node { Node(pairs, tag) }
        var pairs: [(Node, Node)] = []
        var name: [(Node, Node)] = []
        for (column, field) in RosterColumns.learnerFields {
            guard let value = columns.value(column, in: row) else { continue }
            if field.hasPrefix("name.") {
                name.append((node(String(field.dropFirst(5))), quoted(value)))
            } else {
                pairs.append((node(field), quoted(value)))
            }
        }
        pairs.append((node("name"), map(name)))
        var claims: [Node] = []
        var claimColumns: [String] = []
        for (column, type) in RosterColumns.creditColumns {
            guard let amount = columns.value(column, in: row) else { continue }
            claims.append(map([(node("type"), node(type.rawValue)), (node("amount"), quoted(amount))]))
            claimColumns.append(column)
        }
        if let points = columns.value("moc_points", in: row) {
            var claim: [(Node, Node)] = [(node("type"), node("moc")), (node("amount"), quoted(points))]
            let board = columns.value("moc_board", in: row)
            if let board { claim.append((node("board"), node(board))) }
            if let type = columns.value("moc_point_type", in: row) { claim.append((node("pointType"), node(type))) }
            claims.append(map(claim))
            claimColumns.append("moc_points")
            if let board, let id = columns.value("moc_board_id", in: row) {
                pairs.append((node("boards"), map([(node(board), quoted(id))])))
            }
        }
        pairs.append((node("claims"), Node(claims, tag)))
        if columns.value("license_state", in: row) != nil || columns.value("license_number", in: row) != nil {
            var license: [(Node, Node)] = []
            if let state = columns.value("license_state", in: row) { license.append((node("issuer"), quoted(state))) }
            if let number = columns.value("license_number", in: row) { license.append((node("number"), quoted(number))) }
            if let profession = columns.value("license_profession", in: row) { license.append((node("profession"), quoted(profession))) }
            pairs.append((node("licenses"), Node([map(license)], tag)))
        }
        return (map(pairs), claimColumns)
    }

    /// The roster column a learner-record field came from.
    private func column(for field: String, claimColumns: [String]) -> String {
        if let match = field.wholeMatch(of: Patterns.claimField), let index = Int(match.1), index < claimColumns.count {
            let column = claimColumns[index]
            switch match.2.map(String.init) {
            case "board"?: return "moc_board"
            case "pointType"?: return "moc_point_type"
            case "type"? where column != "moc_points": return column
            default: return column
            }
        }
        if field == "claims" { return RosterColumns.creditColumns.map(\.column).joined(separator: "/") }
        if field.hasPrefix("boards.") { return "moc_board_id" }
        if field.hasPrefix("licenses[") {
            if field.hasSuffix(".issuer") { return "license_state" }
            if field.hasSuffix(".profession") { return "license_profession" }
            return "license_number"
        }
        return RosterColumns.learnerFields.first { $0.field == field }?.column ?? field
    }
}

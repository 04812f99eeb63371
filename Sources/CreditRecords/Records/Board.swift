import Foundation

/// A certifying board whose MOC points an activity may award, as configured in
/// `Templates/rules/boards.yaml`.
public struct Board: Sendable, Equatable {
    public var id: String
    public var name: String
    public var abbreviation: String
    /// The point types a claim must name (ABIM: medical knowledge, practice assessment,
    /// patient safety); empty for boards without types.
    public var pointTypes: [String]
    /// Points in whole numbers only (ABP).
    public var wholePoints: Bool
    /// Points may not exceed the AMA PRA credit claimed for the same activity (ABIM).
    public var limitedByCMEClaimed: Bool
    /// The learner must have completed the activity's evaluation.
    public var requiresEvaluation: Bool
    /// The statement template that describes the points.
    public var statement: String
}

/// Every board CreditPress knows, by id.
public struct BoardCatalog: Sendable {
    public let boards: [String: Board]

    public init(boards: [String: Board]) {
        self.boards = boards
    }

    /// Reads `boards.yaml`; a broken file is an error naming the entry.
    public init(file: URL) throws(TemplateError) {
        let root: FieldMapping
        do {
            root = FieldReader(try InputDocument.load(file, displayName: file.path)).root
        } catch {
            throw TemplateError(file: file.path, message: "the board list is missing or not a mapping of board ids: \(error)")
        }
        var boards: [String: Board] = [:]
        for id in root.keys {
            guard let entry = root.mapping(id), let name = entry.string("name"), let abbreviation = entry.string("abbreviation"),
                  let statement = entry.string("statement") else {
                throw TemplateError(file: file.path, message: "board '\(id)' needs a name, an abbreviation and a statement")
            }
            boards[id] = Board(id: id, name: name, abbreviation: abbreviation, pointTypes: entry.strings("pointTypes"),
                               wholePoints: entry.flag("wholePoints") ?? false,
                               limitedByCMEClaimed: entry.flag("limitedByCMEClaimed") ?? false,
                               requiresEvaluation: entry.flag("requiresEvaluation") ?? false, statement: statement)
        }
        self.boards = boards
    }

    public subscript(id: String) -> Board? { boards[id.lowercased()] }

    package var allNames: String { boards.keys.sorted().joined(separator: ", ") }
}

extension BoardCatalog {
    /// `practice-assessment` as printed: `Practice Assessment`.
    package static func pointTypeName(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}

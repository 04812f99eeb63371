import Foundation
import Yams

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
        guard let text = try? String(contentsOf: file, encoding: .utf8),
              let entries = (try? Yams.load(yaml: text)) as? [String: [String: Any]] else {
            throw TemplateError(file: file.path, message: "the board list is missing or not a mapping of board ids")
        }
        var boards: [String: Board] = [:]
        for (id, entry) in entries {
            guard let name = entry["name"] as? String, let abbreviation = entry["abbreviation"] as? String,
                  let statement = entry["statement"] as? String else {
                throw TemplateError(file: file.path, message: "board '\(id)' needs a name, an abbreviation and a statement")
            }
            boards[id] = Board(id: id, name: name, abbreviation: abbreviation,
                               pointTypes: entry["pointTypes"] as? [String] ?? [],
                               wholePoints: entry["wholePoints"] as? Bool ?? false,
                               limitedByCMEClaimed: entry["limitedByCMEClaimed"] as? Bool ?? false,
                               requiresEvaluation: entry["requiresEvaluation"] as? Bool ?? false,
                               statement: statement)
        }
        self.boards = boards
    }

    public subscript(id: String) -> Board? { boards[id.lowercased()] }

    var allNames: String { boards.keys.sorted().joined(separator: ", ") }
}

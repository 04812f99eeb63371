/// One thing wrong with an input, said so that the person who owns the file can fix it.
///
/// Personal values (names, birth dates, board ids) are never copied into the message;
/// the learner is named by id only.
public struct Problem: Equatable, Sendable, CustomStringConvertible {
    /// The file the problem is in, as the user named it.
    public var file: String
    /// 1-based line in the file, where known.
    public var line: Int?
    /// 1-based data row of a roster (the header is row 0); its fields are columns.
    public var row: Int?
    /// Dotted path of the field, e.g. `claims[0].amount`; empty for the file as a whole.
    public var field: String
    /// The learner the record belongs to, where there is one.
    public var learnerID: String?
    /// What is wrong.
    public var message: String
    /// What to do about it.
    public var hint: String?

    public init(file: String, line: Int? = nil, field: String, learnerID: String? = nil,
                message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.field = field
        self.learnerID = learnerID
        self.message = message
        self.hint = hint
    }

    /// The single line a user reads: `file:line: field 'x' (learner L1): message. hint`.
    public var description: String { DiagnosticFormatter.line(diagnostic) }
}

/// Every problem found in one input, reported together rather than one at a time.
public struct InputError: Error, CustomStringConvertible, Sendable {
    public var problems: [Problem]

    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}

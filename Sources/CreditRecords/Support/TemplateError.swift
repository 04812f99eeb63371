import Foundation

/// A template (statement or layout text) that cannot be used, with where and why.
public struct TemplateError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { diagnostics.map(DiagnosticFormatter.line).joined(separator: "\n") }
}

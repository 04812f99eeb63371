/// A page that could not be written, with the file and Cairo's reason.
public struct RenderError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { DiagnosticFormatter.line(diagnostics[0]) }

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }
}

/// Why the bundled fonts cannot be used.
public struct FontError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A page that could not be written, with the file and Cairo's reason.
public struct RenderError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    /// Set when the system refused the write (a full disk, read-only media, permissions).
    public var failure: WriteFailure?
    public var description: String { DiagnosticFormatter.line(diagnostics[0]) }

    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// A write the system refused: `what` is the step ("cannot write the file").
    public init(file: String, _ what: String, _ failure: WriteFailure) {
        self.file = file
        self.message = "\(what): \(failure.message)"
        self.failure = failure
    }
}

/// Why the bundled fonts cannot be used.
public struct FontError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

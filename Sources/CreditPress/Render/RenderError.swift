/// A page that could not be written, with the file and Cairo's reason.
public struct RenderError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var message: String
    public var description: String { "\(file): \(message)" }
}

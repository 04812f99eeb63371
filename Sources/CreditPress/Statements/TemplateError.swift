import Mustache

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

    init(file: String, lineOffset: Int = 0, parserError: MustacheTemplate.ParserError) {
        self.init(file: file, line: parserError.context.lineNumber + lineOffset,
                  column: parserError.context.columnNumber,
                  message: "template syntax error (\(parserError.error)) in `\(parserError.context.line.trimmingCharacters(in: .whitespaces))`")
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        return "\(place): \(message)"
    }
}

/// Parses template text, turning the library's parser error into a `TemplateError`.
func parseTemplate(_ text: String, file: String, lineOffset: Int = 0) throws(TemplateError) -> MustacheTemplate {
    do {
        return try MustacheTemplate(string: text)
    } catch let error as MustacheTemplate.ParserError {
        throw TemplateError(file: file, lineOffset: lineOffset, parserError: error)
    } catch {
        throw TemplateError(file: file, message: "template cannot be parsed: \(error)")
    }
}

/// The names a template refers to, so that a misspelt `{{activty.title}}` is an error, not a blank.
enum TemplateNames {
    /// Every variable or section name in `text` that does not resolve in `context`.
    static func undefined(in text: String, context: [String: Any], partials: Set<String> = []) -> [String] {
        var missing: [String] = []
        for match in text.matches(of: /\{\{\s*([#^\/&{>!]?)\s*([^}\s]*)\s*\}?\}\}/) {
            let sigil = String(match.1), name = String(match.2)
            switch sigil {
            case "/", "!": continue
            case ">":
                if !partials.contains(name) { missing.append("> " + name) }
            default:
                if name != ".", !resolves(name, in: context) { missing.append(name) }
            }
        }
        return missing
    }

    private static func resolves(_ path: String, in context: [String: Any]) -> Bool {
        var current: Any = context
        for part in path.split(separator: ".") {
            guard let dictionary = current as? [String: Any], let next = dictionary[String(part)] else {
                return false
            }
            current = next
        }
        return true
    }
}

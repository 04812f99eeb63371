import CreditRecords
import Foundation
import Mustache

extension TemplateError {
    package init(file: String, lineOffset: Int = 0, parserError: MustacheTemplate.ParserError) {
        self.init(file: file, line: parserError.context.lineNumber + lineOffset,
                  column: parserError.context.columnNumber,
                  message: "template syntax error (\(parserError.error)) in `\(parserError.context.line.trimmingCharacters(in: .whitespaces))`")
    }
}

/// Parses template text, turning the library's parser error into a `TemplateError`.
package func parseTemplate(_ text: String, file: String, lineOffset: Int = 0) throws(TemplateError) -> MustacheTemplate {
    do {
        return try MustacheTemplate(string: text)
    } catch let error as MustacheTemplate.ParserError {
        throw TemplateError(file: file, lineOffset: lineOffset, parserError: error)
    } catch {
        throw TemplateError(file: file, message: "template cannot be parsed: \(error)")
    }
}

/// The names a template refers to, so that a misspelt `{{activty.title}}` is an error, not a blank.
package enum TemplateNames {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: [(sigil: String, name: String)]] = [:]

    /// The tags of `text`, found once per template text.
    private static func tags(in text: String) -> [(sigil: String, name: String)] {
        if let tags = lock.withLock({ cache[text] }) { return tags }
        let tags = text.matches(of: Patterns.templateTag).map { (String($0.1), String($0.2)) }
        lock.withLock {
            // Activities' own statement texts arrive for as long as a server runs: bounded.
            if cache.count >= 4_096 { cache.removeAll(keepingCapacity: true) }
            cache[text] = tags
        }
        return tags
    }

    /// Every variable or section name in `text` that does not resolve in `context`.
    package static func undefined(in text: String, context: [String: Any], partials: Set<String> = []) -> [String] {
        var missing: [String] = []
        for (sigil, name) in tags(in: text) {
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

    /// Whether `text` draws only on values that are the same for every learner of an activity
    /// (and kind of certificate): `activity`, `signatory` and `statements`.
    package static func isActivityWide(_ text: String) -> Bool {
        tags(in: text).allSatisfy { sigil, name in
            switch sigil {
            case "/", "!": return true
            case ">": return false
            default:
                let root = name.split(separator: ".").first.map(String.init) ?? name
                return name == "." || ["activity", "signatory", "statements"].contains(root)
            }
        }
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

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

    /// The names `text` looks up, each split at its dots, when what it renders follows from
    /// the values those names resolve to alone; nil when it may not: a partial, `.`, a
    /// transform, or a tag the name scan does not see (changed delimiters).
    package static func renderPaths(in text: String) -> [[String]]? {
        let found = tags(in: text)
        guard text.ranges(of: "{{").count == found.count else { return nil }
        var paths: [[String]] = []
        for (sigil, name) in found {
            switch sigil {
            case "/", "!": continue
            case ">": return nil
            default:
                guard name != ".", !name.isEmpty, !name.contains("("), !name.contains("=") else { return nil }
                paths.append(name.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
            }
        }
        return paths
    }

    /// A key for what a template with these `paths` (see `renderPaths`) renders from
    /// `context`: the texts they resolve to, each after its length, so that no two sets of
    /// values share a key. Nil when a path does not resolve to a text or null (a list, a
    /// mapping, a number): such a template is rendered in full.
    package static func renderKey(paths: [[String]], in context: [String: Any]) -> String? {
        var key = ""
        for path in paths {
            guard let current = value(at: path, in: context) else { return nil }
            if let text = current as? String {
                key += "\(text.utf8.count):"
                key += text
            } else if current is NSNull {
                key += "-"
            } else {
                return nil
            }
        }
        return key
    }

    private static func resolves(_ path: String, in context: [String: Any]) -> Bool {
        value(at: path.split(separator: "."), in: context) != nil
    }

    /// What the dotted name `path` (split at its dots) names in `context`, if anything.
    private static func value(at path: [some StringProtocol], in context: [String: Any]) -> Any? {
        var current: Any = context
        for part in path {
            guard let dictionary = current as? [String: Any], let next = dictionary[String(part)] else { return nil }
            current = next
        }
        return current
    }
}

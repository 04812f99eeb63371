import Foundation
import Yams

/// Reads the fields of one input document, collecting every problem with its path and line.
///
/// Reading never stops at the first problem: each accessor notes what is wrong and
/// returns nil, so that the user sees all problems of a file at once.
package final class FieldReader {
    package let document: InputDocument
    package var learnerID: String?
    package private(set) var problems: [Problem] = []
    /// When false, paths to files (artwork) are taken as they are, unread: for an activity
    /// read back from the registry, whose artwork lives with the provider's files.
    package var readsFiles = true

    package init(_ document: InputDocument) {
        self.document = document
    }

    /// The document's top-level mapping.
    package var root: FieldMapping {
        FieldMapping(reader: self, node: document.root, path: "")
    }

    package func report(_ path: String, _ node: Node?, _ message: String, hint: String? = nil) {
        problems.append(Problem(file: document.file, line: node?.mark?.line, field: path,
                                learnerID: learnerID, message: message, hint: hint))
    }
}

/// A mapping inside an input document, addressed by its dotted path.
package struct FieldMapping {
    package let reader: FieldReader
    package let node: Node
    package let path: String
    /// The values by key. Looking keys up through Yams resolves tags with regular
    /// expressions on every comparison; a dictionary made once is far cheaper.
    private let fields: [String: Node]

    package init(reader: FieldReader, node: Node, path: String) {
        self.reader = reader
        self.node = node
        self.path = path
        var fields: [String: Node] = [:]
        for (key, value) in node.mapping ?? [:] {
            if case .scalar(let scalar) = key, fields[scalar.string] == nil { fields[scalar.string] = value }
        }
        self.fields = fields
    }

    package func child(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    /// The line of every field under `node` by its path (`claims[1].amount`), where the
    /// document has positions (a parsed file; not a roster row made into a document).
    package static func lines(of node: Node, path: String = "") -> [String: Int] {
        var lines: [String: Int] = [:]
        func walk(_ node: Node, _ path: String) {
            if !path.isEmpty, let line = node.mark?.line { lines[path] = line }
            switch node {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    guard let name = key.scalar?.string else { continue }
                    walk(value, path.isEmpty ? name : "\(path).\(name)")
                }
            case .sequence(let sequence):
                for (index, item) in sequence.enumerated() where index < 100 { walk(item, "\(path)[\(index)]") }
            default: break
            }
        }
        walk(node, path)
        return lines
    }

    /// The mapping's keys, in file order.
    package var keys: [String] {
        node.mapping.map { mapping in mapping.compactMap { $0.key.scalar?.string } } ?? []
    }

    /// The value under `key`, treating YAML null (`~`, `null`, nothing) as absent.
    package func value(_ key: String) -> Node? {
        guard let value = fields[key] else { return nil }
        if case .scalar(let scalar) = value, scalar.style == .plain,
           ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
        return value
    }

    /// Reports keys that are not in `known`, with the nearest known key as a hint.
    package func rejectUnknownKeys(_ known: [String]) {
        guard let mapping = node.mapping else { return }
        for key in mapping.keys {
            let name = key.string ?? "\(key)"
            guard !known.contains(name) else { continue }
            let guess = known.min { editDistance($0, name) < editDistance($1, name) }
            let hint = guess.map { editDistance($0, name) <= 3 ? "did you mean '\($0)'?" : nil }
            reader.report(child(name), key, "is not a field of this file",
                          hint: (hint ?? nil) ?? "the fields are: \(known.joined(separator: ", "))")
        }
    }

    /// A text field; `required` reports it when missing or blank.
    package func string(_ key: String, required: Bool = false, hint: String? = nil,
                        maxLength: Int = FieldMapping.maximumLength) -> String? {
        guard let value = value(key) else {
            if required { reader.report(child(key), node, "is required but missing", hint: hint) }
            return nil
        }
        guard case .scalar(let scalar) = value else {
            reader.report(child(key), value, "must be a single value, not a list or mapping")
            return nil
        }
        let text = Self.normalised(scalar.string)
        if text.isEmpty {
            if required { reader.report(child(key), value, "is required but empty", hint: hint) }
            return nil
        }
        guard printable(text, child(key), value, maxLength: maxLength) else { return nil }
        return text
    }

    /// `text` without surrounding white space, in Unicode's composed form (NFC). Text
    /// below U+0300 (ASCII, Latin-1, the Latin extensions: most of any roster) holds no
    /// combining mark and nothing NFC changes, so Foundation is asked only for the rest.
    package static func normalised(_ text: String) -> String {
        let trimmed = text.trimmed
        guard trimmed.unicodeScalars.contains(where: { $0.value >= 0x300 }) else { return trimmed }
        return trimmed.precomposedStringWithCanonicalMapping
    }

    /// The longest text any field may hold, in characters (Unicode scalars): a statement
    /// override is a paragraph or two.
    package static let maximumLength = 5_000
    /// The longest name part: what fits on a certificate's name line several times over.
    package static let maximumNameLength = 200
    /// The longest learner id: registration systems use a few dozen characters.
    package static let maximumIDLength = 100

    /// Refuses a text holding a control character (a NUL, an escape, a C1 control): it
    /// cannot be printed, and a reader of the PDF, the registry and the QR code would each
    /// cut or show it differently. Line breaks and tabs are allowed. The character is named
    /// by its code point, never echoed.
    package func printable(_ text: String, _ path: String, _ node: Node?, maxLength: Int = FieldMapping.maximumLength) -> Bool {
        let length = text.unicodeScalars.count
        guard length <= maxLength else {
            reader.report(path, node, "is \(length) characters long, more than the \(maxLength) it may be",
                          hint: "shorten it; check that the file's columns or fields are not run together")
            return false
        }
        guard let bad = text.unicodeScalars.first(where: FieldMapping.isControl) else { return true }
        reader.report(path, node, "holds the control character \(String(format: "U+%04X", bad.value)), which cannot be printed",
                      hint: "remove it (it is often left by a copy from another program or a database export)")
        return false
    }

    package static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        default: return false
        }
    }

    /// A nested mapping.
    package func mapping(_ key: String, required: Bool = false) -> FieldMapping? {
        guard let value = value(key) else {
            if required { reader.report(child(key), node, "is required but missing") }
            return nil
        }
        guard value.mapping != nil else {
            reader.report(child(key), value, "must be a mapping of fields")
            return nil
        }
        return FieldMapping(reader: reader, node: value, path: child(key))
    }

    /// A list of mappings, each with its own path (`credits[0]`).
    package func mappings(_ key: String, required: Bool = false) -> [FieldMapping] {
        guard let value = value(key) else {
            if required { reader.report(child(key), node, "is required but missing") }
            return []
        }
        guard case .sequence(let sequence) = value else {
            reader.report(child(key), value, "must be a list")
            return []
        }
        return sequence.enumerated().compactMap { index, item in
            let itemPath = "\(child(key))[\(index)]"
            guard item.mapping != nil else {
                reader.report(itemPath, item, "must be a mapping of fields")
                return nil
            }
            return FieldMapping(reader: reader, node: item, path: itemPath)
        }
    }

    /// A list of texts; a single text, or a comma-separated one, is accepted as a list.
    package func strings(_ key: String) -> [String] {
        guard let value = value(key) else { return [] }
        let items: [Node]
        switch value {
        case .sequence(let sequence): items = Array(sequence)
        case .scalar(let scalar):
            return scalar.string.split(separator: ",")
                .map { Self.normalised(String($0)) }
                .filter { !$0.isEmpty && printable($0, child(key), value) }
        default:
            reader.report(child(key), value, "must be a list of texts")
            return []
        }
        return items.enumerated().compactMap { index, item in
            guard case .scalar(let scalar) = item else {
                reader.report("\(child(key))[\(index)]", item, "must be a text")
                return nil
            }
            let text = Self.normalised(scalar.string)
            guard !text.isEmpty, printable(text, "\(child(key))[\(index)]", item) else { return nil }
            return text
        }
    }

    /// A mapping of text to text (statement overrides).
    package func stringMap(_ key: String) -> [String: String] {
        guard let map = mapping(key) else { return [:] }
        var result: [String: String] = [:]
        for key in map.node.mapping.map({ Array($0.keys) }) ?? [] {
            guard let name = key.string else { continue }
            if let text = map.string(name) { result[name] = text }
        }
        return result
    }

    /// An ISO date (`2018-06-01`).
    package func date(_ key: String, required: Bool = false) -> CivilDate? {
        guard let text = string(key, required: required, hint: "write it as YYYY-MM-DD") else {
            return nil
        }
        guard let date = CivilDate(iso: text) else {
            reader.report(child(key), value(key), "'\(text)' is not a date",
                          hint: "write it as YYYY-MM-DD, e.g. 2018-06-05")
            return nil
        }
        return date
    }

    /// A credit amount in 0.25 steps, more than zero.
    package func amount(_ key: String, required: Bool = false, unit: String) -> CreditAmount? {
        guard let text = string(key, required: required, hint: "give the number of \(unit)") else {
            return nil
        }
        switch CreditAmount.parse(text) {
        case .success(let amount) where amount.isZero:
            reader.report(child(key), value(key), "must be more than 0 \(unit)")
        case .success(let amount):
            return amount
        case .failure(.notANumber):
            reader.report(child(key), value(key), "'\(text)' is not a number of \(unit)",
                          hint: "write a number such as 12.5")
        case .failure(.negative):
            reader.report(child(key), value(key), "must not be negative (\(text))")
        case .failure(.notInQuarterSteps):
            reader.report(child(key), value(key), "\(text) is not in steps of 0.25",
                          hint: "round to the nearest quarter (e.g. 1.25, 1.5, 1.75)")
        }
        return nil
    }

    /// A value from a fixed list, reported with the list when it is anything else.
    package func choice<T>(_ key: String, required: Bool = false, allowed: String, hint: String? = nil,
                   _ lookup: (String) -> T?) -> T? {
        guard let text = string(key, required: required, hint: hint ?? "one of: \(allowed)") else {
            return nil
        }
        guard let value = lookup(text) else {
            reader.report(child(key), value(key), "'\(text)' is not a known value",
                          hint: "use one of: \(allowed)")
            return nil
        }
        return value
    }

    /// A path to a readable file, relative to the input file's folder.
    package func file(_ key: String, what: String) -> URL? {
        guard let text = string(key) else { return nil }
        let url = URL(fileURLWithPath: text, relativeTo: reader.document.directory).standardizedFileURL
        guard reader.readsFiles else { return url }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            reader.report(child(key), value(key), "the \(what) '\(text)' cannot be read",
                          hint: "give a path relative to \(reader.document.file), to a PNG or SVG file")
            return nil
        }
        guard ArtworkFile.kind(of: url) != nil else {
            reader.report(child(key), value(key), "the \(what) '\(text)' is neither a PNG nor an SVG image",
                          hint: "convert it to SVG (best: it stays sharp and small) or PNG")
            return nil
        }
        return url
    }
}

/// Levenshtein distance, for "did you mean" hints on misspelt field names.
package func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        }
        previous = current
    }
    return a.isEmpty ? b.count : previous[b.count]
}

extension FieldMapping {
    /// A number such as `12` or `10.5`.
    package func number(_ key: String, required: Bool = false) -> Double? {
        guard let text = string(key, required: required) else { return nil }
        guard let value = Double(text), value.isFinite else {
            reader.report(child(key), value(key), "'\(text)' is not a number")
            return nil
        }
        return value
    }

    /// `true`/`false` (also yes/no).
    package func flag(_ key: String) -> Bool? {
        choice(key, allowed: "true, false") { ["true": true, "yes": true, "false": false, "no": false][$0.lowercased()] }
    }

    /// A list of exactly `count` numbers, such as `[72, 400, 200, 60]`.
    package func numbers(_ key: String, count: Int) -> [Double]? {
        let values = strings(key).compactMap(Double.init)
        guard values.count == count else {
            reader.report(child(key), value(key) ?? node, "must be a list of \(count) numbers")
            return nil
        }
        return values
    }

    /// An `[x, y]` pair.
    package func point(_ key: String) -> (Double, Double)? {
        numbers(key, count: 2).map { ($0[0], $0[1]) }
    }
}

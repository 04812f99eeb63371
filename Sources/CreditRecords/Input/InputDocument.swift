import Foundation
import Yams

/// A YAML or JSON input file parsed into a node tree that still knows its line numbers.
package struct InputDocument {
    /// The name used in messages: the path as the user gave it.
    package let file: String
    package let directory: URL
    package let root: Node
    /// The SHA-256 of the bytes it was parsed from (of every file, for a merged layout):
    /// what caches of things made from it are keyed by, so that none goes stale.
    package let contentDigest: String

    package init(file: String, directory: URL, root: Node, contentDigest: String) {
        self.file = file
        self.directory = directory
        self.root = root
        self.contentDigest = contentDigest
    }

    /// The largest activity, learner or layout file read: the largest real one is a few KiB.
    package static let maximumBytes = 4 << 20

    /// Reads and parses `url`; every failure becomes a problem naming the file.
    package static func load(_ url: URL, displayName: String? = nil) throws(InputError) -> InputDocument {
        let name = displayName ?? url.relativePath
        let data: Data
        do {
            // Never more than the limit and a byte is read, whatever the file is.
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            throw InputError([Problem(file: name, field: "", message: "cannot read the file (\(InputDocument.reason(error)))",
                                      hint: "check the path and that the file is readable")])
        }
        return try parse(data, name: name, directory: url.deletingLastPathComponent())
    }

    /// Parses `data` (an upload, say) named `name` in messages; relative paths in it are
    /// read from `directory`.
    package static func parse(_ data: Data, name: String, directory: URL) throws(InputError) -> InputDocument {
        func fail(_ message: String, line: Int? = nil, hint: String? = nil) -> InputError {
            InputError([Problem(file: name, line: line, field: "", message: message, hint: hint)])
        }
        guard var text = String(data: data, encoding: .utf8) else {
            throw fail("the file is not UTF-8 text", hint: "save it as UTF-8")
        }
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard data.count <= maximumBytes else {
            throw fail("is larger than \(ByteCount.text(UInt64(maximumBytes))), the most an input file may be",
                       hint: "give the activity, learner or layout file itself; artwork is named by path, not embedded")
        }
        if let violation = YAMLLimits.violation(in: text) {
            throw fail(violation.message, line: violation.line, hint: violation.hint)
        }
        let root: Node?
        do {
            // Every value is read as text and checked by the field readers, so Yams need not
            // guess types (its guessing compiles regular expressions, a cost on every start).
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw fail("cannot be parsed as YAML or JSON: \(InputDocument.summary(of: error))",
                       line: InputDocument.line(of: error))
        } catch {
            throw fail("cannot be parsed as YAML or JSON: \(error)")
        }
        guard let root, root.mapping != nil else {
            throw fail("the file is empty or is not a mapping of fields",
                       hint: "start with `id:` and the other fields shown in the README")
        }
        return InputDocument(file: name, directory: directory, root: root, contentDigest: Hex.sha256(data))
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError { return "no such file" }
        if nsError.domain == NSPOSIXErrorDomain {
            return nsError.code == Int(ENOENT) ? "no such file" : String(cString: strerror(Int32(nsError.code)))
        }
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSCocoaErrorDomain && nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        return nsError.localizedDescription
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        case .duplicatedKeysInMapping(_, let context):
            return context.mark.line
        default:
            return nil
        }
    }

    private static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }
                .joined(separator: " ")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "the key \(duplicates.joined(separator: ", ")) appears more than once"
        default:
            return "\(error)"
        }
    }
}

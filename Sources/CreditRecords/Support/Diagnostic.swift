import Foundation

/// One problem, whatever stage found it: an input refused, a layout that does not fit, a
/// broken template, a registry refusal, a page that could not be drawn or signed. Every
/// error the library throws becomes a list of these (`DiagnosticConvertible`); one
/// formatter writes them as command-line lines or as JSON problem details, and one table
/// gives each kind its exit status and HTTP status.
///
/// Personal values (names, birth dates, board ids) are never put into a message; the
/// learner is named by id only.
public struct Diagnostic: Sendable, Equatable, Codable {
    /// Which stage found the problem, and so whose it is to fix.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// An activity, learner or roster that was refused: the person who owns it fixes it.
        case input
        /// A layout file that cannot be used, or content that does not fit it.
        case layout
        /// A statement template or rule file that cannot be used.
        case template
        /// The registry refused (a frozen, revoked or superseded certificate) or failed.
        case registry
        /// A page that could not be drawn.
        case render
        /// Output the system refused to write: a full disk, read-only media, permissions.
        case storage
        /// A signature, time-stamp or QR payload that could not be made or read.
        case signing
        /// The bundled fonts or resources cannot be used.
        case resources
        /// Anything else: a fault of the program.
        case `internal`
    }

    public var kind: Kind
    /// The file the problem is in, as the user named it.
    public var file: String
    /// 1-based line (and column) in the file, where known.
    public var line: Int?
    public var column: Int?
    /// 1-based data row of a roster (the header is row 0).
    public var row: Int?
    /// Dotted path of the field (a roster's column); empty for the file as a whole.
    public var field: String
    /// The layout block, for layout problems.
    public var block: String?
    public var learnerID: String?
    public var message: String
    /// What to do about it.
    public var hint: String?

    public init(kind: Kind, file: String, line: Int? = nil, column: Int? = nil, row: Int? = nil, field: String = "",
                block: String? = nil, learnerID: String? = nil, message: String, hint: String? = nil) {
        self.kind = kind
        self.file = file
        self.line = line
        self.column = column
        self.row = row
        self.field = field
        self.block = block
        self.learnerID = learnerID
        self.message = message
        self.hint = hint
    }

    /// The diagnostics of any error: its own when it has them, else one `internal` one.
    public static func of(_ error: any Error) -> [Diagnostic] {
        if let convertible = error as? any DiagnosticConvertible { return convertible.diagnostics }
        return [Diagnostic(kind: .internal, file: "", message: "\(error)")]
    }
}

/// An error that says what went wrong as diagnostics.
public protocol DiagnosticConvertible: Error {
    var diagnostics: [Diagnostic] { get }
}

extension Diagnostic.Kind {
    /// The command line's exit status: 65 (EX_DATAERR) for refused input, 74 (EX_IOERR)
    /// for output the system would not write, 1 for the rest.
    public var exitStatus: Int32 {
        switch self {
        case .input: return 65
        case .storage: return 74
        default: return 1
        }
    }

    /// The service's HTTP status for a request that failed with this kind of problem.
    public var httpStatus: Int {
        switch self {
        case .input, .layout: return 422
        case .registry: return 409
        case .storage: return 507
        case .template, .render, .signing, .resources, .internal: return 500
        }
    }

    /// The problem details' title.
    public var title: String {
        switch self {
        case .input: return "The input was refused"
        case .layout: return "The certificate does not fit its layout"
        case .template: return "A statement template cannot be used"
        case .registry: return "The registry refused the change"
        case .render: return "The certificate could not be drawn"
        case .storage: return "The output could not be written"
        case .signing: return "The certificate could not be signed or checked"
        case .resources: return "The templates or fonts cannot be used"
        case .internal: return "Something went wrong"
        }
    }
}

/// Writes diagnostics for people and programs: the one place their wording is put together.
public enum DiagnosticFormatter {
    /// The single line a user reads:
    /// `file:line: field 'x' (learner L1): message — hint`, `file row 3: column 'x': …`,
    /// `file: block 'name' (learner L1): …`.
    public static func line(_ diagnostic: Diagnostic) -> String {
        var place = diagnostic.file
        if let row = diagnostic.row {
            place += row == 0 ? " header" : " row \(row)"
        } else if let line = diagnostic.line {
            place += ":\(line)" + (diagnostic.column.map { ":\($0)" } ?? "")
        }
        var qualifiers: [String] = []
        if !diagnostic.field.isEmpty { qualifiers.append(diagnostic.row == nil ? "field '\(diagnostic.field)'" : "column '\(diagnostic.field)'") }
        if let block = diagnostic.block { qualifiers.append("block '\(block)'") }
        if let learner = diagnostic.learnerID { qualifiers.append("(learner \(learner))") }
        var text = place.isEmpty ? "" : place + ":"
        text += qualifiers.isEmpty ? "" : " " + qualifiers.joined(separator: " ") + ":"
        text += (text.isEmpty ? "" : " ") + diagnostic.message
        if let hint = diagnostic.hint { text += " — \(hint)" }
        return text
    }

    /// An RFC 9457 problem details object (`application/problem+json`): `type`, `title`,
    /// `status` and `detail` from the first diagnostic, and every diagnostic under `errors`.
    public static func problemDetails(_ diagnostics: [Diagnostic], instance: String? = nil) -> Data {
        let kind = diagnostics.first?.kind ?? .internal
        var object: [String: Any] = [
            "type": "/problems/\(kind.rawValue)",
            "title": kind.title,
            "status": kind.httpStatus,
            "detail": diagnostics.first.map(line) ?? kind.title,
            "errors": diagnostics.map { diagnostic -> [String: Any] in
                var entry: [String: Any] = ["kind": diagnostic.kind.rawValue, "message": diagnostic.message]
                if !diagnostic.file.isEmpty { entry["file"] = diagnostic.file }
                if !diagnostic.field.isEmpty { entry["field"] = diagnostic.field }
                entry["line"] = diagnostic.line
                entry["column"] = diagnostic.column
                entry["row"] = diagnostic.row
                entry["block"] = diagnostic.block
                entry["learnerID"] = diagnostic.learnerID
                entry["hint"] = diagnostic.hint
                return entry
            },
        ]
        object["instance"] = instance
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }
}

extension InputError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { problems.map(\.diagnostic) }
}

extension Problem {
    public var diagnostic: Diagnostic {
        Diagnostic(kind: .input, file: file, line: line, row: row, field: field, learnerID: learnerID, message: message, hint: hint)
    }
}

extension TemplateError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        [Diagnostic(kind: .template, file: file, line: line, column: column, message: message)]
    }
}

extension RenderError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        [Diagnostic(kind: failure == nil ? .render : .storage, file: file, message: message, hint: failure?.hint)]
    }
}

extension WriteFailure: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] {
        [Diagnostic(kind: .storage, file: path, message: "cannot be written: \(message)", hint: hint)]
    }
}

extension FontError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(kind: .resources, file: "", message: message)] }
}

import CreditRecords
import Foundation
import Mustache

/// The prescribed statement texts, one versioned template file each, parsed once.
///
/// `Templates/statements/catalog.yaml` gives each statement's version; `NAME.mustache`
/// beside it holds the text as Pango markup (italics as `<i>`). Values are escaped as
/// they are filled in, and are never read again as template.
public struct StatementCatalog: Sendable {
    public let directory: URL
    /// The version of each statement template, recorded with what is issued.
    public let versions: [String: Int]
    package let library: MustacheLibrary
    package let sources: [String: String]
    /// The partials each statement includes.
    package let partialNames: [String: [String]]
    /// The SHA-256 of the catalog file and of every statement file it was read from.
    public let fingerprint: String

    /// Whether the files the catalog was read from still hold the same bytes: read again,
    /// they give the same fingerprint.
    public func isCurrent() -> Bool {
        let catalog = (try? Data(contentsOf: directory.appendingPathComponent("catalog.yaml"))) ?? Data()
        let sources = versions.keys.sorted().map { id in
            (id, (try? String(contentsOf: directory.appendingPathComponent("\(id).mustache"), encoding: .utf8)) ?? "")
        }
        return Self.fingerprint(catalog: Hex.sha256(catalog), sources: sources) == fingerprint
    }

    private static func fingerprint(catalog: String, sources: [(id: String, text: String)]) -> String {
        Hex.sha256(Data(([catalog] + sources.map { "\($0.id)\u{0}\($0.text)" }).joined(separator: "\u{1}").utf8))
    }

    /// The catalog with the statements in `pinned` at those earlier versions, read from
    /// `archive/ID.vN.mustache` (kept when a statement's text changes, so that a certificate
    /// issued with it is drawn again byte for byte); nil when one of them is not kept.
    public func pinned(_ pinned: [String: Int]) -> StatementCatalog? {
        var sources = self.sources, versions = self.versions
        for (id, version) in pinned where versions[id] != nil && versions[id] != version {
            let file = directory.appendingPathComponent("archive/\(id).v\(version).mustache")
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
            sources[id] = text.trimmingCharacters(in: .whitespacesAndNewlines)
            versions[id] = version
        }
        guard versions != self.versions else { return self }
        var templates: [String: MustacheTemplate] = [:]
        for (id, source) in sources {
            guard let template = try? parseTemplate(source, file: id) else { return nil }
            templates[id] = template
        }
        return StatementCatalog(directory: directory, versions: versions, sources: sources, templates: templates,
                                fingerprint: fingerprint + " pinned " + versions.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))
    }

    private init(directory: URL, versions: [String: Int], sources: [String: String], templates: [String: MustacheTemplate], fingerprint: String) {
        self.directory = directory
        self.versions = versions
        self.sources = sources
        self.fingerprint = fingerprint
        self.partialNames = sources.mapValues { $0.matches(of: Patterns.partialTag).map { String($0.1) } }
        self.library = MustacheLibrary(templates: templates)
    }

    public init(directory: URL) throws(TemplateError) {
        self.directory = directory
        let catalogFile = directory.appendingPathComponent("catalog.yaml")
        let entries: [(id: String, version: Int?)]
        let catalogDigest: String
        do {
            let document = try InputDocument.load(catalogFile, displayName: catalogFile.path)
            catalogDigest = document.contentDigest
            let reader = FieldReader(document)
            entries = reader.root.keys.map { id in (id, reader.root.mapping(id)?.string("version").flatMap { Int($0) }) }
        } catch {
            throw TemplateError(file: catalogFile.path,
                                message: "the statement catalog is missing or not a mapping of statement ids: \(error)")
        }
        var templates: [String: MustacheTemplate] = [:]
        var versions: [String: Int] = [:]
        var sources: [String: String] = [:]
        var raw: [(id: String, text: String)] = []
        for (id, version) in entries {
            let file = directory.appendingPathComponent("\(id).mustache")
            guard let version else {
                throw TemplateError(file: catalogFile.path, message: "statement '\(id)' has no whole-number version")
            }
            guard let source = try? String(contentsOf: file, encoding: .utf8) else {
                throw TemplateError(file: file.path, message: "statement '\(id)' is listed but its file cannot be read")
            }
            raw.append((id, source))
            let body = source.trimmingCharacters(in: .whitespacesAndNewlines)
            templates[id] = try parseTemplate(body, file: file.path)
            versions[id] = version
            sources[id] = body
        }
        self.versions = versions
        self.sources = sources
        fingerprint = Self.fingerprint(catalog: catalogDigest, sources: raw.sorted { $0.id < $1.id })
        self.partialNames = sources.mapValues { $0.matches(of: Patterns.partialTag).map { String($0.1) } }
        self.library = MustacheLibrary(templates: templates)
    }

    /// Fills statement `id` with `values`; every name it uses must be among them.
    public func render(_ id: String, _ values: [String: Any]) throws(TemplateError) -> String {
        let file = directory.appendingPathComponent("\(id).mustache").path
        guard let source = sources[id] else {
            throw TemplateError(file: file, message: "there is no statement '\(id)' in the catalog")
        }
        try StatementCatalog.checkNames(source, values: values, partials: Set(sources.keys), file: file)
        return library.render(values, withTemplate: id) ?? ""
    }

    /// The partials `id` includes (`{{> ama-credit-phrase}}`), whose versions count too.
    package func partials(of id: String) -> [String] {
        partialNames[id] ?? []
    }

    /// Fills a per-activity override, which is a template of the same kind as the catalog's.
    public func renderOverride(_ text: String, values: [String: Any], file: String) throws(TemplateError) -> String {
        let template = try parseTemplate(text, file: file)
        try StatementCatalog.checkNames(text, values: values, partials: Set(sources.keys), file: file)
        return template.render(values, library: library)
    }

    private static func checkNames(_ source: String, values: [String: Any], partials: Set<String>,
                                   file: String) throws(TemplateError) {
        let missing = TemplateNames.undefined(in: source, context: values, partials: partials)
        guard missing.isEmpty else {
            throw TemplateError(file: file, message: "refers to \(missing.map { "{{\($0)}}" }.joined(separator: ", ")), which this statement is not given; available: \(values.keys.sorted().joined(separator: ", "))")
        }
    }
}

import Foundation

/// Turns an activity file (YAML or JSON) into a checked `Activity`.
public enum ActivityReader {
    package static let fields = ["id", "title", "theme", "format", "startDate", "endDate", "location",
                         "timeZone", "provider", "jointProvider", "credits", "claimDeadline",
                         "evaluationRequired", "aapaAcceptsAMACredit", "signatory", "logo",
                         "statements", "disclaimer", "commercialSupporters"]

    /// Reads `url`; throws every problem found in the file at once. `boards` are the
    /// certifying boards MOC credit may name.
    public static func read(_ url: URL, displayName: String? = nil,
                            boards: BoardCatalog = BoardCatalog(boards: [:])) throws(InputError) -> Activity {
        try read(InputDocument.load(url, displayName: displayName), boards: boards)
    }

    /// Reads an activity from its bytes (an upload, say), named `displayName` in messages;
    /// artwork paths in it are relative to `directory`.
    public static func read(_ data: Data, displayName: String, directory: URL,
                            boards: BoardCatalog = BoardCatalog(boards: [:])) throws(InputError) -> Activity {
        try read(InputDocument.parse(data, name: displayName, directory: directory), boards: boards)
    }

    /// The activity as recorded at issue (the registry's copy of its file): what it prints,
    /// without reading its artwork, which is not kept with it.
    public static func readRecorded(_ data: Data) throws(InputError) -> Activity {
        try read(InputDocument.parse(data, name: "recorded activity", directory: URL(fileURLWithPath: "/")),
                 boards: BoardCatalog(boards: [:]), readsFiles: false)
    }

    private static func read(_ document: InputDocument, boards: BoardCatalog, readsFiles: Bool = true) throws(InputError) -> Activity {
        let reader = FieldReader(document)
        reader.readsFiles = readsFiles
        if var activity = read(reader.root, boards: boards), reader.problems.isEmpty {
            activity.contentDigest = document.contentDigest
            return activity
        }
        throw InputError(reader.problems)
    }

    private static func read(_ root: FieldMapping, boards: BoardCatalog) -> Activity? {
        root.rejectUnknownKeys(fields)
        let id = root.string("id", required: true)
        let title = root.string("title", required: true)
        let format = readFormat(root)
        let start = root.date("startDate", required: true)
        let end = root.date("endDate") ?? start
        if let start, let end, end < start {
            root.reader.report("endDate", root.value("endDate"),
                               "ends (\(end)) before it starts (\(start))")
        }
        let location = root.string("location", required: format == .live,
                                   hint: "a live activity's certificate names where it took place")
        let zoneName = root.string("timeZone", required: true, hint: "e.g. America/Chicago")
        let zone = zoneName.flatMap { name in
            let zone = TimeZone(identifier: name)
            if zone == nil {
                root.reader.report("timeZone", root.value("timeZone"), "'\(name)' is not a time zone",
                                   hint: "use an IANA name such as America/New_York")
            }
            return zone
        }
        let provider = ProviderReader.read(root)
        let designations = CreditsReader.read(root, boards: boards, format: format)
        let signatory = readSignatory(root)
        let logo = root.file("logo", what: "logo")
        let deadline = zone.flatMap { root.moment("claimDeadline", in: $0) }
        guard let id, let title, let format, let start, let end, let zone, let provider else {
            return nil
        }
        ProviderReader.checkCredits(designations, provider: provider, on: start, root: root)
        return Activity(
            id: id, title: title, theme: root.string("theme"), format: format,
            startDate: start, endDate: end, location: location, timeZone: zone,
            provider: provider, jointProvider: root.string("jointProvider"),
            designations: designations, claimDeadline: deadline,
            evaluationRequired: root.flag("evaluationRequired") ?? false,
            aapaAcceptsAMACredit: root.flag("aapaAcceptsAMACredit") ?? false,
            signatory: signatory, logo: logo,
            statementOverrides: readOverrides(root),
            disclaimer: root.string("disclaimer"),
            commercialSupporters: root.strings("commercialSupporters"),
            sourceFile: root.reader.document.file)
    }

    /// The statement roles an activity may override.
    package static let overridableStatements = ["accreditation", "designation", "participationDesignation", "creditPhrase",
                                        "ancc", "acpe", "aapa", "aapaAcceptance", "ipce", "moc"]

    private static func readOverrides(_ root: FieldMapping) -> [String: String] {
        root.mapping("statements")?.rejectUnknownKeys(overridableStatements)
        return root.stringMap("statements")
    }

    private static func readFormat(_ root: FieldMapping) -> LearningFormat? {
        let allowed = LearningFormat.amaFormats.map(\.1).joined(separator: ", ")
            + ", or other: <name>"
        return root.choice("format", required: true, allowed: allowed) { text in
            if let format = LearningFormat.named(text) { return format }
            guard let match = text.wholeMatch(of: Patterns.otherFormat) else { return nil }
            return .other(String(match.1))
        }
    }

    private static func readSignatory(_ root: FieldMapping) -> Activity.Signatory? {
        guard let map = root.mapping("signatory") else { return nil }
        map.rejectUnknownKeys(["name", "title", "signature"])
        let name = map.string("name", required: true)
        let image = map.file("signature", what: "signature image")
        guard let name else { return nil }
        return Activity.Signatory(name: name, title: map.string("title"), signatureImage: image)
    }
}

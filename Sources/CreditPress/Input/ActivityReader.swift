import Foundation

/// Turns an activity file (YAML or JSON) into a checked `Activity`.
public enum ActivityReader {
    static let fields = ["id", "title", "theme", "format", "startDate", "endDate", "location",
                         "timeZone", "provider", "jointProvider", "credits", "signatory", "logo",
                         "statements", "disclaimer", "commercialSupporters"]

    /// Reads `url`; throws every problem found in the file at once.
    public static func read(_ url: URL, displayName: String? = nil) throws(InputError) -> Activity {
        let reader = FieldReader(try InputDocument.load(url, displayName: displayName))
        let activity = read(reader.root)
        if let activity, reader.problems.isEmpty { return activity }
        throw InputError(reader.problems)
    }

    private static func read(_ root: FieldMapping) -> Activity? {
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
        let provider = readProvider(root)
        let credits = readCredits(root)
        let signatory = readSignatory(root)
        let logo = root.file("logo", what: "logo")
        guard let id, let title, let format, let start, let end, let zone, let provider else {
            return nil
        }
        return Activity(
            id: id, title: title, theme: root.string("theme"), format: format,
            startDate: start, endDate: end, location: location, timeZone: zone,
            provider: provider, jointProvider: root.string("jointProvider"),
            designatedCredits: credits, signatory: signatory, logo: logo,
            statementOverrides: readOverrides(root),
            disclaimer: root.string("disclaimer"),
            commercialSupporters: root.strings("commercialSupporters"),
            sourceFile: root.reader.document.file)
    }

    /// The statement roles an activity may override.
    static let overridableStatements = ["accreditation", "designation", "participationDesignation", "creditPhrase"]

    private static func readOverrides(_ root: FieldMapping) -> [String: String] {
        root.mapping("statements")?.rejectUnknownKeys(overridableStatements)
        return root.stringMap("statements")
    }

    private static func readFormat(_ root: FieldMapping) -> LearningFormat? {
        let allowed = LearningFormat.amaFormats.map(\.1).joined(separator: ", ")
            + ", or other: <name>"
        return root.choice("format", required: true, allowed: allowed) { text in
            if let format = LearningFormat.named(text) { return format }
            guard let match = text.wholeMatch(of: /(?i)other\s*[:\-]\s*(.+)/) else { return nil }
            return .other(String(match.1))
        }
    }

    private static func readProvider(_ root: FieldMapping) -> Activity.Provider? {
        guard let map = root.mapping("provider", required: true) else { return nil }
        map.rejectUnknownKeys(["name", "accreditation", "accreditor"])
        let name = map.string("name", required: true)
        let accreditation = map.choice("accreditation", required: true,
                                       allowed: Accreditation.allNames) { Accreditation(rawValue: $0) }
        let accreditor = map.string("accreditor", required: accreditation == .stateMedicalSociety,
                                    hint: "the state medical society's name, e.g. Medical Society of Virginia")
        guard let name, let accreditation else { return nil }
        return Activity.Provider(name: name, accreditation: accreditation, accreditor: accreditor)
    }

    private static func readCredits(_ root: FieldMapping) -> [CreditType: CreditAmount] {
        var credits: [CreditType: CreditAmount] = [:]
        let items = root.mappings("credits", required: true)
        if items.isEmpty, root.value("credits") != nil {
            root.reader.report("credits", root.value("credits"), "lists no credit",
                               hint: "add `- type: ama-pra-category-1` with its `maximum`")
        }
        for item in items {
            item.rejectUnknownKeys(["type", "maximum"])
            let type = item.choice("type", required: true, allowed: CreditType.allNames) {
                CreditType(rawValue: $0)
            }
            let maximum = item.amount("maximum", required: true, unit: "credits")
            guard let type, let maximum else { continue }
            if credits[type] != nil {
                item.reader.report(item.child("type"), item.value("type"),
                                   "\(type.rawValue) is designated twice", hint: "keep one entry")
            }
            credits[type] = maximum
        }
        return credits
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

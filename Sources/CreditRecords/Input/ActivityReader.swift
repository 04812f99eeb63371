import Foundation

/// Turns an activity file (YAML or JSON) into a checked `Activity`.
public enum ActivityReader {
    package static let fields = ["id", "title", "theme", "format", "startDate", "endDate", "location",
                         "timeZone", "provider", "jointProvider", "credits", "claimDeadline",
                         "evaluationRequired", "aapaAcceptsAMACredit", "signatory", "logo",
                         "statements", "disclaimer", "commercialSupporters", "commercialSupport", "targetAudience",
                         "educationalNeeds", "learningObjectives", "objectivesIntroduction", "enrolment", "evaluation", "reporting"]

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
    public static func readRecorded(_ data: Data, boards: BoardCatalog = BoardCatalog(boards: [:])) throws(InputError) -> Activity {
        try read(InputDocument.parse(data, name: "recorded activity", directory: URL(fileURLWithPath: "/")),
                 boards: boards, readsFiles: false)
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
        let overrides = readOverrides(root)
        guard let id, let title, let format, let start, let end, let zone, let provider else {
            return nil
        }
        ProviderReader.checkCredits(designations, provider: provider, on: start, root: root)
        var activity = Activity(
            id: id, title: title, theme: root.string("theme"), format: format,
            startDate: start, endDate: end, location: location, timeZone: zone,
            provider: provider, jointProvider: root.string("jointProvider"),
            designations: designations, claimDeadline: deadline,
            evaluationRequired: root.flag("evaluationRequired") ?? false,
            aapaAcceptsAMACredit: root.flag("aapaAcceptsAMACredit") ?? false,
            signatory: signatory, logo: logo,
            statementOverrides: overrides.texts,
            disclaimer: root.string("disclaimer"),
            commercialSupporters: root.strings("commercialSupporters"),
            sourceFile: root.reader.document.file)
        activity.prescribedOverrides = overrides.reasons
        activity.commercialSupport = root.string("commercialSupport")
        activity.targetAudience = root.string("targetAudience")
        activity.educationalNeeds = root.string("educationalNeeds")
        activity.objectivesIntroduction = root.string("objectivesIntroduction")
        if let objectives = root.value("learningObjectives"), objectives.sequence == nil {
            // Objectives hold commas: a single text is not split at them, it is refused.
            root.reader.report("learningObjectives", objectives, "must be a list, one objective per item",
                               hint: "write each objective on its own line starting with `- `")
        } else {
            activity.learningObjectives = root.strings("learningObjectives")
        }
        if activity.learningObjectives.count > 50 {
            root.reader.report("learningObjectives", root.value("learningObjectives"),
                               "lists \(activity.learningObjectives.count) objectives, more than the 50 a page can show",
                               hint: "keep the activity's main objectives")
        }
        if activity.commercialSupporters.count > 200 {
            root.reader.report("commercialSupporters", root.value("commercialSupporters"),
                               "lists \(activity.commercialSupporters.count) supporters, more than 200",
                               hint: "word the acknowledgement yourself in `commercialSupport`")
        }
        activity.enrolment = readEnrolment(root)
        activity.evaluation = readEvaluation(root)
        activity.reporting = readReporting(root)
        return activity
    }

    private static func readEnrolment(_ root: FieldMapping) -> Enrolment {
        guard let map = root.mapping("enrolment") else { return Enrolment() }
        map.rejectUnknownKeys(["open", "code"])
        let code = map.string("code", maxLength: 64)
        if let code, code.wholeMatch(of: /[A-Za-z0-9 -]{4,64}/) == nil {
            root.reader.report(map.child("code"), map.value("code"), "'\(code)' is not an enrolment code learners can type",
                               hint: "use 4 to 64 letters, digits, spaces or hyphens, e.g. ASCO-2018")
        }
        return Enrolment(open: map.flag("open") ?? false, code: code)
    }

    private static func readReporting(_ root: FieldMapping) -> ReportingIDs {
        guard let map = root.mapping("reporting") else { return ReportingIDs() }
        map.rejectUnknownKeys(["accmeActivityID", "accmeProviderID", "acpeProviderID", "ceBrokerProviderID", "ceBrokerCourseID",
                               "ceBrokerSubjectCode"])
        func digits(_ key: String, what: String) -> String? {
            guard let text = map.string(key, maxLength: 20) else { return nil }
            guard text.wholeMatch(of: /[0-9]{1,12}/) != nil else {
                root.reader.report(map.child(key), map.value(key), "'\(text)' is not \(what)",
                                   hint: "give the digits ACCME's PARS shows for it, quoted, e.g. \"201234567\"")
                return nil
            }
            return text
        }
        var ids = ReportingIDs(accmeActivityID: digits("accmeActivityID", what: "an ACCME activity id"),
                               accmeProviderID: digits("accmeProviderID", what: "an ACCME provider id"))
        // Provider and course numbers as the bodies print them: letters, digits, hyphens.
        func code(_ key: String, what: String, dropping prefix: String? = nil) -> String? {
            guard var text = map.string(key, maxLength: 30) else { return nil }
            if let prefix, text.hasPrefix(prefix) { text.removeFirst(prefix.count) }
            guard text.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9-]{0,29}/) != nil else {
                root.reader.report(map.child(key), map.value(key), "'\(text)' is not \(what)",
                                   hint: "give it as the body shows it: letters, digits and hyphens")
                return nil
            }
            return text
        }
        ids.acpeProviderID = code("acpeProviderID", what: "an ACPE provider number")
        ids.ceBrokerProviderID = code("ceBrokerProviderID", what: "a CE Broker provider tracking number", dropping: "50-")
        ids.ceBrokerCourseID = code("ceBrokerCourseID", what: "a CE Broker course number", dropping: "20-")
        ids.ceBrokerSubjectCode = code("ceBrokerSubjectCode", what: "a CE Broker subject code")
        return ids
    }

    private static func readEvaluation(_ root: FieldMapping) -> [EvaluationQuestion] {
        var seen: Set<String> = []
        return root.mappings("evaluation").compactMap { item in
            item.rejectUnknownKeys(["id", "question", "kind", "options", "required"])
            let id = item.string("id", required: true, hint: "a short name the answers are kept under, e.g. overall", maxLength: 64)
            let question = item.string("question", required: true, hint: "the question as the learner reads it")
            let kind = item.choice("kind", required: true, allowed: EvaluationQuestion.Kind.allCases.map(\.rawValue).joined(separator: ", ")) {
                EvaluationQuestion.Kind(rawValue: $0.lowercased())
            }
            var options = item.strings("options")
            if let id {
                if id.wholeMatch(of: /[A-Za-z0-9_-]+/) == nil {
                    item.reader.report(item.child("id"), item.value("id"), "'\(id)' must be letters, digits, - or _")
                } else if !seen.insert(id).inserted {
                    item.reader.report(item.child("id"), item.value("id"), "'\(id)' names two questions", hint: "give each question its own id")
                }
            }
            switch kind {
            case .rating where options.isEmpty: options = EvaluationQuestion.defaultScale
            case .choice where options.count < 2:
                item.reader.report(item.child("options"), item.value("options") ?? item.node, "a choice needs at least two options")
            case .text where !options.isEmpty:
                item.reader.report(item.child("options"), item.value("options"), "a free-text question has no options",
                                   hint: "remove `options`, or make the question a choice")
            default: break
            }
            if Set(options).count != options.count {
                item.reader.report(item.child("options"), item.value("options"), "lists an option twice")
            }
            guard let id, let question, let kind else { return nil }
            return EvaluationQuestion(id: id, question: question, kind: kind, options: options, required: item.flag("required") ?? false)
        }
    }

    /// The statement roles an activity may override.
    package static let overridableStatements = ["accreditation", "designation", "participationDesignation", "creditPhrase",
                                        "ancc", "acpe", "aapa", "aapaAcceptance", "ipce", "moc"]

    /// The roles whose wording an accreditor prescribes: replacing it needs
    /// `prescribed: override` and a reason.
    package static let prescribedStatements: Set<String> = ["accreditation", "designation", "creditPhrase", "aapa",
                                                             "aapaAcceptance", "ipce", "moc"]

    /// The overrides by role, and the reasons given for overriding prescribed wording.
    /// A role is given as text, or as `{ text, prescribed: override, reason }`; prescribed
    /// wording replaced by plain text is refused, and an ACPE statement must keep its UAN.
    private static func readOverrides(_ root: FieldMapping) -> (texts: [String: String], reasons: [String: String]) {
        guard let map = root.mapping("statements") else { return ([:], [:]) }
        map.rejectUnknownKeys(overridableStatements)
        var texts: [String: String] = [:], reasons: [String: String] = [:]
        for role in map.keys where overridableStatements.contains(role) {
            let prescribed = prescribedStatements.contains(role)
            if map.value(role)?.mapping != nil, let entry = map.mapping(role) {
                entry.rejectUnknownKeys(["text", "prescribed", "reason"])
                guard let text = entry.string("text", required: true) else { continue }
                let marked = entry.choice("prescribed", allowed: "override") { $0 == "override" ? true : nil }
                let reason = entry.string("reason")
                if prescribed {
                    guard marked == true else {
                        if entry.value("prescribed") == nil {
                            map.reader.report(entry.child("prescribed"), entry.node, "is missing: \(role) is prescribed wording",
                                              hint: "add `prescribed: override` and a `reason` only if the accreditor approved this wording")
                        }
                        continue
                    }
                    guard let reason, !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
                        map.reader.report(entry.child("reason"), entry.value("reason") ?? entry.node,
                                          "is needed to override the prescribed \(role) statement",
                                          hint: "say why, e.g. \"wording approved by ACCME on 2026-03-01\"; it is recorded with every certificate")
                        continue
                    }
                    reasons[role] = reason
                }
                texts[role] = text
            } else if let text = map.string(role) {
                if prescribed {
                    map.reader.report(map.child(role), map.value(role),
                                      "replaces prescribed wording: the \(Self.prescribedNames[role] ?? role) statement must read as the accreditor prescribes it",
                                      hint: "remove it to print the prescribed text, or write `\(role): { text: \"…\", prescribed: override, reason: \"why\" }` if the accreditor approved this wording")
                    continue
                }
                texts[role] = text
            }
            if role == "acpe", let text = texts[role], !text.contains("uan}}") {
                map.reader.report(map.child(role), map.value(role), "leaves out the Universal Activity Number",
                                  hint: "an ACPE statement must carry the UAN: put {{uan}} where it goes")
                texts[role] = nil
            }
        }
        return (texts, reasons)
    }

    private static let prescribedNames = [
        "accreditation": "accreditation", "designation": "AMA PRA credit designation", "creditPhrase": "AMA PRA credit",
        "aapa": "AAPA credit designation", "aapaAcceptance": "AAPA/NCCPA acceptance", "ipce": "IPCE credit", "moc": "MOC",
    ]

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

import Foundation

/// Turns a learner record (YAML or JSON) into a checked `Learner`.
public enum LearnerReader {
    package static let fields = ["id", "name", "degrees", "profession", "email", "claims", "completionDate", "claimedAt",
                         "evaluationCompleted", "boards", "boardNames", "birthMonthDay", "mocConsent", "nabpEPID", "licenses", "npi"]

    /// Reads `url`; throws every problem found in the file at once.
    public static func read(_ url: URL, displayName: String? = nil) throws(InputError) -> Learner {
        try read(InputDocument.load(url, displayName: displayName))
    }

    /// Reads a learner record from its bytes (an upload, a form), named `displayName` in messages.
    public static func read(_ data: Data, displayName: String) throws(InputError) -> Learner {
        try read(InputDocument.parse(data, name: displayName, directory: URL(fileURLWithPath: "/")))
    }

    private static func read(_ document: InputDocument) throws(InputError) -> Learner {
        let reader = FieldReader(document)
        let learner = read(reader.root)
        if let learner, reader.problems.isEmpty { return learner }
        throw InputError(reader.problems)
    }

    package static func read(_ root: FieldMapping, requireClaims: Bool = true) -> Learner? {
        let id = root.string("id", required: true, hint: "the learner's id in your registration system",
                             maxLength: FieldMapping.maximumIDLength)
        root.reader.learnerID = id
        root.rejectUnknownKeys(fields)
        let name = root.mapping("name", required: true)
        name?.rejectUnknownKeys(["first", "middle", "last", "professional"])
        let first = name?.string("first", required: true, maxLength: FieldMapping.maximumNameLength).map(oneLine)
        let last = name?.string("last", required: true, maxLength: FieldMapping.maximumNameLength).map(oneLine)
        let middle = name?.string("middle", maxLength: FieldMapping.maximumNameLength).map(oneLine)
        let degrees = root.strings("degrees")
        let professional = name?.string("professional", required: true,
                                        hint: "the name exactly as it is to be printed, e.g. Sarah A. Whitfield, MD",
                                        maxLength: FieldMapping.maximumNameLength).map(oneLine)
        let profession = root.choice("profession", required: true, allowed: Profession.allNames,
                                     hint: "the learner's certification type, which decides the certificate") {
            Profession.named($0)
        }
        let email = root.string("email")
        if let email, email.wholeMatch(of: Patterns.email) == nil {
            root.reader.report("email", root.value("email"), "is not an email address")
        }
        let claims = readClaims(root, required: requireClaims)
        // A transcript's learner file names the learner only; it has no completion of its own.
        let completion = root.date("completionDate", required: requireClaims)
            ?? (requireClaims ? nil : CivilDate(year: 1970, month: 1, day: 1))
        let claimedAt = root.string("claimedAt").flatMap { text in
            // With its own offset: a learner's claim time has no zone to fall back on.
            let date = text.hasSuffix("Z") || text.dropFirst(16).contains(where: { $0 == "+" || $0 == "-" })
                ? Moment.parse(text, in: nil) : nil
            if date == nil {
                root.reader.report("claimedAt", root.value("claimedAt"), "'\(text)' is not a date and time with its offset",
                                   hint: "write it as 2022-11-14T16:30:00-05:00 or 2022-11-14T21:30:00Z")
            }
            return date
        }
        let birth = root.string("birthMonthDay")
        if let birth, !isMonthDay(birth) {
            root.reader.report("birthMonthDay", root.value("birthMonthDay"), "is not a month and day",
                               hint: "write it as MM-DD, e.g. 06-15")
        }
        guard let id, let first, let last, let professional, let profession, let completion else {
            return nil
        }
        var learner = Learner(id: id, firstName: first, middleName: middle, lastName: last,
                       professionalName: professional, degrees: degrees, profession: profession,
                       email: email, claims: claims, completionDate: completion, claimedAt: claimedAt,
                       evaluationCompleted: root.flag("evaluationCompleted") ?? false,
                       boardIDs: root.stringMap("boards").reduce(into: [:]) { $0[$1.key.lowercased()] = $1.value },
                       birthMonthDay: birth, mocConsent: root.flag("mocConsent") ?? false,
                       nabpEPID: root.string("nabpEPID"), sourceFile: root.reader.document.file)
        learner.licenses = root.mappings("licenses").compactMap { item in
            item.rejectUnknownKeys(["issuer", "number", "profession"])
            guard let issuer = item.string("issuer", required: true), let number = item.string("number", required: true) else { return nil }
            return Learner.License(issuer: issuer, number: number, profession: item.string("profession", maxLength: 20))
        }
        learner.npi = root.string("npi")
        let lines = FieldMapping.lines(of: root.node)
        learner.sourceLines = lines.isEmpty ? nil : lines
        var boardNames: [String: Learner.PersonName] = [:]
        if let map = root.mapping("boardNames") {
            for board in map.keys {
                guard let entry = map.mapping(board) else { continue }
                entry.rejectUnknownKeys(["first", "last"])
                if let first = entry.string("first", required: true, maxLength: FieldMapping.maximumNameLength),
                   let last = entry.string("last", required: true, maxLength: FieldMapping.maximumNameLength) {
                    boardNames[board.lowercased()] = Learner.PersonName(first: first, last: last)
                }
            }
        }
        learner.boardNames = boardNames.isEmpty ? nil : boardNames
        return learner
    }

    /// Reads a learner file that identifies a learner without claiming credit (for a transcript).
    public static func readIdentity(_ url: URL, displayName: String? = nil) throws(InputError) -> Learner {
        let reader = FieldReader(try InputDocument.load(url, displayName: displayName))
        let learner = read(reader.root, requireClaims: false)
        if let learner, reader.problems.isEmpty { return learner }
        throw InputError(reader.problems)
    }

    /// A learner identified without a claim, from bytes (the service's Account Details).
    public static func readIdentity(_ data: Data, displayName: String) throws(InputError) -> Learner {
        let reader = FieldReader(try InputDocument.parse(data, name: displayName, directory: URL(fileURLWithPath: "/")))
        let learner = read(reader.root, requireClaims: false)
        if let learner, reader.problems.isEmpty { return learner }
        throw InputError(reader.problems)
    }

    /// A name on one line: a line break or tab in it (a spreadsheet cell's Alt+Enter, a
    /// copy from a form) and the spaces around it become one space.
    static func oneLine(_ name: String) -> String {
        let breaks: Set<UInt32> = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029]
        guard name.unicodeScalars.contains(where: { breaks.contains($0.value) }) else { return name }
        let parts = name.unicodeScalars.split { breaks.contains($0.value) }
            .map { String(String.UnicodeScalarView($0)).trimmingCharacters(in: .whitespaces) }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// `06-15`: a month and a day that exists in some year.
    private static func isMonthDay(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func digit(_ index: Int) -> Int? {
            (0x30...0x39).contains(bytes[index]) ? Int(bytes[index] - 0x30) : nil
        }
        guard bytes.count == 5, bytes[2] == UInt8(ascii: "-"), let m1 = digit(0), let m2 = digit(1),
              let d1 = digit(3), let d2 = digit(4) else { return false }
        let month = m1 * 10 + m2, day = d1 * 10 + d2
        return (1...12).contains(month) && day >= 1 && day <= CivilDate.daysIn(month: month, year: 2000)
    }

    private static func readClaims(_ root: FieldMapping, required: Bool) -> [Learner.Claim] {
        let items = root.mappings("claims", required: required)
        if items.isEmpty, root.value("claims") != nil {
            root.reader.report("claims", root.value("claims"), "lists no claim",
                               hint: "add `- type: ama-pra-category-1` with the `amount` claimed")
        }
        return items.compactMap { item in
            item.rejectUnknownKeys(["type", "amount", "board", "pointType"])
            let type = item.choice("type", required: true, allowed: CreditType.allNames) {
                CreditType(rawValue: $0)
            }
            // An amount off the 0.25 grid is left to the claim rules, which refuse it and
            // also say whether it is over the activity's maximum.
            let written = item.string("amount")
            let offGrid = written.flatMap { CreditAmount.roundedUp($0) }
            let amount = offGrid ?? item.amount("amount", required: true, unit: type?.unit.plural ?? "credits")
            let board = item.string("board", required: type == .moc, hint: "the certifying board, e.g. abim")
            guard let type, let amount else { return nil }
            var claim = Learner.Claim(type: type, amount: amount, board: board?.lowercased(), pointType: item.string("pointType"))
            claim.offGrid = offGrid == nil ? nil : written
            return claim
        }
    }
}

import Foundation

/// Turns a learner record (YAML or JSON) into a checked `Learner`.
public enum LearnerReader {
    static let fields = ["id", "name", "degrees", "profession", "email", "claims", "completionDate"]

    /// Reads `url`; throws every problem found in the file at once.
    public static func read(_ url: URL, displayName: String? = nil) throws(InputError) -> Learner {
        let reader = FieldReader(try InputDocument.load(url, displayName: displayName))
        let learner = read(reader.root)
        if let learner, reader.problems.isEmpty { return learner }
        throw InputError(reader.problems)
    }

    private static func read(_ root: FieldMapping) -> Learner? {
        let id = root.string("id", required: true, hint: "the learner's id in your registration system")
        root.reader.learnerID = id
        root.rejectUnknownKeys(fields)
        let name = root.mapping("name", required: true)
        name?.rejectUnknownKeys(["first", "middle", "last", "professional"])
        let first = name?.string("first", required: true)
        let last = name?.string("last", required: true)
        let middle = name?.string("middle")
        let degrees = root.strings("degrees")
        let professional = name?.string("professional") ?? defaultName(first, middle, last, degrees)
        let profession = root.choice("profession", required: true, allowed: Profession.allNames) {
            Profession(rawValue: $0.lowercased())
        }
        let email = root.string("email")
        if let email, email.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) == nil {
            root.reader.report("email", root.value("email"), "is not an email address")
        }
        let claims = readClaims(root)
        let completion = root.date("completionDate", required: true)
        guard let id, let first, let last, let professional, let profession, let completion else {
            return nil
        }
        return Learner(id: id, firstName: first, middleName: middle, lastName: last,
                       professionalName: professional, degrees: degrees, profession: profession,
                       email: email, claims: claims, completionDate: completion,
                       sourceFile: root.reader.document.file)
    }

    /// "First Middle Last, MD, PhD" when no professional name is given.
    private static func defaultName(_ first: String?, _ middle: String?, _ last: String?,
                                    _ degrees: [String]) -> String? {
        guard let first, let last else { return nil }
        let name = [first, middle, last].compactMap { $0 }.joined(separator: " ")
        return ([name] + degrees).joined(separator: ", ")
    }

    private static func readClaims(_ root: FieldMapping) -> [Learner.Claim] {
        let items = root.mappings("claims", required: true)
        if items.isEmpty, root.value("claims") != nil {
            root.reader.report("claims", root.value("claims"), "lists no claim",
                               hint: "add `- type: ama-pra-category-1` with the `amount` claimed")
        }
        return items.compactMap { item in
            item.rejectUnknownKeys(["type", "amount"])
            let type = item.choice("type", required: true, allowed: CreditType.allNames) {
                CreditType(rawValue: $0)
            }
            let unit = type == .participation ? "hours" : "credits"
            let amount = item.amount("amount", required: true, unit: unit)
            guard let type, let amount else { return nil }
            return Learner.Claim(type: type, amount: amount)
        }
    }
}

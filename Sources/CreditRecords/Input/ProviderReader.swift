import Foundation

/// Reads the accredited provider and its accreditation history from an activity file.
package enum ProviderReader {
    package static func read(_ root: FieldMapping) -> Activity.Provider? {
        guard let map = root.mapping("provider", required: true) else { return nil }
        map.rejectUnknownKeys(["name", "accreditation", "accreditor", "accreditations", "verification_url"])
        let name = map.string("name", required: true)
        let verificationURL = map.string("verification_url")
        if let verificationURL, !(verificationURL.hasPrefix("https://") || verificationURL.hasPrefix("http://")) || verificationURL.contains("#") {
            map.reader.report(map.child("verification_url"), map.value("verification_url"), "'\(verificationURL)' is not an http(s) address without a #fragment",
                               hint: "give the page that checks certificates, e.g. https://cme.example.org/verify")
        }
        var history: [AccreditationPeriod] = []
        if map.value("accreditations") != nil {
            history = map.mappings("accreditations").compactMap(period)
        } else if let single = period(map) {
            history = [single]
        }
        guard let name, !history.isEmpty else { return nil }
        return Activity.Provider(name: name, history: history, verificationURL: verificationURL)
    }

    /// One accreditation: `accreditation` (or `body`), `accreditor`, `from`, `to`.
    private static func period(_ map: FieldMapping) -> AccreditationPeriod? {
        if map.path.contains("[") { map.rejectUnknownKeys(["body", "accreditor", "from", "to"]) }
        let key = map.path.contains("[") ? "body" : "accreditation"
        let body = map.choice(key, required: true, allowed: Accreditation.allNames) { Accreditation(rawValue: $0) }
        let accreditor = map.string("accreditor", required: body == .stateMedicalSociety,
                                    hint: "the state medical society's name, e.g. Medical Society of Virginia")
        let from = map.date("from"), to = map.date("to")
        if let from, let to, to < from {
            map.reader.report(map.child("to"), map.value("to"), "ends (\(to)) before it starts (\(from))")
        }
        guard let body else { return nil }
        return AccreditationPeriod(body: body, accreditor: accreditor, from: from, to: to)
    }

    /// Every designated credit must be one the accreditation in force may award.
    package static func checkCredits(_ designations: [CreditDesignation], provider: Activity.Provider,
                             on date: CivilDate, root: FieldMapping) {
        guard let accreditation = provider.accreditation(on: date) else {
            root.reader.report("provider", root.value("provider"),
                               "the provider has no accreditation in force on \(date), when the activity starts",
                               hint: "check the accreditation periods (\(provider.history.map(\.summary).joined(separator: "; ")))")
            return
        }
        for (index, designation) in designations.enumerated() where !accreditation.body.awards(designation.type) {
            root.reader.report("credits[\(index)].type", root.value("credits"),
                               "\(designation.type.displayName) cannot be designated: on \(date) the provider is accredited by \(accreditation.body.displayName), which does not award them",
                               hint: "remove this credit; learners receive a certificate of participation instead")
        }
    }
}

extension FieldMapping {
    /// A moment such as `2022-11-14T17:00` (in `zone`) or `2022-11-14T17:00:00-05:00`.
    package func moment(_ key: String, in zone: TimeZone) -> Date? {
        guard let text = string(key) else { return nil }
        if let date = Moment.parse(text, in: zone) { return date }
        reader.report(child(key), value(key), "'\(text)' is not a date and time",
                      hint: "write it as 2022-11-14T17:00 (in the activity's time zone) or with an offset, 2022-11-14T17:00-05:00")
        return nil
    }
}

/// Reads dates with a time, in a given zone unless they carry their own offset.
package enum Moment {
    package static func parse(_ text: String, in zone: TimeZone) -> Date? {
        let iso = ISO8601DateFormatter()
        if let date = iso.date(from: text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// `November 14, 2022 5:00 PM EST` in `zone`.
    package static func describe(_ date: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "MMMM d, yyyy h:mm a zzz"
        return formatter.string(from: date)
    }
}

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
        let items = root.value("credits")?.sequence.map(Array.init) ?? []
        for (index, designation) in designations.enumerated() where !accreditation.body.awards(designation.type) {
            // The entry's own `type` line: each refusal points at its credit.
            let item = items.firstIndex { $0.mapping?.first { $0.key.scalar?.string == "type" }?.value.scalar?.string == designation.type.rawValue }
            let node = item.flatMap { items[$0].mapping?.first { $0.key.scalar?.string == "type" }?.value } ?? root.value("credits")
            root.reader.report("credits[\(item ?? index)].type", node,
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
    /// `2022-11-14T17:00`, `2022-11-14 17:00:30`, `2022-11-14T22:00:00Z` or with an offset
    /// (`-05:00`, `+0530`) up to ±14:00. A day that does not exist (2022-11-31), an hour of
    /// 25 or an offset of +99:00 gives nil, never a neighbouring moment.
    package static func parse(_ text: String, in zone: TimeZone?) -> Date? {
        guard let match = text.wholeMatch(of: Patterns.moment),
              let day = CivilDate(iso: String(match.1)),
              let hour = Int(match.2), let minute = Int(match.3), hour < 24, minute < 60 else { return nil }
        let second = match.4.flatMap { Int($0) } ?? 0
        guard second < 60 else { return nil }
        var offset: TimeZone? = zone
        if let designator = match.5 {
            if designator == "Z" {
                offset = TimeZone(secondsFromGMT: 0)
            } else {
                let digits = designator.filter { $0.isASCII && $0.isNumber }
                guard let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)),
                      hours < 14 || (hours == 14 && minutes == 0), minutes < 60 else { return nil }
                offset = TimeZone(secondsFromGMT: (hours * 3600 + minutes * 60) * (designator.hasPrefix("-") ? -1 : 1))
            }
        }
        guard let offset else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (day.year, day.month, day.day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        components.timeZone = offset
        return Calendar(identifier: .gregorian).date(from: components)
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

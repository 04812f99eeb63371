import Foundation

/// A calendar day with no time or zone, as printed on a certificate ("June 1, 2018").
public struct CivilDate: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Reads an ISO date, `YYYY-MM-DD`, and refuses days that do not exist (2018-02-30).
    public init?(iso text: String) {
        guard let match = text.wholeMatch(of: Patterns.isoDate),
              let year = Int(match.1), let month = Int(match.2), let day = Int(match.3),
              (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    package static let monthNames = ["January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"]

    public var monthName: String { CivilDate.monthNames[month - 1] }

    /// The day `days` later (earlier when negative), on the Gregorian calendar.
    public func adding(days: Int) -> CivilDate? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let start = calendar.date(from: DateComponents(year: year, month: month, day: day)),
              let moved = calendar.date(byAdding: .day, value: days, to: start) else { return nil }
        let parts = calendar.dateComponents([.year, .month, .day], from: moved)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }

    /// The day `date` falls on in `zone`.
    public static func day(of date: Date, in zone: TimeZone) -> CivilDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return CivilDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    /// `2018-06-01`
    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// `June 1, 2018`
    public var longForm: String { "\(monthName) \(day), \(year)" }

    /// A range as people write it: `June 1–5, 2018`, `May 30 – June 3, 2018`, or one day.
    public static func longForm(from start: CivilDate, to end: CivilDate) -> String {
        if start == end { return start.longForm }
        if start.year != end.year { return "\(start.longForm) – \(end.longForm)" }
        if start.month != end.month {
            return "\(start.monthName) \(start.day) – \(end.monthName) \(end.day), \(end.year)"
        }
        return "\(start.monthName) \(start.day)–\(end.day), \(end.year)"
    }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

import Foundation

/// A calendar day with no time or zone, as printed on a certificate ("June 1, 2018").
public struct CivilDate: Comparable, Hashable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Reads an ISO date, `YYYY-MM-DD`, and refuses days that do not exist (2018-02-30).
    /// By bytes: the regular expression cost a 38,000-row batch more than the rest of
    /// reading its dates.
    public init?(iso text: String) {
        let parts = text.utf8.withContiguousStorageIfAvailable { CivilDate.isoParts($0) } ?? CivilDate.isoParts(Array(text.utf8))
        guard let parts, (1...12).contains(parts.month), parts.day >= 1,
              parts.day <= CivilDate.daysIn(month: parts.month, year: parts.year) else { return nil }
        self.init(year: parts.year, month: parts.month, day: parts.day)
    }

    /// `YYYY-MM-DD` in ASCII digits, nothing before or after.
    private static func isoParts<C: RandomAccessCollection<UInt8>>(_ bytes: C) -> (year: Int, month: Int, day: Int)? where C.Index == Int {
        guard bytes.count == 10 else { return nil }
        let start = bytes.startIndex
        func number(_ offset: Int, _ length: Int) -> Int? {
            var value = 0
            for index in (start + offset)..<(start + offset + length) {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2) else { return nil }
        return (year, month, day)
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

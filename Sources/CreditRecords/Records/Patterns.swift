/// The regular expressions CreditPress matches with, built once: a regex literal is
/// parsed again each time it is evaluated, which on a 38,000-row run adds up.
package enum Patterns {
    /// `2022-11-14T17:00[:30[.5]][Z|±HH:MM|±HHMM]`
    package nonisolated(unsafe) static let moment =
        /([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?/
    package nonisolated(unsafe) static let email = /[^@\s]+@[^@\s]+\.[^@\s]+/
    package nonisolated(unsafe) static let otherFormat = /(?i)other\s*[:\-]\s*(.+)/
    package nonisolated(unsafe) static let universalActivityNumber = /(?:[0-9]{4}|JA[0-9]{7})-[0-9]{4}-[0-9]{2}-[0-9]{3}-([LH])[0-9]{2}-([PT])/
    package nonisolated(unsafe) static let templateTag = /\{\{\s*([#^\/&{>!]?)\s*([^}\s]*)\s*\}?\}\}/
    package nonisolated(unsafe) static let partialTag = /\{\{>\s*([^}\s]+)\s*\}\}/
    package nonisolated(unsafe) static let markupTag = /<[^>]*>/
    package nonisolated(unsafe) static let claimField = /claims\[([0-9]+)\](?:\.(\w+))?/
}

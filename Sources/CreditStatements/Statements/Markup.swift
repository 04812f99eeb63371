import CreditRecords
import Foundation

/// Small helpers for the Pango markup statements are written in.
package enum Markup {
    /// The text without tags and with entities decoded, for proofreading and messages.
    package static func plainText(_ markup: String) -> String {
        var text = markup.replacing(Patterns.markupTag, with: "")
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }

    /// `text` made safe to put in markup: `&`, `<` and `>` escaped.
    package static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// "a", "a and b", "a, b and c".
    package static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}

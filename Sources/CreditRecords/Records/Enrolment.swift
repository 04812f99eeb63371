import Foundation

/// How learners come to be enrolled in an activity on the service, besides a staff roster
/// import: by typing the activity's code, or by adding it themselves when it is open.
public struct Enrolment: Sendable, Equatable {
    /// Any signed-in learner may add the activity.
    public var open: Bool
    /// The code a learner types to enrol (compared without regard to case or spaces).
    public var code: String?

    public init(open: Bool = false, code: String? = nil) {
        self.open = open
        self.code = code
    }

    /// Whether `typed` is the activity's code.
    public func accepts(code typed: String) -> Bool {
        guard let code else { return false }
        return Self.normalised(typed) == Self.normalised(code)
    }

    static func normalised(_ code: String) -> String {
        code.uppercased().filter { !$0.isWhitespace && $0 != "-" }
    }
}

/// One question of the activity's evaluation, as the activity file defines it.
public struct EvaluationQuestion: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A rating on a scale; `options` are its labels, lowest first.
        case rating
        /// One of `options`.
        case choice
        /// Free text.
        case text
    }

    /// Stable within the activity: answers are stored under it.
    public var id: String
    public var question: String
    public var kind: Kind
    public var options: [String]
    public var required: Bool

    public init(id: String, question: String, kind: Kind, options: [String], required: Bool) {
        (self.id, self.question, self.kind, self.options, self.required) = (id, question, kind, options, required)
    }

    /// The labels of a rating scale when the file gives none.
    public static let defaultScale = ["Poor", "Fair", "Good", "Very good", "Excellent"]

    /// The longest free-text answer kept, in characters.
    public static let maximumAnswerLength = 5_000

    /// What is wrong with `answer` (nil or empty when unanswered), in words for the learner.
    public func problem(with answer: String?) -> String? {
        let given = (answer ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if given.isEmpty { return required ? "This question needs an answer." : nil }
        switch kind {
        case .rating, .choice:
            return options.contains(given) ? nil : "Choose one of the answers offered."
        case .text:
            if given.unicodeScalars.count > Self.maximumAnswerLength {
                return "Keep the answer under \(Self.maximumAnswerLength) characters (it has \(given.unicodeScalars.count))."
            }
            if let bad = given.unicodeScalars.first(where: FieldMapping.isControl) {
                return "The answer holds the control character \(String(format: "U+%04X", bad.value)); remove it."
            }
            return nil
        }
    }
}

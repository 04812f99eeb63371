import CreditLayout
import CreditRecords
import Foundation
import Testing

/// What a refusal tells the coordinator: the line, the whole reason, and nothing echoed raw.
struct RefusalDetailTests {
    static func learner(_ amount: String, profession: String = "physician", degrees: String = "[MD]") -> String {
        Fixture.learnerYAML.replacingOccurrences(of: "amount: 10", with: "amount: \(amount)")
            .replacingOccurrences(of: "profession: physician", with: "profession: \(profession)")
            .replacingOccurrences(of: "degrees: [MD]", with: "degrees: \(degrees)")
    }

    @Test func aRuleRefusalNamesTheLineOfTheField() throws {
        // Fixture.learnerYAML: `amount` is on line 10, `type` on line 9.
        let over = try InputRefusalTests.problems(learner: Self.learner("20"))
        let first = try #require(over.first)
        #expect(first.field == "claims[0].amount" && first.line == 10)
        #expect(first.message.contains("claimed 20 credits, more than the 12.5 designated"))
        let nurse = try InputRefusalTests.problems(learner: Self.learner("5", profession: "nurse", degrees: "[RN]"))
        #expect(nurse.contains { $0.field == "claims[0].type" && $0.line == 9 && $0.message.contains("only physicians") })
    }

    @Test func anAmountOffTheGridOverTheMaximumIsReportedAsBoth() throws {
        let problems = try InputRefusalTests.problems(learner: Self.learner("12.6"))
        #expect(problems.count == 2)
        #expect(problems.contains { $0.field == "claims[0].amount" && $0.line == 10 && $0.message == "12.6 is not in steps of 0.25" })
        #expect(problems.contains { $0.message.contains("claimed 12.6 credits, more than the 12.5 designated for ACT-1") })
        // Off the grid but within the maximum: the step alone.
        let within = try InputRefusalTests.problems(learner: Self.learner("10.1"))
        #expect(within.map(\.message) == ["10.1 is not in steps of 0.25"])
    }

    @Test func eachCreditTheAccreditationCannotAwardPointsAtItsOwnLine() throws {
        let activity = InputRefusalTests.activityYAML + """

              - type: ancc
                maximum: 5
              - type: acpe
                maximum: 5
                uans: [0000-0000-18-001-L01-P]
            """
        let file = try Fixture.file("activity.yaml", activity)
        #expect { try ActivityReader.read(file) } throws: { error in
            guard let problems = (error as? InputError)?.problems else { return false }
            let ancc = problems.first { $0.field == "credits[1].type" }, acpe = problems.first { $0.field == "credits[2].type" }
            return ancc?.line == 14 && acpe?.line == 16 && ancc?.message.contains("cannot be designated") == true
        }
    }

    @Test func aNameWithALineBreakOrTabIsPrintedOnOneLine() throws {
        let file = try Fixture.file("learner.yaml", Fixture.learnerYAML.replacingOccurrences(
            of: "professional: Ada Lovelace, MD", with: "professional: \"Ada\\u2028 Lovelace,\\t\\nMD\""))
        let learner = try LearnerReader.read(file)
        #expect(learner.professionalName == "Ada Lovelace, MD")
    }

    @Test func aCharacterNoFontHasIsNamedByItsCodePointAndNeverEchoedWhenInvisible() {
        #expect(FontLibrary.describe(["\u{FFFE}", "\u{E000}", "\u{1F600}"]) == "U+FFFE, U+E000, U+1F600 (😀)")
    }
}

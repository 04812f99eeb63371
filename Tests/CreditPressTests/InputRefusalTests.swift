import CreditLayout
import CreditRecords
import Foundation
import Testing

/// Every refusal of bad input, each with the field and the sentence a coordinator reads.
struct InputRefusalTests {
    static let activityYAML = """
        id: ACT-1
        title: Cardiology Update
        format: live activity
        startDate: 2018-06-01
        endDate: 2018-06-02
        location: Boston, Massachusetts
        timeZone: America/New_York
        provider:
          name: Example Heart Society
          accreditation: accme
        credits:
          - type: ama-pra-category-1
            maximum: 12.5
        """

    /// Reads the learner and checks it against the activity, returning the problems.
    static func problems(learner: String, activity: String = activityYAML) throws -> [Problem] {
        let folder = try Fixture.temporaryFolder()
        let activityURL = try Fixture.file("activity.yaml", activity, in: folder)
        let learnerURL = try Fixture.file("learner.yaml", learner, in: folder)
        do {
            let activity = try ActivityReader.read(activityURL, displayName: "activity.yaml")
            let learner = try LearnerReader.read(learnerURL, displayName: "learner.yaml")
            _ = try CertificateRequest.check(activity: activity, learner: learner)
            return []
        } catch {
            return error.problems
        }
    }

    static func replacing(_ old: String, with new: String, in text: String = Fixture.learnerYAML) -> String {
        precondition(text.contains(old), "fixture has no '\(old)'")
        return text.replacingOccurrences(of: old, with: new)
    }

    @Test(arguments: [
        ("amount: 10", "amount: 13", "claims[0].amount", "claimed 13 credits, more than the 12.5 designated for ACT-1"),
        ("amount: 10", "amount: 1.3", "claims[0].amount", "1.3 is not in steps of 0.25"),
        ("amount: 10", "amount: -2", "claims[0].amount", "must not be negative (-2)"),
        ("amount: 10", "amount: 0", "claims[0].amount", "must be more than 0 credits"),
        ("amount: 10", "amount: ten", "claims[0].amount", "'ten' is not a number of credits"),
        ("    amount: 10\n", "", "claims[0].amount", "is required but missing"),
        ("type: ama-pra-category-1", "type: cme", "claims[0].type", "'cme' is not a known value"),
        ("type: ama-pra-category-1", "type: ancc", "claims[0].type", "ANCC nursing contact hours cannot be awarded for ACT-1: on 2018-06-01 Example Heart Society is accredited by ACCME, which does not award them (accreditation: ACCME)"),
        ("type: ama-pra-category-1", "type: ipce", "claims[0].type", "IPCE credit cannot be awarded for ACT-1: on 2018-06-01 Example Heart Society is accredited by ACCME, which does not award them (accreditation: ACCME)"),
        ("type: ama-pra-category-1", "type: aapa-category-1", "claims[0].type", "the activity ACT-1 does not offer AAPA Category 1 CME credit"),
        ("  professional: Ada Lovelace, MD\n", "", "name.professional", "is required but missing"),
        ("degrees: [MD]\nprofession: physician", "degrees: [RN]\nprofession: nurse", "claims[0].type",
         "only physicians (MD, DO) may receive AMA PRA Category 1 Credit; this learner's profession is nurse"),
        ("profession: physician", "profession: astronaut", "profession", "'astronaut' is not a known value"),
        ("completionDate: 2018-06-05", "completionDate: 2018-02-30", "completionDate", "'2018-02-30' is not a date"),
        ("completionDate: 2018-06-05", "completionDate: 2018-05-01", "completionDate",
         "completion date 2018-05-01 is before the activity starts (2018-06-01)"),
        ("  last: Lovelace\n", "", "name.last", "is required but missing"),
        ("  last: Lovelace", "  last: \"  \"", "name.last", "is required but empty"),
        ("profession: physician", "profession: physician\nemial: ada@example.org", "emial", "is not a field of this file"),
        ("profession: physician", "profession: physician\nemail: not-an-address", "email", "is not an email address"),
    ])
    func refusesBadLearnerRecords(old: String, new: String, field: String, message: String) throws {
        let problems = try Self.problems(learner: Self.replacing(old, with: new))
        try expectFirst(problems, file: "learner.yaml", field: field, message: message)
        #expect(problems.first?.learnerID == "L-1")
    }

    @Test(arguments: [
        ("title: Cardiology Update\n", "", "title", "is required but missing"),
        ("timeZone: America/New_York", "timeZone: Mars/Olympus", "timeZone", "'Mars/Olympus' is not a time zone"),
        ("accreditation: accme", "accreditation: acme", "provider.accreditation", "'acme' is not a known value"),
        ("maximum: 12.5", "maximum: 12.6", "credits[0].maximum", "12.6 is not in steps of 0.25"),
        ("endDate: 2018-06-02", "endDate: 2018-05-02", "endDate", "ends (2018-05-02) before it starts (2018-06-01)"),
        ("format: live activity", "format: podcast", "format", "'podcast' is not a known value"),
        ("location: Boston, Massachusetts\n", "", "location", "is required but missing"),
        ("timeZone: America/New_York", "timeZone: America/New_York\nlogo: missing.png", "logo",
         "the logo 'missing.png' cannot be read"),
        ("accreditation: accme", "accreditation: state-medical-society", "provider.accreditor", "is required but missing"),
    ])
    func refusesBadActivityFiles(old: String, new: String, field: String, message: String) throws {
        let activity = Self.replacing(old, with: new, in: Self.activityYAML)
        try expectFirst(try Self.problems(learner: Fixture.learnerYAML, activity: activity),
                        file: "activity.yaml", field: field, message: message)
    }

    @Test func refusesALogoThatIsNeitherPNGNorSVG() throws {
        let folder = try Fixture.temporaryFolder()
        _ = try Fixture.file("logo.png", "GIF89a, not a PNG", in: folder)
        let activity = try Fixture.file("activity.yaml", Self.activityYAML + "\nlogo: logo.png\n", in: folder)
        do { _ = try ActivityReader.read(activity, displayName: "activity.yaml"); Issue.record("expected a refusal") } catch {
            #expect(error.problems.map(\.description) == ["activity.yaml:14: field 'logo': the logo 'logo.png' is neither a PNG nor an SVG image — convert it to SVG (best: it stays sharp and small) or PNG"])
        }
    }

    @Test func refusesAMissingFontFolderAtStartUp() {
        do { _ = try FontLibrary(directory: URL(fileURLWithPath: "/nonexistent/Fonts"), cacheDirectory: nil); Issue.record("expected a refusal") } catch {
            #expect(error.message.hasPrefix("the font folder /nonexistent/Fonts does not exist"))
        }
    }

    @Test func refusesAFontFolderWithNoFonts() throws {
        let folder = try Fixture.temporaryFolder()
        _ = try Fixture.file("README.md", "no fonts here", in: folder)
        #expect(throws: FontError.self) { try FontLibrary(directory: folder, cacheDirectory: nil) }
    }

    @Test func namesFileLineFieldLearnerAndRemedyInOneSentence() throws {
        let problems = try Self.problems(learner: Self.replacing("amount: 10", with: "amount: 1.3"))
        #expect(problems.map(\.description) == [
            "learner.yaml:10: field 'claims[0].amount' (learner L-1): 1.3 is not in steps of 0.25 — round to the nearest quarter (e.g. 1.25, 1.5, 1.75)",
        ])
    }

    @Test func suggestsTheFieldAMisspeltKeyWasMeantToBe() throws {
        let problems = try Self.problems(learner: Self.replacing("profession: physician", with: "profession: physician\nemial: a@b.org"))
        #expect(problems.first?.hint == "did you mean 'email'?")
    }

    @Test func reportsEveryProblemOfAFileAtOnce() throws {
        var learner = Self.replacing("amount: 10", with: "amount: -1")
        learner = Self.replacing("completionDate: 2018-06-05", with: "completionDate: yesterday", in: learner)
        learner = Self.replacing("  first: Ada\n", with: "", in: learner)
        let fields = try Self.problems(learner: learner).map(\.field)
        #expect(fields == ["name.first", "claims[0].amount", "completionDate"])
    }

    @Test func refusesAFileThatIsNotYAML() throws {
        let problems = try Self.problems(learner: "id: [unclosed")
        #expect(problems.count == 1)
        #expect(problems[0].message.hasPrefix("cannot be parsed as YAML or JSON"))
        #expect(problems[0].line != nil)
    }

    @Test func refusesAMissingFileByName() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/learner.yaml")
        #expect(throws: InputError.self) { try LearnerReader.read(missing) }
        do { _ = try LearnerReader.read(missing, displayName: "learner.yaml") } catch {
            #expect(error.problems.first?.message == "cannot read the file (no such file)")
        }
    }

    @Test func readsJSONAsWellAsYAML() throws {
        let json = """
            {"id": "L-9", "name": {"first": "Ada", "last": "Lovelace", "professional": "Ada Lovelace, MD"}, "degrees": ["MD"],
             "profession": "physician", "claims": [{"type": "ama-pra-category-1", "amount": 2.25}],
             "completionDate": "2018-06-02"}
            """
        let learner = try LearnerReader.read(try Fixture.file("learner.json", json))
        #expect(learner.claims == [Learner.Claim(type: .amaPRACategory1, amount: CreditAmount(quarters: 9))])
        #expect(learner.professionalName == "Ada Lovelace, MD")
    }

    @Test func normalisesDecomposedNamesToNFC() throws {
        let decomposed = "Nguye\u{0302}\u{0303}n"
        let yaml = Self.replacing("professional: Ada Lovelace, MD", with: "professional: \(decomposed)")
        let learner = try LearnerReader.read(try Fixture.file("learner.yaml", yaml))
        #expect(decomposed.unicodeScalars.count == 8)
        #expect(learner.professionalName.unicodeScalars.count == 6)
        #expect(learner.professionalName == "Nguyễn")
    }
}

/// A control character in a printed field is refused where it is read, named by code point,
/// never echoed: a NUL would cut the name on the page and in the registry but not in the QR.
struct ControlCharacterTests {
    @Test(arguments: [
        ("professional: Ada Lovelace, MD", "professional: \"Ada\\0 Lovelace, MD\"", "name.professional", "U+0000"),
        ("first: Ada", "first: \"Ada\\e[31m\"", "name.first", "U+001B"),
        ("degrees: [MD]", "degrees: [\"M\\x85D\"]", "degrees[0]", "U+0085"),
    ])
    func aControlCharacterInALearnerFieldIsRefusedByCodePoint(old: String, new: String, field: String, code: String) throws {
        let problems = try InputRefusalTests.problems(learner: InputRefusalTests.replacing(old, with: new))
        try expectFirst(problems, file: "learner.yaml", field: field,
                        message: "holds the control character \(code), which cannot be printed")
        #expect(problems.first?.hint?.contains("remove it") == true)
    }

    @Test func aNULInARosterRowRefusesThatRowOnly() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = try Fixture.file("roster.csv", BatchTests.header + """
            N-1,Ada,Lovelace,"Ada\u{0}Lovelace, MD",MD,physician,2018-06-05,10,,,,,\r
            N-2,Grace,Hopper,"Grace Hopper, MD",MD,physician,2018-06-05,10,,,,,\r

            """, in: folder)
        let output = folder.appendingPathComponent("out")
        let summary = try await BatchTests.run(try BatchTests.options(roster: roster, output: output))
        #expect(summary.accepted == 1 && summary.rejected == 1)
        let rejects = try BatchTests.csvRows(output.appendingPathComponent("rejects.csv"))
        #expect(rejects.first?[1] == "N-1" && rejects.first?[4] == "professional_name")
        #expect(rejects.first?[2] == "", "a name holding a NUL is not repeated in the report")
        #expect(rejects.first?[5].contains("U+0000") == true)
        #expect(!(rejects.first?[5].contains("\u{0}") ?? true))
    }
}

/// Dates and times are read as written or refused, never moved to a neighbouring day.
struct DateRefusalTests {
    @Test(arguments: [
        ("2022-11-31T10:00:00Z", "claimedAt"),
        ("2018-06-05T10:00:00+99:00", "claimedAt"),
        ("2018-06-05T25:00:00Z", "claimedAt"),
        ("2018-06-05T10:00:00", "claimedAt"),
    ])
    func aClaimTimeThatDoesNotExistIsRefused(text: String, field: String) throws {
        let learner = InputRefusalTests.replacing("completionDate: 2018-06-05", with: "completionDate: 2018-06-05\nclaimedAt: \"\(text)\"")
        try expectFirst(try InputRefusalTests.problems(learner: learner), file: "learner.yaml", field: field,
                        message: "'\(text)' is not a date and time with its offset")
    }

    @Test func aClaimTimeWithAnOffsetIsReadInIt() throws {
        #expect(Moment.parse("2018-06-05T07:00:00-05:00", in: nil) == Moment.parse("2018-06-05T12:00:00Z", in: nil))
        #expect(Moment.parse("2018-06-05T17:30+0530", in: nil) == Moment.parse("2018-06-05T12:00Z", in: nil))
        #expect(Moment.parse("2022-11-14T17:00", in: TimeZone(identifier: "America/New_York")!)
                == Moment.parse("2022-11-14T22:00:00Z", in: nil))
    }

    /// A completion dated after the claim (9999-12-31 for an activity of 2018) is a typing
    /// error, refused; one on the claim's own day, on the activity's calendar, is not.
    @Test func aCompletionAfterTheClaimIsRefused() throws {
        let folder = try Fixture.temporaryFolder()
        let activity = try ActivityReader.read(try Fixture.file("activity.yaml", InputRefusalTests.activityYAML, in: folder), displayName: "activity.yaml")
        let future = try LearnerReader.read(try Fixture.file("learner.yaml", InputRefusalTests.replacing("completionDate: 2018-06-05", with: "completionDate: 9999-12-31"), in: folder),
                                            displayName: "learner.yaml")
        let issued = try #require(ISO8601DateFormatter().date(from: "2018-06-05T12:00:00Z"))
        do {
            _ = try CertificateRequest.check(activity: activity, learner: future, claimTime: issued)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.problems.first?.field == "completionDate")
            #expect(error.problems.first?.message == "completion date 9999-12-31 is after the claim, made 2018-06-05 (the certificate's issue date): a completion cannot come later")
        }
        let sameDay = try LearnerReader.read(try Fixture.file("same.yaml", Fixture.learnerYAML, in: folder), displayName: "same.yaml")
        // 02:00 UTC on June 6 is still June 5 in New York.
        _ = try CertificateRequest.check(activity: activity, learner: sameDay, claimTime: Date(timeIntervalSince1970: 1_528_250_400))
    }

    @Test func aClaimDeadlineOnADayThatDoesNotExistIsRefused() throws {
        let activity = InputRefusalTests.replacing("timeZone: America/New_York", with: "timeZone: America/New_York\nclaimDeadline: 2018-11-31T17:00",
                                                   in: InputRefusalTests.activityYAML)
        try expectFirst(try InputRefusalTests.problems(learner: Fixture.learnerYAML, activity: activity), file: "activity.yaml",
                        field: "claimDeadline", message: "'2018-11-31T17:00' is not a date and time")
    }
}

/// The first and last name as on a board's record, which MOC reports carry.
struct BoardRecordNameTests {
    static let base = """
        id: L1
        name: { first: Sarah, last: Whitfield, professional: "Sarah A. Whitfield, MD" }
        profession: physician
        claims: [{ type: ama-pra-category-1, amount: 1 }]
        completionDate: 2018-06-05

        """

    @Test func boardNamesAreReadByBoardAndStandInForTheLearnersOwn() throws {
        let learner = try LearnerReader.read(Data((Self.base + "boardNames: { ABIM: { first: Sarah Anne, last: Whitfield-Jones } }\n").utf8),
                                             displayName: "learner.yaml")
        #expect(learner.name(onRecordOf: "abim") == Learner.PersonName(first: "Sarah Anne", last: "Whitfield-Jones"))
        #expect(learner.name(onRecordOf: "abp") == Learner.PersonName(first: "Sarah", last: "Whitfield"))
    }

    @Test func aBoardNameNeedsBothParts() throws {
        #expect(throws: InputError.self) {
            try LearnerReader.read(Data((Self.base + "boardNames: { abim: { first: Sarah } }\n").utf8), displayName: "learner.yaml")
        }
        do {
            _ = try LearnerReader.read(Data((Self.base + "boardNames: { abim: Sarah Whitfield }\n").utf8), displayName: "learner.yaml")
            Issue.record("a name given as one text was accepted")
        } catch {
            #expect(error.problems.first?.field == "boardNames.abim")
        }
    }
}

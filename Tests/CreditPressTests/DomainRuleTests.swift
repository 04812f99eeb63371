import CreditRecords
import CreditStatements
import Foundation
import Testing

/// The credit rules for every credit type and profession, each refusal with its exact words.
struct DomainRuleTests {
    static let boards: BoardCatalog = {
        do { return try BoardCatalog(file: Fixture.resources.boards) } catch { fatalError("\(error)") }
    }()
    static let qopi = Fixture.root.appendingPathComponent("Examples/qopi-2022")
    static let qopiActivity = (try? String(contentsOf: qopi.appendingPathComponent("activity.yaml"), encoding: .utf8)) ?? ""
    static let mocLearner = (try? String(contentsOf: qopi.appendingPathComponent("learners/physician-moc.yaml"), encoding: .utf8)) ?? ""

    /// The problems found reading `activity` and `learner` and checking the claim.
    static func problems(activity: String, learner: String) throws -> [Problem] {
        let folder = try Fixture.temporaryFolderWithArtwork()
        let activityURL = try Fixture.file("activity.yaml", activity, in: folder)
        let learnerURL = try Fixture.file("learner.yaml", learner, in: folder)
        do {
            let activity = try ActivityReader.read(activityURL, displayName: "activity.yaml", boards: boards)
            let learner = try LearnerReader.read(learnerURL, displayName: "learner.yaml")
            _ = try CertificateRequest.check(activity: activity, learner: learner, claimTime: Fixture.fixedDate)
            return []
        } catch {
            return error.problems
        }
    }

    static func edit(_ text: String, _ edits: [(String, String)]) -> String {
        edits.reduce(text) { text, edit in
            precondition(text.contains(edit.0), "fixture has no '\(edit.0)'")
            return text.replacingOccurrences(of: edit.0, with: edit.1)
        }
    }

    static func expect(_ problems: [Problem], field: String, message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(problems.contains { $0.field == field && $0.message == message },
                "expected '\(field)': \(message)\ngot:\n\(problems.map(\.description).joined(separator: "\n"))",
                sourceLocation: sourceLocation)
    }

    @Test func acceptsTheQOPIPhysicianClaimingCMEAndABIMPoints() throws {
        #expect(try Self.problems(activity: Self.qopiActivity, learner: Self.mocLearner).isEmpty)
    }

    @Test(arguments: [
        ([("  - type: ama-pra-category-1\n    amount: 20", "  - type: ama-pra-category-1\n    amount: 10"),
          ("    amount: 20\n    pointType", "    amount: 12\n    pointType")],
         "claims[1].amount", "ABIM MOC points (12) may not exceed the AMA PRA Category 1 Credit claimed (10)"),
        ([("boards:\n  abim: \"123456\"\n", "")], "boards.abim", "is required to report ABIM MOC points"),
        ([("birthMonthDay: \"09-21\"\n", "")], "birthMonthDay", "is required to report ABIM MOC points"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"02-30\"")], "birthMonthDay", "is not a month and day"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"13-01\"")], "birthMonthDay", "is not a month and day"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"00-10\"")], "birthMonthDay", "is not a month and day"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"06-00\"")], "birthMonthDay", "is not a month and day"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"6-15\"")], "birthMonthDay", "is not a month and day"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"0615\"")], "birthMonthDay", "is not a month and day"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"06/15\"")], "birthMonthDay", "is not a month and day"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"06-1a\"")], "birthMonthDay", "is not a month and day"),
        ([("birthMonthDay: \"09-21\"", "birthMonthDay: \"06-155\"")], "birthMonthDay", "is not a month and day"),
        ([("mocConsent: true", "mocConsent: false")], "mocConsent",
         "the learner has not agreed to have ABIM MOC points reported to the board"),
        ([("evaluationCompleted: true", "evaluationCompleted: false")], "evaluationCompleted",
         "the activity's evaluation is required to claim credit and is not completed"),
        ([("pointType: practice-assessment", "pointType: medical-knowledge")], "claims[1].pointType",
         "'medical-knowledge' points are not offered by QOPI-CP-2022"),
        ([("    pointType: practice-assessment\n", "")], "claims[1].pointType", "is required for ABIM MOC points"),
        ([("claimedAt: 2022-11-10T14:05:00-05:00", "claimedAt: 2022-11-14T17:01:00-05:00")], "claimedAt",
         "the claim was made November 14, 2022 5:01 PM EST, after the deadline of November 14, 2022 5:00 PM EST"),
        ([("claimedAt: 2022-11-10T14:05:00-05:00", "claimedAt: 2022-11-14")], "claimedAt",
         "'2022-11-14' is not a date and time with its offset"),
        ([("degrees: [MD]\nprofession: physician", "degrees: [RN]\nprofession: nurse")], "claims[1].type",
         "only board-certified physicians may receive MOC points; this learner's profession is nurse"),
        ([("  - type: ama-pra-category-1\n    amount: 20\n", "")], "claims[0].type",
         "ABIM MOC points are earned with CME credit, and no AMA PRA Category 1 Credit is claimed"),
        ([("    board: abim\n    amount", "    board: abp\n    amount")], "claims[1].type",
         "the activity QOPI-CP-2022 does not offer ABP MOC points"),
        ([("  professional: Robert Castillo, MD\n", "")], "name.professional", "is required but missing"),
        ([("profession: physician", "profession: doctor")], "profession", "'doctor' is not a known value"),
    ])
    func refusesMOCClaimsThatBreakTheRules(edits: [(String, String)], field: String, message: String) throws {
        let problems = try Self.problems(activity: Self.qopiActivity, learner: Self.edit(Self.mocLearner, edits))
        Self.expect(problems, field: field, message: message)
    }

    @Test func usesTheIssueTimeWhenTheLearnerRecordHasNoClaimTime() throws {
        let learner = Self.edit(Self.mocLearner, [("claimedAt: 2022-11-10T14:05:00-05:00\n", "")])
        let folder = try Fixture.temporaryFolderWithArtwork()
        let activity = try ActivityReader.read(try Fixture.file("a.yaml", Self.qopiActivity, in: folder), boards: Self.boards)
        let record = try LearnerReader.read(try Fixture.file("l.yaml", learner, in: folder))
        let before = Moment.parse("2022-11-14T16:00", in: activity.timeZone)!, after = Moment.parse("2022-11-14T17:00:01", in: activity.timeZone)!
        #expect(throws: Never.self) { try CertificateRequest.check(activity: activity, learner: record, claimTime: before) }
        #expect(throws: InputError.self) { try CertificateRequest.check(activity: activity, learner: record, claimTime: after) }
    }

    static let pharmacyLearner = """
        id: L-P
        name: { first: Priya, last: Raman, professional: "Priya Raman, PharmD" }
        degrees: [PharmD]
        profession: pharmacist
        nabpEPID: "1234567"
        birthMonthDay: "03-14"
        claims:
          - type: acpe
            amount: 10
        completionDate: 2018-06-05
        """
    static let ascoActivity = (try? String(contentsOf: Fixture.activityURL, encoding: .utf8)) ?? ""

    @Test(arguments: [
        ([("nabpEPID: \"1234567\"\n", "")], "nabpEPID", "is required for pharmacy credit, which is reported to CPE Monitor"),
        ([("birthMonthDay: \"03-14\"\n", "")], "birthMonthDay", "is required for pharmacy credit, which is reported to CPE Monitor"),
        ([("amount: 10", "amount: 40")], "claims[0].amount", "claimed 40 contact hours, more than the 38.75 designated for ASCO-AM-2018"),
        ([("profession: pharmacist", "profession: nurse")], "claims[0].type",
         "only pharmacists and pharmacy technicians may receive ACPE pharmacy contact hours; this learner's profession is nurse"),
        ([("type: acpe", "type: ama-pra-category-1")], "claims[0].type",
         "only physicians (MD, DO) may receive AMA PRA Category 1 Credit; this learner's profession is pharmacist"),
        ([("type: acpe", "type: ancc")], "claims[0].type",
         "only nurses may receive ANCC nursing contact hours; this learner's profession is pharmacist"),
    ])
    func refusesPharmacyClaimsThatBreakTheRules(edits: [(String, String)], field: String, message: String) throws {
        let problems = try Self.problems(activity: Self.ascoActivity, learner: Self.edit(Self.pharmacyLearner, edits))
        Self.expect(problems, field: field, message: message)
    }

    @Test func refusesATechnicianWhenTheActivityHasOnlyAPharmacistUAN() throws {
        let activity = Self.edit(Self.ascoActivity, [("uans: [JA0000000-0000-18-001-L01-P, JA0000000-0000-18-001-L01-T]", "uan: JA0000000-0000-18-001-L01-P")])
        let learner = Self.edit(Self.pharmacyLearner, [("profession: pharmacist", "profession: pharmacy-technician")])
        Self.expect(try Self.problems(activity: activity, learner: learner), field: "claims[0].type",
                    message: "the activity has no Universal Activity Number for pharmacy technicians (T)")
    }

    @Test func refusesAAPACreditAfterTheApprovalExpires() throws {
        let activity = Self.edit(Self.ascoActivity, [("  - type: ancc\n", "  - type: aapa-category-1\n    maximum: 38.75\n    approvalExpires: 2018-06-03\n  - type: ancc\n")])
        let learner = Self.edit(Self.pharmacyLearner, [("profession: pharmacist", "profession: physician-assistant"), ("type: acpe", "type: aapa-category-1")])
        Self.expect(try Self.problems(activity: activity, learner: learner), field: "claims[0].type",
                    message: "the activity's AAPA approval expired on 2018-06-03, before the completion date 2018-06-05")
    }

    /// An ASCO activity after Joint Accreditation ended: ACCME only.
    static let december2022 = edit(qopiActivity, [
        ("startDate: 2022-01-01\nendDate: 2022-11-14", "startDate: 2022-12-05\nendDate: 2022-12-06"),
        ("  - type: ancc\n    maximum: 20\n", ""),
        ("claimDeadline: 2022-11-14T17:00\n", ""),
    ])

    @Test func refusesNursingCreditAfterJointAccreditationEndedAndSaysWhy() throws {
        let learner = """
            id: L-N
            name: { first: Aiko, last: Tanaka, professional: "Aiko Tanaka, RN" }
            degrees: [RN]
            profession: nurse
            evaluationCompleted: true
            claims:
              - type: ancc
                amount: 5
            completionDate: 2022-12-06
            """
        Self.expect(try Self.problems(activity: Self.december2022, learner: learner), field: "claims[0].type",
                    message: "ANCC nursing contact hours cannot be awarded for QOPI-CP-2022: on 2022-12-05 American Society of Clinical Oncology is accredited by ACCME, which does not award them (accreditation: Joint Accreditation from 2016-12-01 until 2022-11-30; ACCME from 2022-12-01)")
    }

    @Test(arguments: [
        ([("startDate: 2022-01-01\nendDate: 2022-11-14", "startDate: 2022-12-05\nendDate: 2022-12-06")], "credits[1].type",
         "ANCC nursing contact hours cannot be designated: on 2022-12-05 the provider is accredited by ACCME, which does not award them"),
        ([("startDate: 2022-01-01", "startDate: 2010-01-01")], "provider",
         "the provider has no accreditation in force on 2010-01-01, when the activity starts"),
        ([("board: abim", "board: abx")], "credits[2].board", "'abx' is not a known value"),
        ([("pointTypes: [practice-assessment]", "pointTypes: [knowledge]")], "credits[2].pointTypes",
         "'knowledge' is not one of ABIM's point types"),
        ([("    pointTypes: [practice-assessment]\n", "")], "credits[2].pointTypes", "is required for ABIM MOC"),
        ([("claimDeadline: 2022-11-14T17:00", "claimDeadline: Nov 14")], "claimDeadline", "'Nov 14' is not a date and time"),
        ([("  - type: ancc\n    maximum: 20\n", "  - type: ancc\n    maximum: 20\n    pharmacology: 25\n")], "credits[1].pharmacology",
         "25 pharmacology hours is more than the 20 contact hours designated"),
    ])
    func refusesActivitiesThatBreakTheRules(edits: [(String, String)], field: String, message: String) throws {
        let problems = try Self.problems(activity: Self.edit(Self.qopiActivity, edits), learner: Self.mocLearner)
        Self.expect(problems, field: field, message: message)
    }

    @Test(arguments: [
        ("1234-56", "'1234-56' is not a Universal Activity Number"),
        ("0000-9999-18-001-H01-P", "0000-9999-18-001-H01-P is marked home study (H) but the activity is live activity"),
    ])
    func refusesBadUniversalActivityNumbers(uan: String, message: String) throws {
        let activity = Self.edit(Self.ascoActivity, [("uans: [JA0000000-0000-18-001-L01-P, JA0000000-0000-18-001-L01-T]", "uan: \(uan)")])
        Self.expect(try Self.problems(activity: activity, learner: Self.pharmacyLearner), field: "credits[2].uan", message: message)
    }

    @Test(arguments: [("JA4008163-9999-22-001-L01-P", true), ("0000-9999-18-001-h02-t", true), ("0000-9999-18-001-X01-P", false),
                      ("000-9999-18-001-L01-P", false), ("0000-9999-18-001-L01", false)])
    func readsUniversalActivityNumbers(text: String, valid: Bool) {
        #expect((UniversalActivityNumber(text) != nil) == valid)
    }

    @Test(arguments: [(155, "3.875"), (4, "0.1"), (1, "0.025"), (80, "2"), (90, "2.25")])
    func convertsContactHoursToCEUs(quarters: Int, ceus: String) {
        #expect(StatementFiller.ceus(CreditAmount(quarters: quarters)) == ceus)
    }

    @Test func refusesHalfPointsForABoardThatAwardsWholePoints() throws {
        let activity = Self.edit(Self.qopiActivity, [("board: abim\n    maximum: 20\n    pointTypes: [practice-assessment]", "board: abp\n    maximum: 20")])
        let learner = Self.edit(Self.mocLearner, [("board: abim\n    amount: 20\n    pointType: practice-assessment", "board: abp\n    amount: 2.5"),
                                                  ("  abim: \"123456\"", "  abp: \"123456\"")])
        Self.expect(try Self.problems(activity: activity, learner: learner), field: "claims[1].amount",
                    message: "ABP awards whole points only; 2.5 is not whole")
    }
}

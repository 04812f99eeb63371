import CreditRecords
import Foundation
import Testing

/// For each example activity, the certificate of each profession read back with pdftotext:
/// the statements that belong on it are there, and those that do not are absent.
struct CertificateKindTests {
    static let amaDesignation = "Physicians should claim only the credit commensurate with the extent of their participation in the activity."
    static let anccLine = "ANCC contact hours of continuing nursing education"
    static let acpeLine = "Universal Activity Number"
    static let aapaAcceptance = "NCCPA accepts AMA PRA Category 1 Credit™ from organizations accredited by ACCME or a recognized state medical society."
    static let abimStatement = "It is the CME activity provider's responsibility to submit participant completion information to ACCME for the purpose of granting ABIM MOC credit."
    static let participationLine = "This certificate documents participation and does not itself award credit."

    struct Case: Sendable, CustomTestStringConvertible {
        var example: String
        var learner: String
        var kind: CertificateKind
        var present: [String]
        var absent: [String]
        var testDescription: String { "\(example)/\(learner)" }
    }

    static let cases: [Case] = [
        Case(example: "asco-2018", learner: "physician", kind: .physicianCME,
             present: ["Certificate of Continuing Medical Education", "and is awarded 24.5 AMA PRA Category 1 Credits™", amaDesignation],
             absent: [anccLine, acpeLine, participationLine, aapaAcceptance]),
        Case(example: "asco-2018", learner: "nurse", kind: .nursing,
             present: ["Certificate of Continuing Nursing Education", "and is awarded 18 ANCC contact hours",
                       "This activity is approved for 38.75 ANCC contact hours of continuing nursing education."],
             absent: ["AMA PRA Category 1", acpeLine, participationLine]),
        Case(example: "asco-2018", learner: "pharmacist", kind: .pharmacy,
             present: ["Statement of Continuing Pharmacy Education Credit", "and is awarded 22.25 ACPE contact hours (2.225 CEUs)",
                       "This activity is approved for 38.75 ACPE contact hours (3.875 CEUs), Universal Activity Number JA0000000-0000-18-001-L01-P."],
             absent: ["AMA PRA Category 1", anccLine, "L01-T"]),
        Case(example: "asco-2018", learner: "pharmacy-technician", kind: .pharmacy,
             present: ["and is awarded 9.5 ACPE contact hours (0.95 CEUs)", "Universal Activity Number JA0000000-0000-18-001-L01-T."],
             absent: ["L01-P", "AMA PRA Category 1"]),
        Case(example: "asco-2018", learner: "physician-assistant", kind: .participation,
             present: ["Certificate of Participation", "for 30 hours of participation", participationLine,
                       "PAs may claim a maximum of 38.75 Category 1 credits for completing this activity.", aapaAcceptance],
             absent: ["and is awarded", amaDesignation]),
        Case(example: "asco-2018", learner: "genetic-counselor", kind: .participation,
             present: ["Certificate of Participation", "for 12 hours of participation",
                       "This live activity was designated for a maximum of 38.75 AMA PRA Category 1 Credits™ for physicians, 38.75 ANCC contact hours for nurses and 38.75 ACPE contact hours (3.875 CEUs) for pharmacists."],
             absent: ["and is awarded", aapaAcceptance, amaDesignation]),
        Case(example: "qopi-2022", learner: "physician-moc", kind: .physicianCME,
             present: ["and is awarded 20 AMA PRA Category 1 Credits™ and 20 ABIM MOC points (Practice Assessment)", amaDesignation, abimStatement],
             absent: [anccLine, participationLine]),
        Case(example: "qopi-2022", learner: "nurse", kind: .nursing,
             present: ["田中 愛子, RN, BSN", "and is awarded 20 ANCC contact hours"],
             absent: [abimStatement, "AMA PRA Category 1 Credits™. Physicians"]),
        Case(example: "qopi-2022", learner: "pharmacist", kind: .participation,
             present: ["أحمد حداد, PharmD", "for 20 hours of participation", participationLine],
             absent: [acpeLine, abimStatement, "and is awarded"]),
        Case(example: "qopi-2022", learner: "practice-manager", kind: .participation,
             present: ["Phạm Thùy Linh, MBA", "for 16 hours of participation"],
             absent: [abimStatement, aapaAcceptance]),
    ]

    @Test(arguments: cases)
    func certificateCarriesTheRightStatementsAndNoOthers(_ test: Case) throws {
        let renderer = try Fixture.renderer()
        let folder = Fixture.root.appendingPathComponent("Examples/\(test.example)")
        let activity = try renderer.readActivity(folder.appendingPathComponent("activity.yaml"))
        let learners = folder.appendingPathComponent("learners")
        let file = try #require(FileManager.default.contentsOfDirectory(atPath: learners.path).first { $0.hasPrefix(test.learner + ".") })
        let learner = try LearnerReader.read(learners.appendingPathComponent(file))
        let certificate = try renderer.prepare(activity: activity, learner: learner, creationDate: Fixture.fixedDate)
        #expect(certificate.request.kind == test.kind)
        let pdf = try Fixture.temporaryFolder().appendingPathComponent("c.pdf")
        try renderer.writePDF(certificate, to: pdf)
        let text = try runTool("pdftotext", ["-enc", "UTF-8", pdf.path, "-"]).folded
        for phrase in test.present { #expect(text.contains(phrase), "missing: \(phrase)") }
        for phrase in test.absent { #expect(!text.contains(phrase), "should not be there: \(phrase)") }
    }

    @Test func aCertificateAfterJointAccreditationEndedCarriesNoNursingCredit() throws {
        let renderer = try Fixture.renderer()
        let folder = try Fixture.temporaryFolderWithArtwork()
        let activity = try renderer.readActivity(try Fixture.file("activity.yaml", DomainRuleTests.december2022, in: folder))
        var learner = try LearnerReader.read(DomainRuleTests.qopi.appendingPathComponent("learners/nurse.yaml"))
        learner.claims = [Learner.Claim(type: .participation, amount: CreditAmount(quarters: 20))]
        learner.completionDate = CivilDate(year: 2022, month: 12, day: 6)
        learner.claimedAt = nil
        let issued = try #require(ISO8601DateFormatter().date(from: "2022-12-07T12:00:00Z"))
        let certificate = try renderer.prepare(activity: activity, learner: learner, creationDate: issued)
        #expect(certificate.request.kind == .participation)
        let pdf = folder.appendingPathComponent("c.pdf")
        try renderer.writePDF(certificate, to: pdf)
        let text = try runTool("pdftotext", ["-enc", "UTF-8", pdf.path, "-"]).folded
        #expect(text.contains("American Society of Clinical Oncology is accredited by the Accreditation Council for Continuing Medical Education (ACCME) to provide continuing medical education for physicians."))
        #expect(!text.contains("ANCC"))
        #expect(!text.contains("jointly accredited"))
    }

    @Test(arguments: ["asco-2018", "qopi-2022"])
    func statementsCommandPrintsWhatStaffProofread(example: String) throws {
        let run = try CommandLineTests.run(["statements", "--activity", "Examples/\(example)/activity.yaml"])
        #expect(run.status == 0, "\(run.errors)")
        let expected = try String(contentsOf: Fixture.root.appendingPathComponent("Tests/CreditPressTests/Expected/statements-\(example).txt"), encoding: .utf8)
        #expect(run.output == expected)
    }
}

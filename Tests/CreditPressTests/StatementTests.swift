import CreditIssuing
import CreditRecords
import CreditStatements
import Foundation
import Testing

/// The prescribed statements, filled from the catalog's templates, word for word.
struct StatementTests {
    static let catalog: StatementCatalog = {
        do { return try StatementCatalog(directory: Fixture.resources.statements) } catch { fatalError("\(error)") }
    }()

    static func statements(activity: String = InputRefusalTests.activityYAML,
                           learner: String = Fixture.learnerYAML) throws -> [String: String] {
        let folder = try Fixture.temporaryFolder()
        let request = try CertificateRequest.check(
            activity: ActivityReader.read(try Fixture.file("activity.yaml", activity, in: folder)),
            learner: LearnerReader.read(try Fixture.file("learner.yaml", learner, in: folder)))
        let content = try CertificateContent.build(for: request, catalog: catalog)
        var result = (content.values["statements"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        result["claim"] = (content.values["claim"] as? [String: Any])?["phrase"] as? String
        return result
    }

    static func activity(_ old: String, _ new: String) -> String {
        InputRefusalTests.replacing(old, with: new, in: InputRefusalTests.activityYAML)
    }

    /// The catalog is read in the background while a renderer's caller reads its inputs; a
    /// broken template must still be reported, naming its file, when the catalog is used.
    @Test func aBrokenStatementTemplateIsReportedWhenTheCatalogIsUsed() throws {
        let root = try Fixture.temporaryFolder()
        try FileManager.default.copyItem(at: Fixture.root.appendingPathComponent("Templates"), to: root.appendingPathComponent("Templates"))
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("Fonts"), withDestinationURL: Fixture.resources.fonts)
        let broken = root.appendingPathComponent("Templates/statements/ama-designation.mustache")
        try "{{#activity}} never closed".write(to: broken, atomically: true, encoding: .utf8)
        let renderer = try CertificateRenderer(environment: CreditEnvironment(resources: Resources(root: root), clock: Fixture.environment.clock, actor: "test-staff", cacheFolder: nil), fonts: Fixture.fonts)
        do {
            _ = try renderer.catalog
            Issue.record("the broken template was not reported")
        } catch let error as TemplateError {
            #expect(error.file.hasSuffix("ama-designation.mustache"))
        }
    }

    @Test func fillsTheACCMEStatementForADirectlyProvidedActivity() throws {
        #expect(try Self.statements()["accreditation"] == "Example Heart Society is accredited by the Accreditation Council for Continuing Medical Education (ACCME) to provide continuing medical education for physicians.")
    }

    @Test func fillsTheJointProvidershipStatement() throws {
        let activity = Self.activity("accreditation: accme", "accreditation: accme\njointProvider: Valley Cardiology Group")
        #expect(try Self.statements(activity: activity)["accreditation"] == "This activity has been planned and implemented in accordance with the accreditation requirements and policies of the Accreditation Council for Continuing Medical Education (ACCME) through the joint providership of Example Heart Society and Valley Cardiology Group. The Example Heart Society is accredited by the ACCME to provide continuing medical education for physicians.")
    }

    @Test func fillsAStateMedicalSocietyStatement() throws {
        let activity = Self.activity("accreditation: accme", "accreditation: state-medical-society\n  accreditor: Medical Society of Virginia")
        #expect(try Self.statements(activity: activity)["accreditation"] == "Example Heart Society is accredited by the Medical Society of Virginia to provide continuing medical education for physicians.")
    }

    @Test func fillsTheJointAccreditationStatement() throws {
        let activity = Self.activity("accreditation: accme", "accreditation: joint-accreditation")
        #expect(try Self.statements(activity: activity)["accreditation"] == "In support of improving patient care, Example Heart Society is jointly accredited by the Accreditation Council for Continuing Medical Education (ACCME), the Accreditation Council for Pharmacy Education (ACPE), and the American Nurses Credentialing Center (ANCC), to provide continuing education for the healthcare team.")
    }

    @Test func fillsTheAMADesignationWithTheItalicCreditPhrase() throws {
        #expect(try Self.statements()["designation"] == "The Example Heart Society designates this live activity for a maximum of 12.5 <i>AMA PRA Category 1 Credits</i>™. Physicians should claim only the credit commensurate with the extent of their participation in the activity.")
    }

    @Test(arguments: [("1", "1 <i>AMA PRA Category 1 Credit</i>™"), ("0.25", "0.25 <i>AMA PRA Category 1 Credits</i>™"),
                      ("12.50", "12.5 <i>AMA PRA Category 1 Credits</i>™")])
    func makesTheCreditPhraseSingularOnlyForOne(amount: String, phrase: String) throws {
        let learner = InputRefusalTests.replacing("amount: 10", with: "amount: \(amount)")
        #expect(try Self.statements(learner: learner)["claim"] == phrase)
    }

    @Test func namesTheLearningFormatInTheDesignation() throws {
        let activity = Self.activity("format: live activity", "format: enduring-material")
        #expect(try Self.statements(activity: activity)["designation"]?.hasPrefix("The Example Heart Society designates this enduring material for a maximum of") == true)
    }

    @Test func escapesDataAndNeverReadsItAsTemplate() throws {
        let activity = Self.activity("name: Example Heart Society", "name: \"{{jointProvider}} <b>Heart</b> & Co\"")
        #expect(try Self.statements(activity: activity)["accreditation"]?.hasPrefix("{{jointProvider}} &lt;b&gt;Heart&lt;/b&gt; &amp; Co is accredited") == true)
    }

    @Test func usesAnActivitysOverrideInsteadOfTheCatalog() throws {
        let activity = InputRefusalTests.activityYAML + """

            statements:
              designation:
                text: "This activity is approved for {{> ama-credit-phrase}}."
                prescribed: override
                reason: wording of the 2018 meeting's own page
            """
        #expect(try Self.statements(activity: activity)["designation"] == "This activity is approved for 12.5 <i>AMA PRA Category 1 Credits</i>™.")
    }

    @Test(arguments: [
        ("  accreditation: \"We are great.\"\n", "statements.accreditation",
         "replaces prescribed wording: the accreditation statement must read as the accreditor prescribes it"),
        ("  moc:\n    text: \"MOC points.\"\n", "statements.moc.prescribed", "is missing: moc is prescribed wording"),
        ("  ipce:\n    text: \"IPCE.\"\n    prescribed: override\n", "statements.ipce.reason",
         "is needed to override the prescribed ipce statement"),
        ("  acpe: \"This activity is approved for {{> acpe-credit-phrase}}.\"\n", "statements.acpe",
         "leaves out the Universal Activity Number"),
    ])
    func refusesPrescribedWordingReplacedWithoutAReason(statements: String, field: String, message: String) throws {
        let file = try Fixture.file("activity.yaml", InputRefusalTests.activityYAML + "\nstatements:\n" + statements)
        #expect { try ActivityReader.read(file) } throws: { error in
            guard let problems = (error as? InputError)?.problems else { return false }
            return problems.contains { $0.field == field && $0.message.contains(message) }
        }
    }

    @Test func anOverrideOfPrescribedWordingIsRecordedInThePDFsKeywords() throws {
        let folder = try Fixture.temporaryFolder()
        let activity = try Fixture.file("activity.yaml", InputRefusalTests.activityYAML + """

            statements:
              accreditation:
                text: "{{provider}} is accredited by the ACCME to provide continuing medical education for physicians."
                prescribed: override
                reason: short form approved by ACCME 2026-03-01
            """, in: folder)
        let learner = try Fixture.file("learner.yaml", Fixture.learnerYAML, in: folder)
        let out = folder.appendingPathComponent("c.pdf")
        let run = try CommandLineTests.run(["certificate", "--activity", activity.path, "--learner", learner.path, "--out", out.path])
        #expect(run.status == 0, "\(run.errors)")
        let info = try runTool("pdfinfo", [out.path])
        #expect(info.contains("accreditation prescribed wording overridden (short form approved by ACCME 2026-03-01)"))
        let listed = try CommandLineTests.run(["statements", "--activity", activity.path])
        #expect(listed.output.contains("accreditation — PRESCRIBED WORDING OVERRIDDEN by the activity file (reason: short form approved by ACCME 2026-03-01)"))
    }

    @Test func refusesAnOverrideThatNamesAValueItIsNotGiven() throws {
        let activity = InputRefusalTests.activityYAML + "\nstatements:\n  accreditation: { text: \"{{providr}} is accredited.\", prescribed: override, reason: test }\n"
        #expect(throws: TemplateError.self) { try Self.statements(activity: activity) }
    }

    @Test func describesWhatTheActivityWasDesignatedForOnAParticipationCertificate() throws {
        let learner = InputRefusalTests.replacing("degrees: [MD]\nprofession: physician\nclaims:\n  - type: ama-pra-category-1",
                                                  with: "degrees: [RN]\nprofession: nurse\nclaims:\n  - type: participation")
        let statements = try Self.statements(learner: learner)
        #expect(statements["designation"] == "This live activity was designated for a maximum of 12.5 <i>AMA PRA Category 1 Credits</i>™ for physicians. This certificate documents participation and does not itself award credit.")
        #expect(statements["claim"] == "10 hours of participation")
    }

    /// Everything a layout can draw on, written out with sorted keys.
    static func canonical(_ value: Any) -> String {
        switch value {
        case let dictionary as [String: Any]:
            return "{" + dictionary.keys.sorted().map { "\($0)=\(canonical(dictionary[$0]!))" }.joined(separator: ",") + "}"
        case let list as [Any]:
            return "[" + list.map(canonical).joined(separator: ",") + "]"
        default:
            return "\(type(of: value)):\(value)"
        }
    }

    /// A shared cache gives each learner what a build without it gives: the statements of
    /// the same claims reused, the learner's own values never.
    @Test func aSharedCacheGivesEveryLearnerWhatAFreshBuildGives() throws {
        let activity = try Fixture.activity()
        #expect(!activity.contentDigest.isEmpty)
        let cache = StatementCache()
        var learners: [Learner] = []
        for name in ["physician", "nurse", "pharmacist", "pharmacy-technician", "physician-assistant", "genetic-counselor",
                     "arabic", "chinese", "vietnamese", "diacritics", "long-name"] {
            let learner = try Fixture.learner(name)
            var twin = learner
            (twin.id, twin.professionalName, twin.degrees) = ("twin-" + learner.id, "Twin \(name)", learner.degrees + ["PhD"])
            twin.completionDate = CivilDate(year: 2018, month: 6, day: 2)
            learners += [learner, twin, learner]
        }
        for learner in learners {
            let request = try CertificateRequest.check(activity: activity, learner: learner, claimTime: Fixture.fixedDate)
            let shared = try CertificateContent.build(for: request, catalog: Self.catalog, cache: cache)
            let fresh = try CertificateContent.build(for: request, catalog: Self.catalog, cache: nil)
            #expect(Self.canonical(shared.values) == Self.canonical(fresh.values), "\(learner.id)")
            #expect(shared.statements.map(\.markup) == fresh.statements.map(\.markup))
            #expect(shared.statementVersions == fresh.statementVersions)
            #expect((shared.values["learner"] as? [String: Any])?["name"] as? String == learner.professionalName)
        }
        #expect(cache.contents.count < learners.count / 2)
    }

    @Test func recordsTheVersionOfEveryStatementUsed() throws {
        let folder = try Fixture.temporaryFolder()
        let request = try CertificateRequest.check(
            activity: ActivityReader.read(try Fixture.file("activity.yaml", InputRefusalTests.activityYAML, in: folder)),
            learner: LearnerReader.read(try Fixture.file("learner.yaml", Fixture.learnerYAML, in: folder)))
        let content = try CertificateContent.build(for: request, catalog: Self.catalog)
        #expect(content.statementVersions == ["accme-direct": 1, "ama-designation": 1, "ama-credit-phrase": 1])
    }
}

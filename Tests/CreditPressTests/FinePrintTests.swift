import CreditIssuing
import CreditRecords
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The rest of an activity's accreditation page: the disclaimer and the supporters on its
/// certificates, and the whole page (audience, needs, objectives) on the service.
struct FinePrintTests {
    static let disclaimer = "The information presented is that of the contributing faculty and presenters and does not necessarily represent the views of the American Society of Clinical Oncology or any named company or organization providing financial support. Specific therapies discussed may not be approved and/or specified for use as indicated by the faculty or presenters. Therefore, before presenting any medication, please review the complete prescribing information including indications, contraindications, warnings, precautions, and adverse effects."
    static let support = "This activity is supported by educational grants from Amgen, Astellas, AstraZeneca, BMS, Genentech, Janssen, Kidney Cancer Association, Lilly, Ludwig Institute for Cancer Research, Merck, Novartis, Pfizer, Prometheus, Sanofi, Taiho, and Tesaro."

    @Test(arguments: ["physician", "nurse", "physician-assistant", "genetic-counselor", "pharmacist"])
    func theExampleCertificatesCarryTheDisclaimerWordForWordAndTheSupporters(learner: String) throws {
        let folder = try Fixture.temporaryFolder()
        let out = folder.appendingPathComponent("c.pdf")
        let run = try CommandLineTests.run(["certificate", "--activity", "Examples/asco-2018/activity.yaml",
                                            "--learner", "Examples/asco-2018/learners/\(learner).yaml", "--out", out.path,
                                            "--creation-date", "2018-06-05T12:00:00Z"])
        #expect(run.status == 0, "\(run.errors)")
        let text = try runTool("pdftotext", [out.path, "-"]).folded
        #expect(text.contains(Self.disclaimer), "\(text)")
        #expect(text.contains(Self.support))
    }

    @Test func theFinePrintIsSetAtSevenPointsAtLeast() throws {
        let page = try Fixture.renderer().prepare(activity: Fixture.activity(), learner: Fixture.learner("long-name"),
                                                  creationDate: Fixture.fixedDate).page
        let fineprint = try #require(page.text("fineprint"))
        #expect(fineprint.shaped.fontSize >= 7)
        // Above the signature (its box starts at 498 pt) and beside, not under, the QR code (from 626 pt).
        #expect(fineprint.bottom < 498 && fineprint.x + fineprint.width <= 626)
    }

    /// The most crowded letter certificate: a participation certificate for a PA (three
    /// statements) with the disclaimer and the supporters, for a name too wide for one line
    /// at full size. It was refused ("runs into the signature") while such names took two
    /// lines at 26 pt.
    @Test(arguments: ["Siobhán von Hohenzollern-Sigmaringen, PA-C", "Maximilian Alexander Friedrich von Hohenzollern-Sigmaringen III, PA-C"])
    func aLongNameOnTheMostCrowdedCertificateStillLeavesTheFinePrintItsRoom(name: String) throws {
        var learner = try Fixture.learner("physician-assistant")
        learner.professionalName = name
        let page = try Fixture.renderer().prepare(activity: Fixture.activity(), learner: learner, creationDate: Fixture.fixedDate).page
        let fineprint = try #require(page.text("fineprint"))
        #expect(fineprint.bottom < 498 && fineprint.shaped.fontSize >= 7)
        #expect(try #require(page.text("name")).shaped.fontSize >= 16)
    }

    @Test func aLongSupporterListOrDisclaimerIsRefusedWithTheBlockNamed() throws {
        var activity = try Fixture.activity()
        activity.commercialSupporters = (1...60).map { "Example Pharmaceutical Company Number \($0)" }
        #expect { try Fixture.renderer().prepare(activity: activity, learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate) } throws: { error in
            "\(error)".contains("block 'fineprint'") && "\(error)".contains("the text is too long for this layout")
        }
        var long = try Fixture.activity()
        long.disclaimer = String(repeating: Self.disclaimer + " ", count: 4)
        #expect { try Fixture.renderer().prepare(activity: long, learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate) } throws: { error in
            "\(error)".contains("block 'fineprint'")
        }
        // The activity's own wording replaces the list; without either the block is left out.
        var own = try Fixture.activity()
        own.commercialSupport = "Supported in part by independent educational grants."
        own.disclaimer = nil
        let page = try Fixture.renderer().prepare(activity: own, learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate).page
        #expect(page.text("fineprint") != nil)
        var none = try Fixture.activity()
        (none.commercialSupporters, none.disclaimer) = ([], nil)
        #expect(try Fixture.renderer().prepare(activity: none, learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate).page.text("fineprint") == nil)
    }

    @Test func theActivityFileTakesAudienceNeedsAndObjectivesAndRefusesObjectivesAsOneText() throws {
        let activity = try Fixture.activity()
        #expect(activity.targetAudience?.hasPrefix("The Annual Meeting is designed for the oncology team") == true)
        #expect(activity.learningObjectives.count == 6)
        #expect(activity.learningObjectives[0].hasPrefix("Collaborate across different specialties"))
        let file = try Fixture.file("activity.yaml", InputRefusalTests.activityYAML + "\nlearningObjectives: Understand A, B and C\n")
        #expect { try ActivityReader.read(file) } throws: { error in
            (error as? InputError)?.problems.contains { $0.field == "learningObjectives" && $0.message == "must be a list, one objective per item" } == true
        }
    }

    @Test func theStatementsCommandPrintsTheFinePrintAndThePage() throws {
        let run = try CommandLineTests.run(["statements", "--activity", "Examples/asco-2018/activity.yaml"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("[every certificate] disclaimer — the activity file\n\(Self.disclaimer)"))
        #expect(run.output.contains("[every certificate] commercial support — made from commercialSupporters (16)\n\(Self.support)"))
        #expect(run.output.contains("[activity page] learning objectives\nAfter participation in this activity, attendees will be better able to\n  • Collaborate"))
    }

    @Test func theServicesActivityPageShowsTheWholeAccreditationPage() async throws {
        let world = try await ServiceClaimTests.World()
        try await world.test { client in
            let sarah = try await ServiceClaimTests.physician(world, client)
            _ = try await sarah.post("/activities/enrol", from: "/activities", [("code", "ASCO-2018")])
            let page = try await sarah.get("/activities/ASCO-AM-2018").body
            for heading in ["Accreditation statement", "AMA credit designation statement — physicians", "ANCC credit designation statement — nurses",
                            "ACPE credit designation statement — pharmacists", "AAPA/NCCPA credit designation statement — PAs",
                            "Target audience", "Educational needs", "Learning objectives", "Disclaimer and unlabeled usage statement",
                            "Commercial supporters"] {
                #expect(page.contains("<h3>\(heading)</h3>"), "\(heading)")
            }
            #expect(page.contains("is jointly accredited by the Accreditation Council for Continuing Medical Education (ACCME)"))
            #expect(page.contains("<li>Ludwig Institute for Cancer Research</li>"))
            // The statements keep their prescribed italics, as HTML.
            #expect(page.contains("for a maximum of 38.75 <em>AMA PRA Category 1 Credits</em>™."))
            #expect(page.contains("<li>Collaborate across different specialties"))
            #expect(page.contains("indications, contraindications, warnings, precautions, and adverse effects."))
        }
    }
}

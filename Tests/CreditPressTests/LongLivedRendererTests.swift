import CreditIssuing
import CreditLayout
import CreditRecords
import Foundation
import Testing

/// One renderer serving many requests, as a server keeps it: what it caches is keyed by the
/// content it was made from, so a changed activity, layout or template is never served stale.
struct LongLivedRendererTests {
    static let oldName = "American Society of Clinical Oncology"
    static let newName = "Society for Oncology Education"

    /// The text of the certificate the renderer makes for the example physician.
    static func text(_ renderer: CertificateRenderer, activity: Activity) throws -> String {
        let learner = try Fixture.learner("physician")
        let prepared = try renderer.prepare(activity: activity, learner: learner, creationDate: Fixture.fixedDate)
        let pdf = try renderer.finishedPDF(prepared, signing: nil)
        let file = try Fixture.temporaryFolder().appendingPathComponent("c.pdf")
        try Data(pdf.bytes).write(to: file)
        return try runTool("pdftotext", [file.path, "-"]).folded
    }

    @Test func theSameActivityIDWithAChangedProviderNamePrintsTheNewNameInEveryStatement() throws {
        let renderer = try Fixture.renderer()
        let original = try Data(contentsOf: Fixture.activityURL)
        let folder = Fixture.example
        let first = try renderer.readActivity(original, displayName: "activity.yaml", directory: folder)
        let before = try Self.text(renderer, activity: first)
        #expect(before.contains("In support of improving patient care, \(Self.oldName) is jointly accredited"))

        let renamed = String(decoding: original, as: UTF8.self).replacingOccurrences(of: Self.oldName, with: Self.newName)
        let second = try renderer.readActivity(Data(renamed.utf8), displayName: "activity.yaml", directory: folder)
        #expect(second.id == first.id)
        let after = try Self.text(renderer, activity: second)
        #expect(!after.contains(Self.oldName), "the old provider name is still printed: \(after)")
        #expect(after.contains("In support of improving patient care, \(Self.newName) is jointly accredited"))
        #expect(after.contains("\(Self.newName) designates this live activity for a maximum of"))
    }

    @Test func aChangedLayoutFileAndStatementTemplateAreReadAgain() throws {
        let root = try Fixture.temporaryFolder()
        try FileManager.default.copyItem(at: Fixture.root.appendingPathComponent("Templates"), to: root.appendingPathComponent("Templates"))
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("Fonts"), withDestinationURL: Fixture.resources.fonts)
        var environment = Fixture.environment
        environment.resources = Resources(root: root)
        let renderer = try CertificateRenderer(environment: environment, fonts: Fixture.fonts)
        let activity = try renderer.readActivity(Fixture.activityURL)
        let layout = root.appendingPathComponent("Templates/certificates/physician-cme.yaml")
        #expect(try renderer.layout(named: "physician-cme").version == 3)
        _ = try Self.text(renderer, activity: activity)

        let text = try String(contentsOf: layout, encoding: .utf8)
        try text.replacingOccurrences(of: "version: 3", with: "version: 7").write(to: layout, atomically: true, encoding: .utf8)
        // Files are compared once for each activity read, not for every certificate.
        _ = try renderer.readActivity(Fixture.activityURL)
        #expect(try renderer.layout(named: "physician-cme").version == 7)

        let template = root.appendingPathComponent("Templates/statements/joint-accreditation.mustache")
        let statement = try String(contentsOf: template, encoding: .utf8)
        try statement.replacingOccurrences(of: "In support of improving patient care", with: "In support of better patient care")
            .write(to: template, atomically: true, encoding: .utf8)
        let again = try renderer.readActivity(Fixture.activityURL)
        let printed = try Self.text(renderer, activity: again)
        #expect(printed.contains("In support of better patient care, \(Self.oldName) is jointly accredited"))
    }
}

/// Uploads are read from their bytes, never from a temporary file.
struct BytesReaderTests {
    @Test func aRosterFromBytesReadsAsTheFileDoes() throws {
        let url = Fixture.example.appendingPathComponent("roster.csv")
        let fromFile = try RosterReader(url: url, displayName: "roster.csv")
        let fromBytes = try RosterReader(data: try Data(contentsOf: url), displayName: "roster.csv")
        #expect(fromFile.header == fromBytes.header)
        var count = 0
        while let a = fromFile.next(), let b = fromBytes.next() {
            #expect(a.fields == b.fields)
            count += 1
        }
        #expect(count == 11)
    }

    @Test func aLearnerUploadIsRefusedByItsDisplayName() throws {
        do {
            _ = try LearnerReader.read(Data("id: L-1\n".utf8), displayName: "upload from the form")
            Issue.record("an incomplete learner was accepted")
        } catch {
            #expect(error.problems.first?.file == "upload from the form")
        }
    }
}

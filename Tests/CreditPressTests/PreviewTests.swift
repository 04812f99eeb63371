import Foundation
import Testing

/// `creditpress preview`: every kind an activity gives, proofread before any learner exists.
struct PreviewTests {
    @Test func rendersASampleOfEveryKindTheActivityGives() throws {
        let folder = try Fixture.temporaryFolder()
        let run = try CommandLineTests.run(["preview", "--activity", "Examples/asco-2018/activity.yaml", "--out", folder.path])
        #expect(run.status == 0, "\(run.errors)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files.filter { $0.hasSuffix(".pdf") } == ["nurse.pdf", "participation.pdf", "pharmacist.pdf", "pharmacy-technician.pdf",
                                                           "physician-assistant.pdf", "physician.pdf"])
        #expect(files.filter { $0.hasSuffix(".png") }.count == 6)
        let physician = try runTool("pdftotext", [folder.appendingPathComponent("physician.pdf").path, "-"])
        #expect(physician.contains("Sample Learner, MD") && physician.contains("38.75 AMA PRA Category 1 Credits"))
        #expect(physician.contains("Certificate ID SAMPLE"))
        let technician = try runTool("pdftotext", [folder.appendingPathComponent("pharmacy-technician.pdf").path, "-"])
        #expect(technician.contains("JA0000000-0000-18-001-L01-T"))
        let pa = try runTool("pdftotext", [folder.appendingPathComponent("physician-assistant.pdf").path, "-"])
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(pa.contains("NCCPA accepts AMA PRA Category 1 Credit"))
        #expect(run.output.contains("wrote 6 sample certificates for ASCO-AM-2018"))
    }

    @Test func anMOCActivityGetsAPhysicianSamplePerBoard() throws {
        let folder = try Fixture.temporaryFolder()
        let run = try CommandLineTests.run(["preview", "--activity", "Examples/qopi-2022/activity.yaml", "--out", folder.path])
        #expect(run.status == 0, "\(run.errors)")
        let moc = try runTool("pdftotext", [folder.appendingPathComponent("physician-moc-abim.pdf").path, "-"])
        #expect(moc.contains("MOC"))
        #expect(run.output.contains("physician-moc-abim: physician-cme"))
    }
}

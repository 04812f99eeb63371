import CreditRecords
import Foundation
import Testing

/// Certificates written to PDF and read back with independent tools (poppler, qpdf).
struct PDFReadBackTests {
    /// Renders the example activity for `learner` into a fresh folder.
    static func render(_ learner: String, layout: String? = nil) throws -> URL {
        let renderer = try Fixture.renderer()
        let certificate = try renderer.prepare(activity: Fixture.activity(), learner: Fixture.learner(learner),
                                               layoutName: layout, creationDate: Fixture.fixedDate)
        let url = try Fixture.temporaryFolder().appendingPathComponent("\(learner).pdf")
        try renderer.writePDF(certificate, to: url)
        return url
    }

    static func text(_ pdf: URL) throws -> String {
        try runTool("pdftotext", ["-enc", "UTF-8", pdf.path, "-"]).folded
    }

    @Test func physicianCertificateSaysWhatTheAMARuleRequires() throws {
        let text = try Self.text(Self.render("physician"))
        #expect(text.contains("Sarah A. Whitfield, MD"))
        #expect(text.contains("2018 ASCO Annual Meeting"))
        #expect(text.contains("June 1–5, 2018"))
        #expect(text.contains("McCormick Place, Chicago, Illinois"))
        #expect(text.contains("has participated in the live activity"))
        #expect(text.contains("American Society of Clinical Oncology"))
        #expect(text.contains("Date of completion"))
        #expect(text.contains("June 5, 2018"))
        // The credits claimed, never the designated maximum, are what the learner is awarded.
        #expect(text.contains("and is awarded 24.5 AMA PRA Category 1 Credits™"))
        #expect(!text.contains("awarded 38.75"))
    }

    @Test func physicianCertificateCarriesThePrescribedStatementsWordForWord() throws {
        let text = try Self.text(Self.render("physician"))
        #expect(text.contains("In support of improving patient care, American Society of Clinical Oncology is jointly accredited by the Accreditation Council for Continuing Medical Education (ACCME), the Accreditation Council for Pharmacy Education (ACPE), and the American Nurses Credentialing Center (ANCC), to provide continuing education for the healthcare team."))
        #expect(text.contains("The American Society of Clinical Oncology designates this live activity for a maximum of 38.75 AMA PRA Category 1 Credits™. Physicians should claim only the credit commensurate with the extent of their participation in the activity."))
    }

    @Test func participationCertificateAwardsNoAMACredit() throws {
        let text = try Self.text(Self.render("genetic-counselor"))
        #expect(text.contains("Certificate of Participation"))
        #expect(text.contains("Ingrid Solberg, MS, CGC"))
        #expect(text.contains("for 12 hours of participation"))
        #expect(!text.contains("awarded"))
        #expect(!text.contains("designates this live activity"))
    }

    @Test(arguments: [
        ("vietnamese", "Nguyễn Thị Minh Khai"), ("arabic", "محمد عبد الله"), ("chinese", "王小明"),
        ("diacritics", "Zoë Łukasiewicz-Ñúñez"),
        ("long-name", "Maximilian Alexander Friedrich von Hohenzollern-Sigmaringen III, MD, PhD, FACP"),
    ])
    func namesInEveryScriptReadBackAsTheyWentIn(learner: String, name: String) throws {
        #expect(try Self.text(Self.render(learner)).contains(name))
    }

    @Test(arguments: ["physician", "chinese", "arabic", "nurse"])
    func embedsEveryFontAsASubset(learner: String) throws {
        let rows = try runTool("pdffonts", [Self.render(learner).path]).split(separator: "\n").dropFirst(2)
        #expect(!rows.isEmpty)
        for row in rows {
            let columns = row.split(separator: " ", omittingEmptySubsequences: true)
            // name type… encoding emb sub uni object-id generation: emb and sub are the 5th and 4th from the end.
            #expect(columns[columns.count - 5] == "yes" && columns[columns.count - 4] == "yes", "\(row)")
            #expect(columns[0].dropFirst(6).hasPrefix("+"), "subset tag missing: \(row)")
        }
    }

    @Test func passesQPDFsStructuralCheck() throws {
        let output = try runTool("qpdf", ["--check", Self.render("long-name").path])
        #expect(output.contains("No syntax or stream encoding errors found"))
    }

    @Test func recordsTitleAuthorAndTheGivenCreationDate() throws {
        let info = try runTool("pdfinfo", ["-isodates", Self.render("physician").path])
        #expect(info.contains("Title:           CME certificate: 2018 ASCO Annual Meeting — Sarah A. Whitfield, MD"))
        #expect(info.contains("Author:          American Society of Clinical Oncology"))
        #expect(info.contains("Creator:         CreditPress"))
        #expect(info.contains("CreationDate:    2018-06-05T12:00:00Z"))
        #expect(info.contains("Keywords:        activity ASCO-AM-2018, learner L-2018-000101, layout physician-cme v3"))
    }

    @Test func sameInputsGiveByteIdenticalPDFs() throws {
        let first = try Data(contentsOf: Self.render("vietnamese"))
        let second = try Data(contentsOf: Self.render("vietnamese"))
        #expect(first == second)
    }

    @Test func carriesDocumentStructureForScreenReaders() throws {
        let url = try Self.render("physician")
        #expect(try runTool("pdfinfo", [url.path]).contains("Tagged:          yes"))
        let structure = try runTool("pdfinfo", ["-struct", url.path])
        #expect(structure.hasPrefix("Document"))
        #expect(structure.contains("H1"))
        #expect(structure.contains("Figure"))
        #expect(structure.components(separatedBy: "P (block)").count - 1 >= 10)
    }

    @Test func keepsTextSelectableRatherThanOutlined() throws {
        // Text drawn as outlines would give pdftotext nothing; words are found at their place.
        let output = try runTool("pdftotext", ["-bbox", Self.render("physician").path, "-"])
        #expect(output.contains(">Whitfield,</word>"))
    }
}

/// A failed write never leaves a partial file where a good one is expected.
struct AtomicWriteTests {
    @Test func aFailedWriteLeavesTheEarlierFileAndNoTemporaryFile() throws {
        let folder = try Fixture.temporaryFolder()
        let target = folder.appendingPathComponent("certificate.pdf")
        try Data("good".utf8).write(to: target)
        #expect(throws: RenderError.self) {
            try AtomicFile.write(to: target) { temporary throws(RenderError) in
                try? Data("half a PDF".utf8).write(to: temporary)
                throw RenderError(file: target.path, message: "disk full")
            }
        }
        #expect(try Data(contentsOf: target) == Data("good".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["certificate.pdf"])
    }

    @Test func aSuccessfulWriteLeavesOnlyTheFinishedFile() throws {
        let url = try PDFReadBackTests.render("physician")
        let files = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
        #expect(files == ["physician.pdf"])
        #expect(try Data(contentsOf: url).prefix(5) == Data("%PDF-".utf8))
    }
}

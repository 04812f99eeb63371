import CreditIssuing
import CreditPDF
import CreditRecords
import Crypto
import Foundation
import Testing

/// Bulk printing: streamed rosters, bad rows reported, ids, merged PDF, kill and resume.
struct BatchTests {
    static let header = "id,first_name,last_name,professional_name,degrees,profession,completion_date,ama_pra_category_1,ancc,acpe,participation,nabp_epid,birth_month_day\r\n"

    static func options(roster: URL, output: URL, jobs: Int = 2) throws -> BatchOptions {
        let key = try IssuerKey.loadOrCreate(at: output.deletingLastPathComponent().appendingPathComponent("id.key"))
        var options = BatchOptions(activity: Fixture.activityURL, roster: roster, output: output, jobs: jobs, idKey: key)
        options.creationDate = Fixture.fixedDate
        return options
    }

    static func run(_ options: BatchOptions) async throws -> BatchSummary {
        try await BatchRunner(options: options, environment: Fixture.environment, fonts: Fixture.fonts).run()
    }

    /// A report's rows after its header, read by Python's csv module (names hold commas).
    static func csvRows(_ url: URL) throws -> [[String]] {
        Array(try ReportingTests.csv(url).dropFirst())
    }

    @Test func reportsEveryBadRowAndIssuesEveryGoodOne() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = try Fixture.file("roster.csv", "\u{FEFF}" + Self.header + """
            G-1,Sarah,Whitfield,"Whitfield, Sarah, MD",MD,physician,2018-06-05,24.5,,,,,\r
            B-1,Too,Much,"Too Much, MD",MD,physician,2018-06-05,40,,,,,\r
            B-2,,Nameless,,MD,physician,2018-06-05,10,,,,,\r
            B-3,Bad,Date,"Bad Date, MD",MD,physician,2018-06-35,10,,,,,\r
            B-4,Space,Walker,"Space Walker",,astronaut,2018-06-05,,,,5,,\r
            B-5,Emoji,Face,"Emoji 😀 Face, MD",MD,physician,2018-06-05,3,,,,,\r
            ../../etc/passwd,Path,Trick,"../../etc/passwd, MD",MD,physician,2018-06-05,3,,,,,\r
            G-2,Daniel,Okafor,"Daniel Okafor, RN",RN,nurse,2018-06-04,,18,,,,\r
            G-3,"Nguyễn","Khai","Nguyễn Thị Minh Khai, MD",MD,physician,2018-06-05,"1.5",,,,,\r
            \r
            G-4,Grace,Mwangi,"Grace Mwangi,
             PA-C",PA-C,physician-assistant,2018-06-05,,,,30,,\r

            """, in: folder)
        let output = folder.appendingPathComponent("out")
        let summary = try await Self.run(try Self.options(roster: roster, output: output))
        #expect(summary.accepted == 5)
        #expect(summary.rejected == 5)
        let rejects = try Self.csvRows(output.appendingPathComponent("rejects.csv"))
        let byRow = Dictionary(grouping: rejects, by: { $0[0] })
        // Rows as a spreadsheet numbers them: the header is row 1.
        #expect(byRow["3"]?.first?[4] == "ama_pra_category_1")
        #expect(byRow["4"]?.map { $0[4] } == ["first_name", "professional_name"])
        #expect(byRow["5"]?.first?[4] == "completion_date")
        #expect(byRow["6"]?.first?[4] == "profession")
        #expect(byRow["7"]?.first?[4] == "professional_name")
        let text = try String(contentsOf: output.appendingPathComponent("rejects.csv"), encoding: .utf8)
        #expect(text.contains("claimed 40 credits, more than the 38.75 designated for ASCO-AM-2018"))
        #expect(text.contains("U+1F600"))
        // Files are named by certificate id only, whatever the learner data says.
        let files = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("certificates").path).sorted()
        #expect(files.count == 5)
        #expect(files.allSatisfy { CertificateID.normalise(String($0.dropLast(4))) != nil })
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("etc").path))
        // The merged PDF has a page per issued certificate and passes qpdf's check.
        let info = try runTool("pdfinfo", [output.appendingPathComponent("merged.pdf").path])
        #expect(info.contains("Pages:           5"))
        #expect(try runTool("qpdf", ["--check", output.appendingPathComponent("merged.pdf").path]).contains("No syntax or stream encoding errors"))
    }

    @Test func manifestNamesEveryFileWithItsHash() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator(seed: 7).write(count: 40, to: roster)
        let output = folder.appendingPathComponent("out")
        _ = try await Self.run(try Self.options(roster: roster, output: output))
        try Self.expectManifestMatchesFiles(output)
    }

    static func expectManifestMatchesFiles(_ output: URL) throws {
        let data = try Data(contentsOf: output.appendingPathComponent("manifest.json"))
        let manifest = try JSONDecoder().decode(ManifestDocument.self, from: data)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("certificates").path))
        #expect(Set(manifest.certificates.map { String($0.file.dropFirst("certificates/".count)) }) == files)
        for entry in manifest.certificates {
            let pdf = try Data(contentsOf: output.appendingPathComponent(entry.file))
            #expect(Hex.sha256(pdf) == entry.sha256, "\(entry.file)")
        }
    }

    @Test func aRunKilledMidwayFinishesOnTheNextRunWithIdenticalFiles() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator(seed: 11).write(count: 300, to: roster)
        let key = Fixture.idKeyFile
        func arguments(_ out: URL) -> [String] {
            ["batch", "--activity", Fixture.activityURL.path, "--roster", roster.path, "--out", out.path,
             "--id-key", key.path, "--creation-date", "2018-06-05T12:00:00Z", "--jobs", "2"]
        }
        // The uninterrupted run, for comparison.
        let reference = folder.appendingPathComponent("reference")
        #expect(try CommandLineTests.run(arguments(reference)).status == 0)

        // Start again elsewhere, kill it with SIGKILL once some certificates are written.
        let interrupted = folder.appendingPathComponent("interrupted")
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = arguments(interrupted)
        process.environment = try Hermetic.environment()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        // Watched before the run starts, so that no certificate moved into place is missed.
        let certificates = interrupted.appendingPathComponent("certificates")
        try FileManager.default.createDirectory(at: certificates, withIntermediateDirectories: true)
        let watch = try DirectoryWatch(certificates)
        try process.run()
        #expect(watch.waitForFiles(40, deadline: 60), "the batch did not write 40 certificates within 60 s")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let before = try FileManager.default.contentsOfDirectory(atPath: certificates.path).filter { !$0.hasPrefix(".") }
        #expect(before.count >= 40)
        #expect(before.count < 300, "the run should have been killed before the end")
        let early = try Dictionary(uniqueKeysWithValues: before.map { ($0, try Data(contentsOf: certificates.appendingPathComponent($0))) })
        #expect(!FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("manifest.csv").path))

        // The certificates the journal lists as finished before the kill have no page in the
        // drawing processes' parts: here they are drawn in parts of their own.
        let resumed = try CommandLineTests.run(arguments(interrupted) + ["--merged-parts-from", "1"])
        #expect(resumed.status == 0, "\(resumed.errors)")
        #expect(!resumed.errors.contains("note:"), "\(resumed.errors)")
        #expect(resumed.output.contains("already finished"))
        // Files finished before the kill are unchanged, no temporary file is left, and
        // every file equals the uninterrupted run's, byte for byte.
        for (name, data) in early {
            #expect(try Data(contentsOf: certificates.appendingPathComponent(name)) == data, "\(name) changed")
        }
        let after = try FileManager.default.contentsOfDirectory(atPath: certificates.path).sorted()
        #expect(after == (try FileManager.default.contentsOfDirectory(atPath: reference.appendingPathComponent("certificates").path).sorted()))
        for name in after {
            #expect(try Data(contentsOf: certificates.appendingPathComponent(name))
                    == Data(contentsOf: reference.appendingPathComponent("certificates").appendingPathComponent(name)), "\(name)")
        }
        #expect(try Data(contentsOf: interrupted.appendingPathComponent("manifest.csv"))
                == Data(contentsOf: reference.appendingPathComponent("manifest.csv")))
        // The merged PDF holds the same pages in the same order under the same outline: the
        // resumed run's joins the pages its drawing processes added with those it drew for
        // the certificates finished before the kill, and no part is left behind.
        let merged = interrupted.appendingPathComponent("merged.pdf").path, whole = reference.appendingPathComponent("merged.pdf").path
        #expect(try pageCharacters(merged) == (try pageCharacters(whole)))
        #expect(try mergedOutline(merged).count == 300)
        #expect(try mergedOutline(merged) == (try mergedOutline(whole)))
        #expect(try runTool("qpdf", ["--check", merged]).contains("No syntax or stream encoding errors"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: interrupted.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
        try Self.expectManifestMatchesFiles(interrupted)
    }

    /// A rerun into a finished folder draws nothing but the merged PDF, all of whose pages
    /// are then drawn in the merged pass (here in parts, by processes of their own): the same
    /// pages in the same order as the first run's, joined from its drawing processes' parts.
    @Test func aRerunDrawsTheMergedPagesOfFinishedCertificatesInParts() throws {
        let folder = try Fixture.temporaryFolder()
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator(seed: 9).write(count: 50, to: roster)
        let out = folder.appendingPathComponent("out")
        let arguments = ["batch", "--activity", Fixture.activityURL.path, "--roster", roster.path, "--out", out.path,
                         "--id-key", Fixture.idKeyFile.path, "--creation-date", "2018-06-05T12:00:00Z", "--jobs", "2"]
        let first = try CommandLineTests.run(arguments)
        #expect(first.status == 0, "\(first.errors)")
        let merged = out.appendingPathComponent("merged.pdf").path
        let (text, outline) = (try pageCharacters(merged), try mergedOutline(merged))
        #expect(outline.count == 50)
        let again = try CommandLineTests.run(arguments + ["--merged-parts-from", "1", "--merged-part-pages", "10"])
        #expect(again.status == 0 && again.output.contains("(0 drawn now, 50 already finished)"), "\(again.output) \(again.errors)")
        #expect(again.output.contains("(drawn in 6 parts)") && !again.errors.contains("note:"), "\(again.output) \(again.errors)")
        #expect(try pageCharacters(merged) == text)
        #expect(try mergedOutline(merged) == outline)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test func aRerunDrawsAgainAFinishedFileThatWasEmptiedOrAltered() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator(seed: 3).write(count: 12, to: roster)
        let output = folder.appendingPathComponent("out")
        let options = try Self.options(roster: roster, output: output, jobs: 1)
        _ = try await Self.run(options)
        let certificates = output.appendingPathComponent("certificates")
        let names = try FileManager.default.contentsOfDirectory(atPath: certificates.path).filter { $0.hasSuffix(".pdf") }.sorted()
        let originals = try names.map { try Data(contentsOf: certificates.appendingPathComponent($0)) }
        try Data().write(to: certificates.appendingPathComponent(names[0]))
        var altered = originals[1]
        altered[altered.count / 2] ^= 0x20
        try altered.write(to: certificates.appendingPathComponent(names[1]))

        let summary = try await Self.run(options)
        #expect(summary.rendered == 2 && summary.reused == names.count - 2)
        for (name, original) in zip(names, originals) {
            #expect(try Data(contentsOf: certificates.appendingPathComponent(name)) == original, "\(name) was not restored")
        }
        try Self.expectManifestMatchesFiles(output)
    }

    @Test func aSecondRunIntoAFolderBeingWrittenRefusesAtOnceNamingTheFirst() async throws {
        let folder = try Fixture.temporaryFolder()
        let output = folder.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        var holder: OutputLock? = try OutputLock(folder: output, now: Fixture.fixedDate)
        let refused = try CommandLineTests.run(["batch", "--activity", Fixture.activityURL.path,
                                                "--roster", Fixture.example.appendingPathComponent("roster.csv").path,
                                                "--out", output.path, "--jobs", "1"])
        #expect(refused.status == 65)
        #expect(refused.errors.contains("\(output.path): is being written by another run (process \(getpid()), started 2018-06-05T12:00:00Z) — wait for that run to finish, or give this one another output folder"))
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("batch-state.json").path))
        _ = holder
        holder = nil
        // Released however the first run ends: the folder is free again.
        let run = try CommandLineTests.run(["batch", "--activity", Fixture.activityURL.path,
                                            "--roster", Fixture.example.appendingPathComponent("roster.csv").path,
                                            "--out", output.path, "--jobs", "1"])
        #expect(run.status == 0, "\(run.errors)")
    }

    @Test func withoutAMergedPDFNoSpoolIsLeft() async throws {
        let folder = try Fixture.temporaryFolder()
        let output = folder.appendingPathComponent("out")
        var options = try Self.options(roster: Fixture.example.appendingPathComponent("roster.csv"), output: output, jobs: 1)
        options.merged = false
        let summary = try await Self.run(options)
        #expect(summary.accepted == 11)
        let left = try FileManager.default.contentsOfDirectory(atPath: output.path)
        #expect(!left.contains(".spool") && !left.contains("merged.pdf"), "\(left)")
    }

    @Test func drawingProcessesGiveTheSameFilesAsOneThread() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator(seed: 5).write(count: 60, to: roster)
        let threaded = folder.appendingPathComponent("threaded"), processes = folder.appendingPathComponent("processes")
        _ = try await Self.run(try Self.options(roster: roster, output: threaded, jobs: 1))
        var options = try Self.options(roster: roster, output: processes, jobs: 2)
        options.workerCommand = [CommandLineTests.binary.path, "batch-worker"]
        let summary = try await Self.run(options)
        #expect(summary.accepted == 60 && summary.rendered == 60 && summary.mergedAlongside == 60)
        #expect(try Data(contentsOf: threaded.appendingPathComponent("manifest.csv")) == Data(contentsOf: processes.appendingPathComponent("manifest.csv")))
        for name in try FileManager.default.contentsOfDirectory(atPath: threaded.appendingPathComponent("certificates").path) {
            let file = "certificates/\(name)"
            #expect(try Data(contentsOf: threaded.appendingPathComponent(file)) == Data(contentsOf: processes.appendingPathComponent(file)), "\(name)")
        }
        // The merged PDF drawn in one go and the one joined from the processes' parts hold the
        // same pages in the same order under the same outline, and no part is left behind.
        let single = threaded.appendingPathComponent("merged.pdf").path, joined = processes.appendingPathComponent("merged.pdf").path
        #expect(try pageCharacters(joined) == (try pageCharacters(single)))
        #expect(try mergedOutline(joined) == (try mergedOutline(single)) && (try mergedOutline(joined)).count == 60)
        #expect(try runTool("qpdf", ["--check", joined]).contains("No syntax or stream encoding errors"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: processes.path).filter { $0.hasPrefix(".merged") }.isEmpty)
    }

    @Test func aDrawingProcessThatDiesCostsOnlyItsRowsAndEachIsReported() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator(seed: 3).write(count: 6, to: roster)
        var options = try Self.options(roster: roster, output: folder.appendingPathComponent("out"), jobs: 2)
        options.workerCommand = ["/bin/false"]
        let summary = try await Self.run(options)
        #expect(summary.accepted == 0 && summary.rejected == 6)
        let rejects = try String(contentsOf: folder.appendingPathComponent("out/rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("while drawing this certificate — run the batch again to retry this row")
                || rejects.contains("before drawing this certificate — run the batch again to retry this row"))
    }

    @Test func refusesAnOutputFolderStartedForAnotherActivity() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator().write(count: 3, to: roster)
        let output = folder.appendingPathComponent("out")
        _ = try await Self.run(try Self.options(roster: roster, output: output))
        var other = try Self.options(roster: roster, output: output)
        other.activity = Fixture.root.appendingPathComponent("Examples/qopi-2022/activity.yaml")
        do { _ = try await Self.run(other); Issue.record("expected a refusal") } catch let error as InputError {
            #expect(error.problems.first?.message == "holds a run for a different activity file")
        }
    }

    /// A misspelt required column is named with its likely meaning; a column of the LMS's own
    /// is read past, and said so.
    @Test func refusesARosterMissingARequiredColumnAndIgnoresItsOwnColumns() async throws {
        let roster = try Fixture.file("roster.csv", "id,frist_name,last_name,professional_name,profession,completion_date,ama_pra_category_1\n")
        do { _ = try RosterReader(url: roster, displayName: "roster.csv"); Issue.record("expected a refusal") } catch {
            #expect(error.problems.map(\.description) == [
                "roster.csv header: column 'first_name': is a required column and is missing from the header — the column 'frist_name' was not read: did you mean 'first_name'? (rename it, or map it with --columns)",
            ])
        }
        let extra = try Fixture.file("roster.csv", "id,first_name,last_name,professional_name,profession,completion_date,ama_pra_category_1,Department,Badge Color\n"
            + "A-1,Ann,Lee,\"Ann Lee, MD\",physician,2018-06-05,1.5,Oncology,blue\n")
        let reader = try RosterReader(url: extra, displayName: "roster.csv")
        #expect(reader.notices == ["roster.csv: ignored the columns 'Department', 'Badge Color', which are not roster columns (map them with --columns to use them)"])
        #expect(try reader.learner(from: try #require(reader.next())).get().firstName == "Ann")
    }

    @Test(arguments: [";", "\t"])
    func readsRostersSeparatedBySemicolonsOrTabs(separator: String) async throws {
        let text = "id,first_name,last_name,professional_name,profession,completion_date,ama_pra_category_1\nA-1,Ann,Lee,\"Lee, Ann, MD\",physician,2018-06-05,1.5\n"
            .replacingOccurrences(of: ",", with: separator).replacingOccurrences(of: "Lee\(separator) Ann\(separator) MD", with: "Lee, Ann, MD").replacingOccurrences(of: "1.5", with: "1,5")
        let reader = try RosterReader(url: try Fixture.file("roster.csv", text))
        let row = try #require(reader.next())
        #expect(row.fields[3] == "Lee, Ann, MD")
        // Spreadsheets that separate fields with semicolons write decimal commas: 1,5 is 1.5.
        #expect(try reader.learner(from: row).get().claims.first?.amount == CreditAmount(quarters: 6))
    }

    @Test func readsQuotedFieldsEmbeddedNewlinesCRLFAndAByteOrderMark() async throws {
        let roster = try Fixture.file("roster.csv", "\u{FEFF}" + Self.header
            + "A-1,Ann,\"Lee, Jr.\",\"Ann Lee,\nJr.\",MD,physician,2018-06-05,1,,,,,\r\nA-2,Bo,Li,Bo Li,MD,physician,2018-06-05,2,,,,,\r\n")
        let reader = try RosterReader(url: roster)
        let first = try #require(reader.next()), second = try #require(reader.next())
        #expect(reader.next() == nil)
        #expect(first.fields[0] == "A-1" && first.fields[2] == "Lee, Jr." && first.fields[3] == "Ann Lee,\nJr.")
        // The spreadsheet's row: a field's line break does not make a row of its own.
        #expect(first.number == 2 && second.number == 3 && second.fields[0] == "A-2")
        #expect(try reader.learner(from: first).get().lastName == "Lee, Jr.")
    }
}

/// Certificate ids: stable, keyed, typable, self-checking.
struct CertificateIDTests {
    static var key: SymmetricKey { SymmetricKeyFixture.key }

    @Test func isStableForTheSameActivityAndLearner() {
        let a = CertificateID.make(activity: "ACT", learner: "L-1", key: Self.key)
        #expect(a == CertificateID.make(activity: "ACT", learner: "L-1", key: Self.key))
        #expect(a != CertificateID.make(activity: "ACT", learner: "L-2", key: Self.key))
        #expect(a != CertificateID.make(activity: "ACT", learner: "L-1", key: SymmetricKeyFixture.other))
        #expect(a.wholeMatch(of: /[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]/) != nil)
    }

    @Test func catchesEverySingleMistypedCharacter() {
        let id = CertificateID.make(activity: "ACT", learner: "L-1", key: Self.key)
        let characters = Array(id.filter { $0 != "-" })
        for position in characters.indices {
            for replacement in CertificateID.alphabet where replacement != characters[position] {
                var typed = characters
                typed[position] = replacement
                #expect(CertificateID.normalise(String(typed)) == nil, "\(String(typed)) passed")
            }
        }
    }

    @Test func readsIdsAsPeopleTypeThem() {
        let id = CertificateID.make(activity: "ACT", learner: "L-9", key: Self.key)
        #expect(CertificateID.normalise(id.lowercased()) == id)
        #expect(CertificateID.normalise(id.replacingOccurrences(of: "-", with: "")) == id)
        #expect(CertificateID.normalise(id.replacingOccurrences(of: "0", with: "O").replacingOccurrences(of: "1", with: "I")) == id)
    }
}

/// The program installed away from its templates, as a provider runs it.
struct InstalledProgramTests {
    @Test func aBatchWithDrawingProcessesRunsFromAnInstalledCopyGivenItsResources() throws {
        // A hard link: the program's own path is then outside the checkout, so nothing
        // finds the templates by looking beside it.
        let bin = try Fixture.temporaryFolder().appendingPathComponent("creditpress")
        try FileManager.default.linkItem(at: CommandLineTests.binary, to: bin)
        let work = try Fixture.temporaryFolder()
        let process = Process()
        process.executableURL = bin
        process.arguments = ["batch", "--resources", Fixture.root.path, "--activity", Fixture.activityURL.path,
                             "--roster", Fixture.example.appendingPathComponent("roster.csv").path,
                             "--out", work.appendingPathComponent("out").path, "--jobs", "2"]
        process.currentDirectoryURL = work
        process.environment = try Hermetic.environment()
        let errors = work.appendingPathComponent("errors.txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let said = try String(contentsOf: errors, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(said)")
        let issued = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("out/certificates").path)
        #expect(issued.filter { $0.hasSuffix(".pdf") }.count == 11)
    }
}

/// Joining merged-PDF parts: a part as Cairo wrote it is copied whole, pages in order, one
/// outline; a damaged part is refused with a reason, never a crash or a file in place.
struct MergedPartsJoinTests {
    /// The example batch's merged PDF (11 pages, drawn in one go), made in `folder`.
    static func exampleMergedPDF(in folder: URL) throws -> URL {
        let out = folder.appendingPathComponent("out")
        let run = try CommandLineTests.run(["batch", "--activity", "Examples/asco-2018/activity.yaml",
                                            "--roster", "Examples/asco-2018/roster.csv", "--out", out.path, "--jobs", "1",
                                            "--creation-date", "2018-06-05T12:00:00Z", "--id-key", Fixture.idKeyFile.path])
        #expect(run.status == 0, "\(run.errors)")
        return out.appendingPathComponent("merged.pdf")
    }

    @Test func partsAreJoinedPageByPageAndADamagedPartIsRefused() throws {
        let folder = try Fixture.temporaryFolder()
        let part = try Self.exampleMergedPDF(in: folder)
        let joined = folder.appendingPathComponent("joined.pdf")
        let titles = (1...22).map { "Page \($0) — Nguyễn (ψ)" }
        #expect(try PDFConcatenation.join([part, part], outlines: titles, into: joined) == 22)
        #expect(try runTool("qpdf", ["--check", joined.path]).contains("No syntax or stream encoding errors"))
        #expect(try runTool("pdfinfo", [joined.path]).contains("Pages:           22"))
        let single = try runTool("pdftotext", [part.path, "-"])
        #expect(try runTool("pdftotext", [joined.path, "-"]) == single + single)
        let outline = try runTool("qpdf", ["--json", "--json-key=outlines", joined.path])
        #expect(outline.contains("Page 22 — Nguyễn (ψ)") && outline.contains("\"destpageposfrom1\": 22"))

        let bytes = try Data(contentsOf: part)
        let cut = try Fixture.file("cut.pdf", "", in: folder)
        try bytes.prefix(bytes.count / 2).write(to: cut)
        let text = try Fixture.file("text.pdf", "%PDF-1.5\nnot a PDF at all\n", in: folder)
        for damaged in [cut, text] {
            #expect(throws: (any Error).self) { try PDFConcatenation.join([part, damaged], outlines: titles, into: joined) }
        }
        #expect(throws: (any Error).self) { try PDFConcatenation.join([part], outlines: titles, into: joined) }
    }

    /// Pages are taken in the order asked, from any part; the pages no one asks for are left
    /// out with what only they use, and the document information is the one given.
    @Test func chosenPagesComeInTheOrderAskedAndTheOthersAreLeftOut() throws {
        let folder = try Fixture.temporaryFolder()
        let part = try Self.exampleMergedPDF(in: folder)
        let chosen = [PDFConcatenation.Page(part: 1, page: 10), PDFConcatenation.Page(part: 0, page: 0), PDFConcatenation.Page(part: 1, page: 4)]
        let joined = folder.appendingPathComponent("chosen.pdf"), whole = folder.appendingPathComponent("whole.pdf")
        #expect(try PDFConcatenation.join([part, part], pages: chosen, outlines: ["c", "a", "b"],
                                          information: [(key: "Subject", text: "3 certificates, Nguyễn")], into: joined) == 3)
        #expect(try runTool("qpdf", ["--check", joined.path]).contains("No syntax or stream encoding errors"))
        for (position, page) in chosen.enumerated() {
            let text = try runTool("pdftotext", ["-f", "\(position + 1)", "-l", "\(position + 1)", joined.path, "-"])
            #expect(text == (try runTool("pdftotext", ["-f", "\(page.page + 1)", "-l", "\(page.page + 1)", part.path, "-"])))
        }
        #expect(try mergedOutline(joined.path) == ["c → page 1", "a → page 2", "b → page 3"])
        let info = try runTool("pdfinfo", [joined.path])
        #expect(info.contains("3 certificates, Nguyễn") && info.contains("Certificates: 2018 ASCO") && info.contains("Pages:           3"))
        // Each page left out takes at least its own dictionary and content stream with it.
        #expect(try PDFConcatenation.join([part, part], outlines: (1...22).map { "\($0)" }, into: whole) == 22)
        func size(_ url: URL) throws -> Int {
            let text = String(decoding: try Data(contentsOf: url).suffix(200), as: UTF8.self)
            return Int(text.components(separatedBy: "/Size ").last?.prefix { $0.isNumber } ?? "") ?? 0
        }
        let (all, three) = (try size(whole), try size(joined))
        #expect(all - three >= 19 * 2, "\(all) objects, \(three) with 3 pages")
        // A page asked twice, a page or a part that is not there: refused.
        for pages in [[chosen[0], chosen[0]], [PDFConcatenation.Page(part: 0, page: 11)], [PDFConcatenation.Page(part: 2, page: 0)]] {
            let refused = folder.appendingPathComponent("refused.pdf")
            #expect(throws: (any Error).self) {
                try PDFConcatenation.join([part, part], pages: pages, outlines: pages.map { _ in "x" }, information: [], into: refused)
            }
        }
    }
}

import CreditIssuing
import CreditRecords
import Foundation
import Testing

/// The render pool as a server would use it: await one certificate per request, its bytes
/// handed back, drawn in this process or in drawing processes.
struct RenderPoolTests {
    static func job(_ learner: String) throws -> RenderJob {
        RenderJob(tag: 0, learner: try Fixture.learner(learner), id: "7KQ2M-XW4HD-R", stored: nil, file: nil)
    }

    static func expectDrawn(_ outcome: RenderOutcome, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .drawn(_, let drawn) = outcome else {
            Issue.record("refused: \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(drawn.bytes.starts(with: Array("%PDF-".utf8)), sourceLocation: sourceLocation)
        #expect(Hex.sha256(drawn.bytes) == drawn.sha256, sourceLocation: sourceLocation)
        #expect(drawn.material.layoutName == "physician-cme" || drawn.material.layoutName == "nursing", sourceLocation: sourceLocation)
    }

    @Test func requestsAwaitTheirOwnCertificatesFromAThreadPool() async throws {
        let activity = try Fixture.activity()
        let pool = RenderPool(thread: {
            RenderWorker(renderer: try Fixture.renderer(), activity: activity, layout: nil, creationDate: Fixture.fixedDate)
        })
        async let physician = pool.render(try Self.job("physician"))
        async let nurse = pool.render(try Self.job("nurse"))
        let (a, b) = try await (physician, nurse)
        Self.expectDrawn(a)
        Self.expectDrawn(b)
        if case .drawn(_, let one) = a, case .drawn(_, let other) = b { #expect(one.sha256 != other.sha256) }
        pool.finish()
    }

    @Test func drawingProcessesHandTheBytesBack() async throws {
        let setup = WorkerMessage.Setup(activity: Fixture.activityURL.path, layout: nil, creationDate: "2018-06-05T12:00:00Z",
                                        resources: Fixture.root.path, cache: nil, signing: nil, certify: false)
        let pool = RenderPool(processes: 2, command: [CommandLineTests.binary.path, "batch-worker"], setup: setup)
        let outcome = await pool.render(try Self.job("physician"))
        Self.expectDrawn(outcome)
        // A learner the activity cannot certify is refused with the rule's diagnostic, not dropped.
        var learner = try Fixture.learner("physician")
        learner.claims[0].amount = CreditAmount(quarters: 396)
        let refused = await pool.render(RenderJob(tag: 0, learner: learner, id: "7KQ2M-XW4HD-R", stored: nil, file: nil))
        guard case .refused(_, let diagnostics) = refused else {
            Issue.record("an over-claim was drawn")
            pool.finish()
            return
        }
        #expect(diagnostics.first?.kind == .input)
        #expect(diagnostics.first?.message.contains("more than the 38.75 designated") == true)
        pool.finish()
    }
}

/// The lines between a batch and its drawing processes, and the rows it keeps on disk for
/// the merged PDF: whatever their length or script, read back as written.
struct WorkerLineTests {
    @Test func linesOfAnyLengthAreReadAcrossReadsAndNothingElse() throws {
        let pipe = Pipe()
        let long = String(repeating: "x", count: 200_000)
        let lines = ["first", "", long, "Nguyễn Thị Minh Khai — 阮氏明開 — نجيب", "last"]
        let writer = Thread {
            let handle = pipe.fileHandleForWriting
            // In small pieces, so that lines end in the middle of reads.
            let bytes = Array(lines.joined(separator: "\n").utf8) + [0x0A] + Array("unterminated".utf8)
            for start in stride(from: 0, to: bytes.count, by: 7_919) {
                handle.write(Data(bytes[start..<min(start + 7_919, bytes.count)]))
            }
            try? handle.close()
        }
        writer.start()
        let reader = LineReader(descriptor: pipe.fileHandleForReading.fileDescriptor)
        var read: [String] = []
        while let line = reader.next() { read.append(String(decoding: line, as: UTF8.self)) }
        #expect(read == lines)
    }

    @Test func aSpooledRowIsReadBackAsWrittenAndADamagedOneIsNot() throws {
        let row = RosterRow(number: 38_000, fields: ["Nguyễn", "", "Ana \"Ann\", MD", String(repeating: "é", count: 3_000)])
        let place = MergedPages.Place(part: "/tmp/out/.merged.pdf.drawn.41.7.tmp", index: 3_999)
        let line = RowSpool.line(row, id: "7KQ2M-XW4HD-R", qr: ("CP2:0123", "11:AAEC"), page: place, outline: "Nguyễn, Ana (L-1)")
        let spooled = try #require(RowSpool.spooled(Data(line)))
        #expect(spooled.row.number == 38_000 && spooled.row.fields == row.fields && spooled.id == "7KQ2M-XW4HD-R")
        #expect(spooled.page == place && spooled.outline == "Nguyễn, Ana (L-1)")
        #expect(spooled.qrText == "CP2:0123" && spooled.qrModules?.version == 11 && spooled.qrModules?.packed == [0, 1, 2])
        let unsigned = try #require(RowSpool.spooled(Data(RowSpool.line(row, id: "7KQ2M-XW4HD-R", qr: nil))))
        #expect(unsigned.qrText == nil && unsigned.qrModules == nil && unsigned.page == nil && unsigned.row.fields == row.fields)
        for cut in [0, 3, 9, line.count / 2, line.count - 1] {
            #expect(RowSpool.spooled(Data(line[0..<cut])) == nil, "cut at \(cut)")
        }
        #expect(RowSpool.spooled(Data(line + [0])) == nil)
        #expect(RowSpool.spooled(Data([1, 0, 0, 0, 255, 255, 255, 127])) == nil)
    }
}

/// Drawing processes that die: the certificate being drawn is refused with a reason, the
/// jobs after it are drawn by the process started in its place, and nothing is lost or
/// answered twice.
struct DrawingProcessFailureTests {
    /// A drawing process that answers every job at once, and dies (without answering) on
    /// the job of a learner whose id starts with `crash`.
    static let fakeWorker = """
        import json, sys
        sys.stdin.readline()
        for line in sys.stdin:
            job = json.loads(line)
            if job["learner"]["id"].startswith("crash"):
                sys.exit(3)
            material = {"certified": False, "layoutName": "physician-cme", "layoutVersion": 2, "statementVersions": ""}
            sys.stdout.write(json.dumps({"tag": job["tag"], "sha": job["id"], "material": material}) + "\\n")
            sys.stdout.flush()
        """

    @Test func aDeadProcessCostsOnlyTheCertificateItWasDrawing() throws {
        let folder = try Fixture.temporaryFolder()
        let script = try Fixture.file("worker.py", Self.fakeWorker, in: folder)
        let setup = WorkerMessage.Setup(activity: "", layout: nil, creationDate: "", resources: "", cache: nil, signing: nil, certify: nil)
        let pool = RenderPool(processes: 1, command: ["/usr/bin/env", "python3", script.path], setup: setup)
        let learner = try Fixture.learner("physician")
        let ids = ["a", "b", "crash-1", "c", "d", "crash-2", "e", "f", "g"]
        for (tag, id) in ids.enumerated() {
            var person = learner
            person.id = id
            pool.jobs.put(RenderJob(tag: tag, learner: person, id: "ID-\(id)", stored: nil, file: nil))
        }
        // No more jobs: the pool stops once every job is answered, so a lost one is missing, not awaited.
        pool.finish()
        var outcomes: [Int: RenderOutcome] = [:]
        while let outcome = pool.outcomes.take() {
            #expect(outcomes[outcome.tag] == nil, "tag \(outcome.tag) answered twice")
            outcomes[outcome.tag] = outcome
        }
        for (tag, id) in ids.enumerated() {
            switch outcomes[tag] {
            case .drawn(_, let drawn)?:
                #expect(!id.hasPrefix("crash") && drawn.sha256 == "ID-\(id)", "\(id)")
            case .refused(_, let diagnostics)?:
                #expect(id.hasPrefix("crash"), "\(id) refused: \(diagnostics)")
                #expect(diagnostics.first?.message.contains("stopped") == true && diagnostics.first?.learnerID == id)
            case nil:
                Issue.record("no outcome for \(id)")
            }
        }
    }

    /// A drawing process that adds each page to a part named after it, and says it completed
    /// that part once its input closes; it dies on a learner whose id starts with `crash`.
    static let fakeMergingWorker = """
        import json, os, sys
        sys.stdin.readline()
        part, pages = "part-%d" % os.getpid(), 0
        for line in sys.stdin:
            job = json.loads(line)
            if job["learner"]["id"].startswith("crash"):
                sys.exit(3)
            material = {"certified": False, "layoutName": "physician-cme", "layoutVersion": 2, "statementVersions": ""}
            sys.stdout.write(json.dumps({"tag": job["tag"], "sha": job["id"], "material": material,
                                         "page": {"part": part, "index": pages}}) + "\\n")
            sys.stdout.flush()
            pages += 1
        sys.stdout.write(json.dumps({"parts": {part: pages}}) + "\\n")
        """

    /// The parts a drawing process completed are the pool's; a process that died completed
    /// none, so the pages it added are drawn again by the merged pass.
    @Test func onlyTheMergedPartsOfProcessesThatFinishedCount() throws {
        let folder = try Fixture.temporaryFolder()
        let script = try Fixture.file("worker.py", Self.fakeMergingWorker, in: folder)
        var setup = WorkerMessage.Setup(activity: "", layout: nil, creationDate: "", resources: "", cache: nil, signing: nil, certify: nil)
        setup.merged = MergedPages.Setup(folder: folder.path, partPages: 100)
        let pool = RenderPool(processes: 1, command: ["/usr/bin/env", "python3", script.path], setup: setup)
        let learner = try Fixture.learner("physician")
        let ids = ["a", "b", "crash-1", "c", "d"]
        for (tag, id) in ids.enumerated() {
            var person = learner
            person.id = id
            pool.jobs.put(RenderJob(tag: tag, learner: person, id: "ID-\(id)", stored: nil, file: nil))
        }
        pool.finish()
        var places: [String: MergedPages.Place] = [:]
        while let outcome = pool.outcomes.take() {
            if case .drawn(let tag, let drawn) = outcome { places[ids[tag]] = drawn.mergedPage }
        }
        let parts = pool.mergedParts
        #expect(parts.count == 1, "\(parts)")
        let (first, second) = (try #require(places["a"]), try #require(places["c"]))
        #expect(places["b"] == MergedPages.Place(part: first.part, index: 1) && parts[first.part] == nil)
        #expect(second.index == 0 && places["d"]?.index == 1 && parts[second.part] == 2)
        // What the batch sweeps from its folder: parts, and parts being written; nothing else.
        #expect(MergedPages.isPart(".merged.pdf.drawn.41.7.tmp") && MergedPages.isPart("..merged.pdf.drawn.41.7.tmp.41.9.tmp"))
        #expect(!MergedPages.isPart(".merged.pdf.41.7.tmp") && !MergedPages.isPart("merged.pdf") && !MergedPages.isPart(".merged.pdf.drawn.41.7"))
    }
}

import CreditIssuing
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation
import Testing
import X509

/// Faults of the machine rather than of the input: a full disk, read-only folders.
struct DiskFaultTests {
    /// A batch into a 200 KiB tmpfs (mounted in a mount namespace of its own, so the test
    /// needs no privilege of the machine): it stops with the disk named and the rows it cost,
    /// leaves no incomplete file under a final name, and once the disk is made larger the
    /// same command finishes byte-identical to a run that never met a full disk.
    @Test func aFullDiskStopsTheBatchCleanlyAndARerunFinishesIt() throws {
        let folder = try Fixture.temporaryFolder()
        let reference = folder.appendingPathComponent("reference")
        let arguments = ["batch", "--activity", Fixture.activityURL.path,
                         "--roster", Fixture.example.appendingPathComponent("roster.csv").path,
                         "--jobs", "2", "--creation-date", "2018-06-05T12:00:00Z"]
        let uninterrupted = try CommandLineTests.run(arguments + ["--out", reference.path])
        #expect(uninterrupted.status == 0, "\(uninterrupted.errors)")

        let disk = folder.appendingPathComponent("disk"), results = folder.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let command = ([CommandLineTests.binary.path] + arguments + ["--out", "\(disk.path)/out"]).map(Self.quoted).joined(separator: " ")
        let script = """
            set -u
            mount -t tmpfs -o size=200k tmpfs \(Self.quoted(disk.path)) || exit 90
            \(command) >\(Self.quoted(results.path))/first.out 2>\(Self.quoted(results.path))/first.err
            echo $? >\(Self.quoted(results.path))/first.status
            cp -a \(Self.quoted(disk.path))/out \(Self.quoted(results.path))/after-full
            mount -o remount,size=16m \(Self.quoted(disk.path)) || exit 91
            \(command) >\(Self.quoted(results.path))/second.out 2>\(Self.quoted(results.path))/second.err
            echo $? >\(Self.quoted(results.path))/second.status
            cp -a \(Self.quoted(disk.path))/out \(Self.quoted(results.path))/finished
            """
        try Self.inMountNamespace(script)

        func text(_ name: String) -> String { (try? String(contentsOf: results.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        #expect(text("first.status") == "74\n", "\(text("first.err"))")
        let message = text("first.err")
        #expect(message.contains("the disk holding \(disk.path) is full"), "\(message)")
        #expect(message.contains("no certificate yet (row"), "\(message)")
        #expect(!message.contains("Fatal error") && !message.contains("NSCocoaErrorDomain"), "\(message)")

        // Whatever has a final name after the full disk is whole: the same bytes as the
        // uninterrupted run's file; reports and the merged PDF are not there at all.
        let afterFull = results.appendingPathComponent("after-full")
        for name in ["merged.pdf", "manifest.csv", "manifest.json", "rejects.csv"] {
            #expect(!FileManager.default.fileExists(atPath: afterFull.appendingPathComponent(name).path), "\(name) is under its final name")
        }
        let kept = try FileManager.default.contentsOfDirectory(atPath: afterFull.appendingPathComponent("certificates").path)
        for name in kept where !name.hasPrefix(".") {
            let bytes = try Data(contentsOf: afterFull.appendingPathComponent("certificates/\(name)"))
            #expect(bytes == (try? Data(contentsOf: reference.appendingPathComponent("certificates/\(name)"))), "\(name) is not whole")
        }

        #expect(text("second.status") == "0\n", "\(text("second.err"))")
        let finished = results.appendingPathComponent("finished")
        for name in ["manifest.csv", "manifest.json", "rejects.csv", "batch-state.json"] {
            #expect(try Data(contentsOf: finished.appendingPathComponent(name)) == Data(contentsOf: reference.appendingPathComponent(name)), "\(name) differs")
        }
        // The merged PDF: the same pages in the same order under the same outline (its bytes
        // depend on which process drew which page).
        let merged = finished.appendingPathComponent("merged.pdf").path, whole = reference.appendingPathComponent("merged.pdf").path
        #expect(try pageCharacters(merged) == (try pageCharacters(whole)))
        #expect(try mergedOutline(merged) == (try mergedOutline(whole)) && (try mergedOutline(merged)).count == 11)
        let certificates = try FileManager.default.contentsOfDirectory(atPath: reference.appendingPathComponent("certificates").path).sorted()
        #expect(certificates.count == 11)
        #expect(try FileManager.default.contentsOfDirectory(atPath: finished.appendingPathComponent("certificates").path).sorted() == certificates)
        for name in certificates {
            #expect(try Data(contentsOf: finished.appendingPathComponent("certificates/\(name)"))
                    == Data(contentsOf: reference.appendingPathComponent("certificates/\(name)")), "\(name) differs")
        }
    }

    /// A read-only disk: `batch` and `certificate` say so, with exit status 74, not an NSError.
    @Test func aReadOnlyDiskIsNamedAsSuch() throws {
        let folder = try Fixture.temporaryFolder()
        let disk = folder.appendingPathComponent("disk"), results = folder.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let binary = Self.quoted(CommandLineTests.binary.path), out = Self.quoted(results.path)
        let script = """
            mount -t tmpfs -o size=1m tmpfs \(Self.quoted(disk.path)) && mkdir \(Self.quoted(disk.path))/existing \
                && mount -o remount,ro \(Self.quoted(disk.path)) || exit 90
            \(binary) batch --activity \(Self.quoted(Fixture.activityURL.path)) \
                --roster \(Self.quoted(Fixture.example.appendingPathComponent("roster.csv").path)) \
                --out \(Self.quoted(disk.path))/existing 2>\(out)/batch.err; echo $? >\(out)/batch.status
            \(binary) certificate --activity \(Self.quoted(Fixture.activityURL.path)) \
                --learner \(Self.quoted(Fixture.example.appendingPathComponent("learners/physician.yaml").path)) \
                --out \(Self.quoted(disk.path))/c.pdf 2>\(out)/certificate.err; echo $? >\(out)/certificate.status
            """
        try Self.inMountNamespace(script)
        func text(_ name: String) -> String { (try? String(contentsOf: results.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        for command in ["batch", "certificate"] {
            #expect(text("\(command).status") == "74\n", "\(command): \(text("\(command).err"))")
            #expect(text("\(command).err").contains("\(disk.path) is mounted read-only"), "\(command): \(text("\(command).err"))")
            #expect(!text("\(command).err").contains("NSCocoaErrorDomain"))
            #expect(!text("\(command).err").contains("run the same command again"), "\(command): \(text("\(command).err"))")
        }
    }

    /// A registry on read-only media is read, not refused: verify works from a CD.
    @Test func aRegistryOnReadOnlyMediaCanBeVerifiedAgainst() throws {
        let folder = try Fixture.temporaryFolder()
        let disk = folder.appendingPathComponent("disk"), results = folder.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let binary = Self.quoted(CommandLineTests.binary.path), out = Self.quoted(results.path), mount = Self.quoted(disk.path)
        let script = """
            mount -t tmpfs -o size=4m tmpfs \(mount) || exit 90
            \(binary) certificate --activity \(Self.quoted(Fixture.activityURL.path)) \
                --learner \(Self.quoted(Fixture.example.appendingPathComponent("learners/physician.yaml").path)) \
                --out \(mount)/c.pdf --registry \(mount)/registry.sqlite >\(out)/issue.out 2>\(out)/issue.err || exit 91
            mount -o remount,ro \(mount) || exit 92
            \(binary) verify --id "$(sed -n 's/.*certificate \\([0-9A-Z-]*\\).*/\\1/p' \(out)/issue.out)" \
                --registry \(mount)/registry.sqlite >\(out)/verify.out 2>\(out)/verify.err; echo $? >\(out)/verify.status
            """
        try Self.inMountNamespace(script)
        func text(_ name: String) -> String { (try? String(contentsOf: results.appendingPathComponent(name), encoding: .utf8)) ?? "" }
        #expect(text("verify.status") == "0\n", "\(text("verify.out")) \(text("verify.err")) \(text("issue.err"))")
        #expect(text("verify.out").contains("[ok] status: issued"), "\(text("verify.out"))")
    }

    /// Runs `script` as root of a new user and mount namespace: it may mount a tmpfs of its own.
    static func inMountNamespace(_ script: String) throws {
        let namespace = Process()
        namespace.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        namespace.arguments = ["--map-root-user", "--mount", "sh", "-c", script]
        namespace.environment = try Hermetic.environment()
        try namespace.run()
        namespace.waitUntilExit()
        #expect(namespace.terminationStatus == 0, "the mount namespace could not be set up (status \(namespace.terminationStatus))")
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// Hostile YAML: alias bombs, deep nesting, huge files are refused at once, with the line.
struct YAMLLimitTests {
    /// Nine levels of nine aliases each: 538 bytes standing for 387 million values.
    static func bomb(lastLine: String) -> String {
        var lines = ["id: X", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1...9 { lines.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]") }
        return (lines + [lastLine]).joined(separator: "\n") + "\n"
    }

    static func refusal(_ text: String) -> Problem? {
        do {
            _ = try InputDocument.parse(Data(text.utf8), name: "activity.yaml", directory: URL(fileURLWithPath: "/"))
            return nil
        } catch {
            return error.problems.first
        }
    }

    @Test func anAliasBombUsedAsAKeyIsRefusedNotComposed() throws {
        let clock = ContinuousClock()
        var problem: Problem?
        let elapsed = clock.measure { problem = Self.refusal(Self.bomb(lastLine: "? *a9\n: 1")) }
        let refused = try #require(problem)
        #expect(refused.message == "the file stands for more than 100000 values once its aliases are expanded")
        #expect(refused.line == 7)
        // A refusal from counting events, not from composing: far under the minutes of the expansion.
        #expect(elapsed < .seconds(5))
    }

    @Test func anAliasBombAsAValueIsRefusedToo() throws {
        let problem = try #require(Self.refusal(Self.bomb(lastLine: "title: *a9")))
        #expect(problem.message.hasPrefix("the file stands for more than 100000 values"))
    }

    @Test func aSmallAliasAsAKeyIsRefusedAndOrdinaryAliasesAreKept() throws {
        let key = try #require(Self.refusal("id: X\nname: &n title\n? *n\n: 1\n"))
        #expect(key.message == "a mapping key is a list, a mapping or an alias")
        #expect(key.line == 3)
        let complex = try #require(Self.refusal("id: X\n? [a, b]\n: 1\n"))
        #expect(complex.message == "a mapping key is a list, a mapping or an alias")
        #expect(Self.refusal("id: X\nprovider: &p {name: A}\njoint: *p\n") == nil)
    }

    @Test func deepNestingAndHugeFilesAreRefused() throws {
        let deep = try #require(Self.refusal("id: X\nx: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n"))
        #expect(deep.message == "the file nests lists and mappings more than 64 deep")
        let huge = try #require(Self.refusal("id: X\ntitle: " + String(repeating: "a", count: 5 << 20) + "\n"))
        #expect(huge.message == "is larger than 4.0 MiB, the most an input file may be")
    }

    /// The CLI on the 538-byte bomb: a refusal with exit status 65, not a hang.
    @Test func theCommandRefusesTheBomb() throws {
        let activity = try Fixture.file("bomb.yaml", Self.bomb(lastLine: "? *a9\n: 1"))
        let run = try CommandLineTests.run(["certificate", "--activity", activity.path,
                                            "--learner", "Examples/asco-2018/learners/physician.yaml",
                                            "--out", try Fixture.temporaryFolder().appendingPathComponent("c.pdf").path])
        #expect(run.status == 65)
        #expect(run.errors.contains("bomb.yaml:7: the file stands for more than 100000 values"), "\(run.errors)")
    }
}

/// Sizes no real input has: each a clear refusal, quick, and never echoed back.
struct SizeLimitTests {
    @Test func aHundredThousandCharacterNameIsRefusedNotPrinted() throws {
        let long = String(repeating: "W", count: 100_000)
        let problems = try InputRefusalTests.problems(learner: Fixture.learnerYAML.replacingOccurrences(of: "professional: Ada Lovelace, MD", with: "professional: \(long)"))
        let problem = try #require(problems.first)
        #expect(problem.field == "name.professional")
        #expect(problem.message == "is 100000 characters long, more than the 200 it may be")
    }

    @Test func aNameJustUnderTheLimitIsStillMeasuredAgainstTheLayout() throws {
        let name = String(repeating: "W", count: 200)
        let learner = try Fixture.file("learner.yaml", Fixture.learnerYAML.replacingOccurrences(of: "professional: Ada Lovelace, MD", with: "professional: \(name)"))
        let run = try CommandLineTests.run(["certificate", "--activity", "Examples/asco-2018/activity.yaml", "--learner", learner.path,
                                            "--out", try Fixture.temporaryFolder().appendingPathComponent("c.pdf").path])
        #expect(run.status == 1)
        #expect(run.errors.contains("block 'name' (learner L-1): the text does not fit"), "\(run.errors)")
    }

    @Test func aMegabyteFieldRefusesItsRowAloneAndIsNotEchoed() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = try Fixture.file("roster.csv", BatchTests.header
            + "L-1,Ada,Lovelace,\(String(repeating: "W", count: 1_000_000)),MD,physician,2018-06-05,10,,,,,\r\n"
            + "\(String(repeating: "9", count: 300_000)),Ada,Lovelace,\"Ada Lovelace, MD\",MD,physician,2018-06-05,10,,,,,\r\n"
            + "L-3,Grace,Hopper,\"Grace Hopper, MD\",MD,physician,2018-06-05,10,,,,,\r\n", in: folder)
        let output = folder.appendingPathComponent("out")
        let summary = try await BatchTests.run(try BatchTests.options(roster: roster, output: output, jobs: 1))
        #expect(summary.accepted == 1)
        #expect(summary.rejected == 2)
        let rejects = try String(contentsOf: output.appendingPathComponent("rejects.csv"), encoding: .utf8)
        #expect(rejects.utf8.count < 1_000, "the rejects report echoes the field")
        #expect(rejects.contains("2,L-1,,,professional_name,\"is 1000000 characters long, more than the 5000 a field may be"))
        #expect(rejects.contains("3,,\"Ada Lovelace, MD\",,id,\"is 300000 characters long"), "\(rejects.prefix(600))")
    }

    @Test func aHeaderOfThousandsOfColumnsIsRefusedOnce() throws {
        let roster = try Fixture.file("roster.csv", Array(repeating: "x", count: 10_000).joined(separator: ",") + "\n")
        do {
            _ = try RosterReader(url: roster, displayName: "roster.csv")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.problems.map(\.description) == ["roster.csv header: has 10000 columns; a roster has at most 100 — check that this is the roster CSV and that its first line is the header"])
        }
        let long = try Fixture.file("roster.csv", BatchTests.header.replacingOccurrences(of: "degrees", with: String(repeating: "d", count: 5_000)))
        do {
            _ = try RosterReader(url: long, displayName: "roster.csv")
            Issue.record("expected a refusal")
        } catch {
            #expect(error.problems.first?.message == "column 5 is not a roster column (its name is not shown: it is over 64 characters long)")
        }
    }
}

/// Two signed batches started together into one folder, recording into one registry.
struct ConcurrentBatchTests {
    @Test func oneRefusesAndEveryFileVerifiesAfterwards() async throws {
        let folder = try Fixture.temporaryFolder()
        let keys = folder.appendingPathComponent("keys"), registry = folder.appendingPathComponent("registry.sqlite")
        let made = try CommandLineTests.run(["keys", "init", "--out", keys.path, "--organization", "Example CME Provider"])
        #expect(made.status == 0, "\(made.errors)")
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator(seed: 13).write(count: 120, to: roster)
        let output = folder.appendingPathComponent("out")
        let arguments = ["batch", "--activity", Fixture.activityURL.path, "--roster", roster.path, "--out", output.path,
                         "--jobs", "2", "--signing", keys.path, "--registry", registry.path, "--no-merged"]
        let environment = try Hermetic.environment()
        var runs: [(Process, URL)] = []
        for index in 0..<2 {
            let process = Process()
            process.executableURL = CommandLineTests.binary
            process.arguments = arguments
            process.currentDirectoryURL = Fixture.root
            process.environment = environment
            let errors = folder.appendingPathComponent("errors-\(index).txt")
            _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errors)
            process.standardOutput = FileHandle.nullDevice
            runs.append((process, errors))
        }
        for (process, _) in runs { try process.run() }
        for (process, _) in runs { process.waitUntilExit() }
        let statuses = runs.map(\.0.terminationStatus)
        let messages = try runs.map { try String(contentsOf: $0.1, encoding: .utf8) }
        #expect(statuses.sorted() == [0, 65], "\(statuses) \(messages)")
        #expect(messages.contains { $0.contains("is being written by another run (process ") }, "\(messages.map { $0.prefix(600) })")

        let manifest = try String(contentsOf: output.appendingPathComponent("manifest.csv"), encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: output.appendingPathComponent("certificates").path)
        #expect(files.count == manifest.split(separator: "\n").count - 1)
        let roots = [try Certificate(pemEncoded: String(contentsOf: keys.appendingPathComponent("ca.cert.pem"), encoding: .utf8))]
        let verifier = CertificateVerifier(roots: roots, registry: try Registry.openForReading(registry), clock: SystemClock())
        var invalid: [String] = []
        for name in files {
            let bytes = Array(try Data(contentsOf: output.appendingPathComponent("certificates/\(name)")))
            let report = await verifier.verify(pdf: bytes)
            if !report.isValid { invalid.append("\(name): \(report.allChecks.filter { !$0.passed }.map(\.detail))") }
        }
        #expect(invalid.isEmpty, "\(invalid.prefix(3))")
        #expect(files.count > 100)
    }
}

/// The journal lists a certificate only once the disk holds it.
struct JournalDurabilityTests {
    @Test func certificatesAreJournalledOnlyAfterTheyAreFlushed() throws {
        let folder = try Fixture.temporaryFolder().appendingPathComponent("out")
        let state = try BatchState(folder: folder, activityHash: String(repeating: "a", count: 64), requestedDate: nil, now: Fixture.fixedDate)
        let journal = BatchState.journalFile(folder)
        for index in 0..<3 {
            try state.record(id: "ID-\(index)", input: String(repeating: "b", count: 64), sha: String(repeating: "c", count: 64))
        }
        // Recorded, not yet flushed: a power cut now must not leave them journalled.
        #expect(try Data(contentsOf: journal).isEmpty)
        try state.commit()
        let lines = try String(contentsOf: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.map { $0.split(separator: "\t").first.map(String.init) } == ["ID-0", "ID-1", "ID-2"])
    }
}

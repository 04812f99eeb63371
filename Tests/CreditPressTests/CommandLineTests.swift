import Foundation
import Testing

/// The `creditpress` command as a user runs it: exit status, messages, files.
struct CommandLineTests {
    static let binary: URL = {
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [folder, folder.deletingLastPathComponent(), folder.deletingLastPathComponent().deletingLastPathComponent()]
        return candidates.map { $0.appendingPathComponent("creditpress") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
            ?? Fixture.root.appendingPathComponent(".build/debug/creditpress")
    }()

    struct Run {
        var status: Int32
        var output: String
        var errors: String
    }

    /// Runs the command in the repository folder with a scrubbed environment: its own new
    /// HOME and cache folder unless `environment` names them, and only the variables given.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = Fixture.root
        process.environment = try Hermetic.environment(environment)
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self),
                   errors: String(decoding: err, as: UTF8.self))
    }

    @Test func writesTheCertificateAndAPreview() throws {
        let folder = try Fixture.temporaryFolder()
        let run = try Self.run(["certificate", "--activity", "Examples/asco-2018/activity.yaml",
                                "--learner", "Examples/asco-2018/learners/physician.yaml",
                                "--out", folder.appendingPathComponent("c.pdf").path,
                                "--png", folder.appendingPathComponent("c.png").path,
                                "--creation-date", "2018-06-05T12:00:00Z"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("c.pdf").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("c.png").path))
    }

    @Test func refusesAnOverClaimWithExitStatus65AndWritesNothing() throws {
        let folder = try Fixture.temporaryFolder()
        let learner = try Fixture.file("over.yaml", Fixture.learnerYAML.replacingOccurrences(of: "amount: 10", with: "amount: 40"), in: folder)
        let out = folder.appendingPathComponent("c.pdf")
        let run = try Self.run(["certificate", "--activity", "Examples/asco-2018/activity.yaml",
                                "--learner", learner.path, "--out", out.path])
        #expect(run.status == 65)
        #expect(run.errors.contains("field 'claims[0].amount' (learner L-1): claimed 40 credits, more than the 38.75 designated for ASCO-AM-2018 — claim at most 38.75 credits"))
        #expect(run.errors.contains("no certificate was written"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["over.yaml"])
    }

    @Test func refusesAnUnknownLayoutNamingTheOnesThereAre() throws {
        let run = try Self.run(["certificate", "--activity", "Examples/asco-2018/activity.yaml",
                                "--learner", "Examples/asco-2018/learners/physician.yaml",
                                "--out", "/tmp/never.pdf", "--layout", "diploma"])
        #expect(run.status == 1)
        #expect(run.errors.contains("there is no such layout; available: moc, nursing, participation, pharmacy, physician-assistant, physician-cme, physician-cme-a4"))
    }

    @Test func refusesABadCreationDateBeforeDoingAnything() throws {
        let run = try Self.run(["certificate", "--activity", "a.yaml", "--learner", "l.yaml", "--out", "x.pdf",
                                "--creation-date", "yesterday"])
        #expect(run.status != 0)
        #expect(run.errors.contains("--creation-date 'yesterday' is not an ISO 8601 date"))
    }

    @Test func aMissingCertificateIDKeyIsRefusedAndNeverMadeUnasked() throws {
        let home = try Fixture.temporaryFolder()
        let environment = ["HOME": home.path, "XDG_CONFIG_HOME": "", "CREDITPRESS_ID_KEY": ""]
        let out = home.appendingPathComponent("c.pdf")
        let refused = try Self.run(["certificate", "--activity", "Examples/asco-2018/activity.yaml",
                                    "--learner", "Examples/asco-2018/learners/physician.yaml", "--out", out.path],
                                   environment: environment)
        let key = home.appendingPathComponent(".config/creditpress/certificate-id.key")
        #expect(refused.status == 65)
        #expect(refused.errors.contains("error: \(key.path): does not exist: there is no certificate-id key here — make one once with `creditpress keys id --out \(key.path)`"))
        #expect(!FileManager.default.fileExists(atPath: key.path))
        #expect(!FileManager.default.fileExists(atPath: out.path))

        let made = try Self.run(["keys", "id"], environment: environment)
        #expect(made.status == 0, "\(made.errors)")
        #expect(FileManager.default.fileExists(atPath: key.path))
        let again = try Self.run(["keys", "id"], environment: environment)
        #expect(again.status == 65)
        #expect(again.errors.contains("exists already; a key is never replaced"))
        let issued = try Self.run(["certificate", "--activity", "Examples/asco-2018/activity.yaml",
                                   "--learner", "Examples/asco-2018/learners/physician.yaml", "--out", out.path],
                                  environment: environment)
        #expect(issued.status == 0, "\(issued.errors)")
    }
}

/// What a new user reads first: the version, and an example in every command's help.
struct HelpTests {
    @Test func theVersionIsPrinted() throws {
        let run = try CommandLineTests.run(["--version"])
        #expect(run.status == 0)
        #expect(run.output.hasPrefix("CreditPress "), "\(run.output)")
    }

    @Test(arguments: ["certificate", "batch", "transcript", "statements", "verify", "reissue", "revoke", "serve", "enrol", "sign-in-link",
                      "keys init", "keys id", "export pars", "export cpe-monitor", "export ce-broker", "export badges", "export clr"])
    func everyCommandsHelpHasAnExample(command: String) throws {
        let run = try CommandLineTests.run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(run.status == 0)
        #expect(run.output.contains("Example"), "\(command) --help has no example")
        #expect(run.output.contains("creditpress \(command)"), "\(command) --help shows no use of itself")
    }
}

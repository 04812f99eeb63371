import Crypto
import Foundation
import Testing

/// The examples' certificates, batch and transcript, unsigned with a fixed creation date,
/// come out byte for byte as the build before the core was split into modules made them
/// (`Expected/golden-sha256.txt`). A change that alters output on purpose records new
/// hashes in the same commit and says why.
@Suite(.serialized)
struct GoldenOutputTests {
    static let creationDate = "2018-06-05T12:00:00Z"

    static var expected: [String: String] {
        get throws {
            let text = try String(contentsOf: Fixture.root.appendingPathComponent("Tests/CreditPressTests/Expected/golden-sha256.txt"),
                                  encoding: .utf8)
            return Dictionary(uniqueKeysWithValues: text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
                let parts = $0.split(separator: " ", maxSplits: 1)
                return (String(parts[1]), String(parts[0]))
            })
        }
    }

    static func sha256(_ url: URL) throws -> String {
        SHA256.hash(data: try Data(contentsOf: url)).map { String(format: "%02x", $0) }.joined()
    }

    @Test func everyExampleCertificateAndTheTranscriptAreByteIdenticalToTheRecordedBuild() throws {
        let expected = try Self.expected
        let folder = try Fixture.temporaryFolder()
        // One cache folder for the whole run: the first certificate of an activity draws its
        // artwork, the later ones copy it from the cache, and both must give the same bytes.
        let environment = try Hermetic.environment()
        for activity in ["asco-2018", "qopi-2022"] {
            let learners = Fixture.root.appendingPathComponent("Examples/\(activity)/learners")
            for file in try FileManager.default.contentsOfDirectory(atPath: learners.path).sorted() {
                let name = "\(activity)-\((file as NSString).deletingPathExtension).pdf"
                let out = folder.appendingPathComponent(name)
                let run = try CommandLineTests.run(["certificate", "--activity", "Examples/\(activity)/activity.yaml",
                                                    "--learner", learners.appendingPathComponent(file).path,
                                                    "--out", out.path, "--creation-date", Self.creationDate,
                                                    "--id-key", Fixture.idKeyFile.path], environment: environment)
                #expect(run.status == 0, "\(name): \(run.errors)")
                #expect(try Self.sha256(out) == expected[name], "\(name) differs from the recorded build")
            }
        }
        let transcript = folder.appendingPathComponent("transcript.pdf")
        let run = try CommandLineTests.run(["transcript", "--learner", "Examples/transcript/learner.yaml",
                                            "--records", "Examples/transcript/records.csv", "--activities", "Examples",
                                            "--issuer", "American Society of Clinical Oncology", "--issue-date", "2023-01-15",
                                            "--out", transcript.path], environment: environment)
        #expect(run.status == 0, "\(run.errors)")
        #expect(try Self.sha256(transcript) == expected["transcript.pdf"], "the transcript differs from the recorded build")
    }

    /// The example batch, unsigned, run with `jobs` into a new folder.
    static func exampleBatch(jobs: Int) throws -> URL {
        let out = try Fixture.temporaryFolder().appendingPathComponent("batch")
        let run = try CommandLineTests.run(["batch", "--activity", "Examples/asco-2018/activity.yaml",
                                            "--roster", "Examples/asco-2018/roster.csv", "--out", out.path,
                                            "--creation-date", Self.creationDate, "--id-key", Fixture.idKeyFile.path,
                                            "--jobs", "\(jobs)"])
        #expect(run.status == 0, "\(run.errors)")
        return out
    }

    @Test func theExampleBatchIsByteIdenticalToTheRecordedBuild() throws {
        let expected = try Self.expected
        let out = try Self.exampleBatch(jobs: 2)
        let certificates = out.appendingPathComponent("certificates")
        let names = try FileManager.default.contentsOfDirectory(atPath: certificates.path).sorted()
        #expect(names.map { "batch/certificates/\($0)" } == expected.keys.filter { $0.hasPrefix("batch/certificates/") }.sorted())
        for name in names {
            #expect(try Self.sha256(certificates.appendingPathComponent(name)) == expected["batch/certificates/\(name)"], "\(name) differs")
        }
        // The merged PDF drawn in one go (one thread) is the recorded one; the one joined
        // from the drawing processes' parts holds the same pages, in the same order.
        let single = try Self.exampleBatch(jobs: 1)
        #expect(try Self.sha256(single.appendingPathComponent("merged.pdf")) == expected["batch/merged.pdf"], "merged.pdf differs")
        let (joined, whole) = (out.appendingPathComponent("merged.pdf").path, single.appendingPathComponent("merged.pdf").path)
        #expect(try pageCharacters(joined) == (try pageCharacters(whole)))
        #expect(try mergedOutline(joined) == (try mergedOutline(whole)))
    }
}

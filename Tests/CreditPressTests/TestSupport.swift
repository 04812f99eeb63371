import CreditIssuing
import CreditLayout
import CreditRecords
import Foundation
import Testing

/// Shared set-up for the tests: the repository's own templates, fonts and examples.
enum Fixture {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let resources = Resources(root: root)
    /// The world tests run in: the repository's templates and fonts, a named actor and a
    /// cache folder of the test run's own. Its clock is the system's, because the test
    /// signing identities are made now; tests of times give one of their own.
    static let environment = CreditEnvironment(
        resources: resources, clock: SystemClock(), actor: "test-staff",
        cacheFolder: FileManager.default.temporaryDirectory.appendingPathComponent("creditpress-tests-cache-\(getpid())"))
    static let example = root.appendingPathComponent("Examples/asco-2018")
    static let activityURL = example.appendingPathComponent("activity.yaml")
    /// Fonts are read-only once loaded and shared; Pango objects are made per test.
    static let fonts: FontLibrary = {
        do { return try FontLibrary(environment: environment) } catch { fatalError("\(error)") }
    }()
    static let fixedDate = Date(timeIntervalSince1970: 1_528_200_000)
    /// A certificate-id key of fixed bytes, for tests that compare ids or bytes.
    static let idKeyFile = root.appendingPathComponent("Tests/CreditPressTests/Fixtures/id.key")

    static func renderer() throws -> CertificateRenderer {
        try CertificateRenderer(environment: environment, fonts: fonts)
    }

    static func activity() throws -> Activity {
        try ActivityReader.read(activityURL)
    }

    static func learner(_ name: String) throws -> Learner {
        let folder = example.appendingPathComponent("learners")
        let file = ["yaml", "json"].map { folder.appendingPathComponent("\(name).\($0)") }
            .first { FileManager.default.fileExists(atPath: $0.path) }!
        return try LearnerReader.read(file)
    }

    /// A fresh folder for one test's files.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("creditpress-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A fresh folder holding a copy of the examples' `artwork/`, for activity files that name it.
    static func temporaryFolderWithArtwork() throws -> URL {
        let folder = try temporaryFolder()
        try FileManager.default.copyItem(at: example.appendingPathComponent("artwork"), to: folder.appendingPathComponent("artwork"))
        return folder
    }

    /// Writes `text` to `name` in a fresh folder and returns its URL.
    static func file(_ name: String, _ text: String, in folder: URL? = nil) throws -> URL {
        let url = (try folder ?? temporaryFolder()).appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// The learner record every refusal test starts from: an MD claiming 10 credits.
    static let learnerYAML = """
        id: L-1
        name:
          first: Ada
          last: Lovelace
          professional: Ada Lovelace, MD
        degrees: [MD]
        profession: physician
        claims:
          - type: ama-pra-category-1
            amount: 10
        completionDate: 2018-06-05
        """
}

/// What a test's subprocess sees of the world: nothing of the developer's or CI's own.
enum Hermetic {
    /// `PATH`, a UTF-8 locale, a new HOME and cache folder (unless `extra` names them), the
    /// fixture's certificate-id key, and `extra` (a value of "" removes the variable).
    static func environment(_ extra: [String: String] = [:]) throws -> [String: String] {
        let folder = try Fixture.temporaryFolder()
        var environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
            "LANG": "C.UTF-8",
            "HOME": folder.appendingPathComponent("home").path,
            "XDG_CACHE_HOME": folder.appendingPathComponent("cache").path,
            "XDG_CONFIG_HOME": folder.appendingPathComponent("config").path,
            "TMPDIR": FileManager.default.temporaryDirectory.path,
            "CREDITPRESS_ID_KEY": Fixture.idKeyFile.path,
        ]
        try FileManager.default.createDirectory(atPath: environment["HOME"]!, withIntermediateDirectories: true)
        environment.merge(extra) { $1 }
        return environment.filter { !$0.value.isEmpty }
    }
}

/// The first problem reported is the one expected: its file, field and exact message.
func expectFirst(_ problems: [Problem], file: String, field: String, message: String,
                 sourceLocation: SourceLocation = #_sourceLocation) throws {
    let problem = try #require(problems.first, "expected a refusal", sourceLocation: sourceLocation)
    #expect(problem.file == file, sourceLocation: sourceLocation)
    #expect(problem.field == field, sourceLocation: sourceLocation)
    #expect(problem.message == message, sourceLocation: sourceLocation)
}

/// The text of the QR code zbarimg finds in an image. Only the line that is the code's:
/// on a machine without D-Bus, zbar's image library prints its connection errors too.
func scanQR(_ image: String) throws -> String {
    let output = try runTool("zbarimg", ["-q", "--raw", image])
    return output.split(whereSeparator: \.isNewline).map(String.init)
        .first { $0.hasPrefix("http") || $0.uppercased().hasPrefix("CP1:") || $0.uppercased().hasPrefix("CP2:") } ?? output.trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Runs one of poppler's or qpdf's tools and returns what it printed.
@discardableResult
func runTool(_ name: String, _ arguments: [String], expectStatus: Int32 = 0) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    // Standard error goes to a file: a tool that fills a pipe nobody reads would hang.
    let errors = FileManager.default.temporaryDirectory.appendingPathComponent("creditpress-tool-\(UUID().uuidString).txt")
    _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errors) }
    process.standardError = try FileHandle(forWritingTo: errors)
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus == expectStatus,
            "\(name) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \((try? String(contentsOf: errors, encoding: .utf8))?.suffix(600) ?? "")")
    return String(decoding: data, as: UTF8.self)
}

extension String {
    /// Whitespace runs folded to one space, and bidi embedding marks removed, as a
    /// reader compares text pulled out of a PDF with the text that went in.
    var folded: String {
        let marks: Set<Unicode.Scalar> = ["\u{202A}", "\u{202B}", "\u{202C}", "\u{200E}", "\u{200F}"]
        let kept = String(String.UnicodeScalarView(unicodeScalars.filter { !marks.contains($0) }))
        return kept.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

import Crypto

/// Fixed keys for certificate-id tests.
enum SymmetricKeyFixture {
    static var key: SymmetricKey { SymmetricKey(data: Data(repeating: 7, count: 32)) }
    static var other: SymmetricKey { SymmetricKey(data: Data(repeating: 8, count: 32)) }
}

/// Files arriving in a folder, told by the kernel (inotify) rather than found by polling.
final class DirectoryWatch {
    private let descriptor: Int32

    init(_ folder: URL) throws {
        descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0, inotify_add_watch(descriptor, folder.path, UInt32(IN_MOVED_TO) | UInt32(IN_CLOSE_WRITE)) >= 0 else {
            throw CocoaError(.fileReadUnknown)
        }
    }

    deinit { close(descriptor) }

    /// Waits until `count` files have been moved or written into the folder, or `deadline`
    /// seconds have passed; true when they were.
    func waitForFiles(_ count: Int, deadline seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        var seen = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while seen < count {
            let left = end.timeIntervalSinceNow
            guard left > 0 else { return false }
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&request, 1, Int32(left * 1000)) > 0 else { return false }
            let length = read(descriptor, &buffer, buffer.count)
            guard length > 0 else { return false }
            var offset = 0
            while offset < length {
                let (mask, nameLength) = buffer.withUnsafeBytes { raw -> (UInt32, UInt32) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.mask, event.len)
                }
                // Certificates are moved into place under their final names (`AtomicFile`).
                if mask & UInt32(IN_MOVED_TO) != 0 { seen += 1 }
                offset += MemoryLayout<inotify_event>.size + Int(nameLength)
            }
        }
        return true
    }
}

/// Runs jobs on threads of its own rather than Swift's cooperative pool. Tests that run a
/// real server use it: other tests running at the same time block the pool's few threads
/// (one per core) while they wait for a command-line process, and a server whose handlers
/// wait behind them answers late or not at all.
final class ServerExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = ServerExecutor()
    private let queue = DispatchQueue(label: "creditpress-tests.server", qos: .userInitiated, attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// `body` and every task it starts, on the server executor.
    static func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(shared) { try await body() }
    }
}

/// A PDF's pages as `pdftotext` reads them, each page's characters sorted, without spaces
/// and directional marks: the same for two files that draw the same text on every page,
/// whichever order a reader extracts a right-to-left name in (that hangs on what else the
/// part's font subsets hold: a glyph first met elsewhere is given its text another way).
func pageCharacters(_ file: String) throws -> [String] {
    let marks = Set<Unicode.Scalar>((0x200E...0x200F).compactMap(Unicode.Scalar.init) + (0x202A...0x202E).compactMap(Unicode.Scalar.init)
                                    + (0x2066...0x2069).compactMap(Unicode.Scalar.init))
    return try runTool("pdftotext", [file, "-"]).split(separator: "\u{0C}", omittingEmptySubsequences: false).map { page in
        String(String.UnicodeScalarView(page.unicodeScalars.filter { !$0.properties.isWhitespace && !marks.contains($0) }.sorted()))
    }
}

/// A PDF's outline as `qpdf` reads it: each entry's title and the page it points at.
func mergedOutline(_ file: String) throws -> [String] {
    let json = try JSONSerialization.jsonObject(with: Data(try runTool("qpdf", ["--json", "--json-key=outlines", file]).utf8))
    let items = (json as? [String: Any])?["outlines"] as? [[String: Any]] ?? []
    return items.map { "\($0["title"] ?? "") → page \($0["destpageposfrom1"] ?? "")" }
}

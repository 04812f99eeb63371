import Foundation
import Testing

/// The pipeline's direction, as ARCHITECTURE.md draws it: each target may import only the
/// targets below it. SwiftPM lets a file import any module built before it, so the imports
/// themselves are checked here, and the package's own graph is read back from SwiftPM.
struct ModuleBoundaryTests {
    /// Every target of ours and the targets and C libraries it may import.
    static let allowed: [String: Set<String>] = [
        "CreditRecords": [],
        "CreditStatements": ["CreditRecords"],
        "CreditPDF": ["CreditRecords", "CSystemZlib"],
        "CreditLayout": ["CreditRecords", "CreditStatements", "CPangoCairo", "CQRCode"],
        "CreditRender": ["CreditRecords", "CreditPDF", "CreditLayout", "CPangoCairo"],
        "CreditRegistry": ["CreditRecords"],
        "CreditTrust": ["CreditRecords", "CreditPDF", "CreditRegistry", "CCurl"],
        "CreditIssuing": ["CreditRecords", "CreditStatements", "CreditPDF", "CreditLayout", "CreditRender",
                          "CreditRegistry", "CreditTrust", "CPangoCairo"],
        "CreditUpload": [],
        "CreditBadges": ["CreditRecords", "CreditRegistry", "CreditTrust", "CSystemZlib"],
        "CreditReporting": ["CreditRecords", "CreditRegistry"],
        "CreditService": ["CreditRecords", "CreditStatements", "CreditRender", "CreditRegistry", "CreditTrust", "CreditIssuing", "CreditUpload",
                          "CreditBadges"],
        "creditpress": ["CreditRecords", "CreditStatements", "CreditPDF", "CreditLayout", "CreditRender",
                        "CreditRegistry", "CreditTrust", "CreditIssuing", "CreditService", "CreditBadges", "CreditReporting"],
        "creditpress-fuzz": ["CreditRecords", "CreditPDF", "CreditTrust", "CreditUpload", "CreditBadges"],
    ]
    static let ours: Set<String> = Set(allowed.keys).union(["CPangoCairo", "CQRCode", "CSystemZlib", "CCurl"])

    /// The modules of ours that `file` imports.
    static func imports(of file: URL) throws -> Set<String> {
        let text = try String(contentsOf: file, encoding: .utf8)
        let names = text.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
            guard words.count >= 2, words[0] == "import" else { return nil }
            return String(words[words.count - 1].split(separator: ".")[0])
        }
        return Set(names).intersection(ours)
    }

    @Test(arguments: allowed.keys.sorted())
    func aTargetImportsOnlyTheTargetsBelowIt(target: String) throws {
        let folder = Fixture.root.appendingPathComponent("Sources/\(target)")
        let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(!files.isEmpty)
        for file in files {
            let crossing = try Self.imports(of: file).subtracting(Self.allowed[target]!).subtracting([target])
            #expect(crossing.isEmpty, "\(file.lastPathComponent) in \(target) imports \(crossing.sorted()), which it must not")
        }
    }

    /// The targets SwiftPM builds `target` from, itself included.
    static func closure(of target: String, in graph: [String: [String]]) -> Set<String> {
        var seen: Set<String> = [target], queue = [target]
        while let next = queue.popLast() {
            for dependency in graph[next] ?? [] where seen.insert(dependency).inserted { queue.append(dependency) }
        }
        return seen
    }

    @Test func thePackageGraphKeepsPangoOutOfVerificationAndCOutOfTheRecords() throws {
        // A scratch folder of its own: the running `swift test` holds the lock on .build/.
        let scratch = try Fixture.temporaryFolder()
        let output = scratch.appendingPathComponent("package.json")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", Fixture.root.path, "--scratch-path", scratch.path, "dump-package"]
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        if finished.wait(timeout: .now() + 60) == .timedOut {
            process.terminate()
            Issue.record("swift package dump-package did not finish in 60 s")
            return
        }
        #expect(process.terminationStatus == 0)
        let data = try Data(contentsOf: output)
        let package = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let targets = try #require(package["targets"] as? [[String: Any]])
        var graph: [String: [String]] = [:]
        for target in targets {
            let name = try #require(target["name"] as? String)
            let dependencies = (target["dependencies"] as? [[String: Any]] ?? []).compactMap { dependency -> String? in
                // {"byName": ["X", null]}, {"target": ["X", null]} or {"product": ["X", "package", …]}
                guard let value = dependency.values.first as? [Any], let first = value.first as? String else { return nil }
                return dependency.keys.first == "product" ? "product:\(first)" : first
            }
            graph[name] = dependencies
        }
        for (target, allowed) in Self.allowed {
            let declared = Set(graph[target] ?? []).intersection(Self.ours)
            #expect(declared.isSubset(of: allowed), "\(target) depends on \(declared.subtracting(allowed).sorted()) in Package.swift")
        }
        let verification = Self.closure(of: "CreditTrust", in: graph)
        #expect(!verification.contains("CPangoCairo") && !verification.contains("CreditLayout") && !verification.contains("CreditRender"),
                "verifying a certificate would link Pango: \(verification.sorted())")
        #expect(Self.closure(of: "CreditRecords", in: graph).intersection(["CPangoCairo", "CQRCode", "CSystemZlib", "CCurl"]).isEmpty)
    }
}

/// The library takes its world from `CreditEnvironment`: no library target reads an
/// environment variable or the clock (the live clock, `SystemClock`, aside).
struct HiddenInputTests {
    static let libraryTargets = ["CreditRecords", "CreditStatements", "CreditPDF", "CreditLayout", "CreditRender",
                                 "CreditRegistry", "CreditTrust", "CreditIssuing"]

    @Test(arguments: libraryTargets)
    func aLibraryTargetReadsNoVariableAndNoClock(target: String) throws {
        let folder = Fixture.root.appendingPathComponent("Sources/\(target)")
        let files = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        for file in files where file.lastPathComponent != "Environment.swift" {
            let code = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            for forbidden in ["ProcessInfo.processInfo.environment", "getenv(", "Date()", "NSUserName()", "NSHomeDirectory()"] {
                #expect(!code.contains(forbidden), "\(target)/\(file.lastPathComponent) uses \(forbidden)")
            }
        }
    }
}

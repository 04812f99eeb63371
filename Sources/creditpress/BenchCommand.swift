import ArgumentParser
import CreditIssuing
import CreditLayout
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation

/// `creditpress bench`: a batch over a generated roster, with the figures staff plan by.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark: generate a roster of N learners for the 2018 ASCO example and issue every certificate.",
        discussion: """
            Examples:
              creditpress bench --rows 2000
            """)

    @Option(help: "Learners in the generated roster.")
    var rows: Int = 1000

    @Option(help: "Worker threads (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .shortAndLong, help: "Folder for the roster and the runs' output (each run in a new run-… folder).")
    var out: String = "/tmp/creditpress-bench"

    @Option(help: "The activity to issue certificates for (default: the 2018 ASCO example); its artwork changes the figures.")
    var activity: String?

    @Option(help: "Also time this many cold starts of `creditpress certificate` (0 to skip).")
    var coldStarts: Int = 10

    @Flag(help: "Sign every certificate (with a test identity made in the folder) and put its QR code on it.")
    var signed = false

    @Flag(help: "Record every certificate in a registry in the folder.")
    var registry = false

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let environment = try Live.environment(resources: common.resources)
        let resources = environment.resources
        let folder = URL(fileURLWithPath: out)
        let output = try Self.freshRunFolder(in: folder)
        let roster = folder.appendingPathComponent("roster.csv")
        try RosterGenerator().write(count: rows, to: roster)
        let key = try IssuerKey.loadOrCreate(at: folder.appendingPathComponent("id.key"))
        let activity = self.activity.map { URL(fileURLWithPath: $0) }
            ?? resources.root.appendingPathComponent("Examples/asco-2018/activity.yaml")
        var options = BatchOptions(activity: activity, roster: roster, output: output,
                                   jobs: jobs, idKey: key)
        options.creationDate = Date(timeIntervalSince1970: 1_528_200_000)
        options.workerCommand = BatchCommand.workerCommand(resources: resources)
        if signed {
            let keys = output.appendingPathComponent("keys")
            // Named as the activity's provider, as a provider's own certificate would be.
            let provider = (try? ActivityReader.read(activity))?.provider.name ?? "CreditPress benchmark"
            _ = try TestAuthority.make(in: keys, organization: provider, now: Date())
            options.signingFolder = keys
            options.signing = try SigningIdentity.load(from: keys)
        }
        if registry { options.registry = try Registry.open(output.appendingPathComponent("registry.sqlite")) }
        let fonts = try FontLibrary(environment: environment)
        let before = Self.usage()
        let summary = try await BatchRunner(options: options, environment: environment, fonts: fonts).run()
        let after = Self.usage()
        report(summary, cpu: after.cpu - before.cpu, peakRSS: after.peakRSS, output: options.output)
        print("output: \(output.path)")
        if coldStarts > 0 { try timeColdStarts(resources: resources, idKey: key.file, folder: output) }
        Self.removeEarlierRuns(in: folder, keeping: output)
    }

    /// A new `run-…` folder in `folder`; earlier runs are left for `removeEarlierRuns`.
    static func freshRunFolder(in folder: URL) throws -> URL {
        let manager = FileManager.default
        do {
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("cannot create the benchmark's folder \(folder.path) (\((error as NSError).localizedDescription)); choose another with --out")
        }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let run = folder.appendingPathComponent("run-\(stamp)-\(getpid())")
        try manager.createDirectory(at: run, withIntermediateDirectories: true)
        return run
    }

    /// How much of the earlier runs' output a benchmark's folder keeps.
    static let keptRunBytes: Int64 = 5 << 30

    /// Removes the oldest earlier runs once all of them together hold more than
    /// `keptRunBytes`, after this run is measured. Not at every run: ext4 without a journal
    /// steps over each inode freed in the last one to six minutes when it creates a file, so
    /// removing one run of 2,000 certificates before another made that run's file creation
    /// cost up to 0.4 ms a file (perf: `recently_deleted` under `open`), more than signing.
    /// Removing rarely leaves most runs clear of it; the note says when one is not.
    static func removeEarlierRuns(in folder: URL, keeping current: URL) {
        let manager = FileManager.default
        let keys: [URLResourceKey] = [.contentModificationDateKey]
        let runs = ((try? manager.contentsOfDirectory(at: folder, includingPropertiesForKeys: keys)) ?? [])
            .filter { $0.lastPathComponent.hasPrefix("run-") && $0.standardizedFileURL != current.standardizedFileURL }
            .map { run in (run, (try? run.resourceValues(forKeys: Set(keys)))?.contentModificationDate ?? .distantPast, bytes(under: run)) }
            .sorted { $0.1 > $1.1 }
        var kept: Int64 = 0, removed = 0, freed: Int64 = 0
        for (run, _, size) in runs {
            kept += size
            guard kept > keptRunBytes else { continue }
            if (try? manager.removeItem(at: run)) != nil { removed += 1; freed += size }
        }
        if removed > 0 {
            print(String(format: "removed %d earlier run%@ (%.1f GiB) from %@; files are created more slowly there for the next few minutes",
                         removed, removed == 1 ? "" : "s", Double(freed) / Double(1 << 30), folder.path))
        }
    }

    /// The bytes of the regular files under `folder`.
    private static func bytes(under folder: URL) -> Int64 {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey])
        var total: Int64 = 0
        while let file = enumerator?.nextObject() as? URL {
            let values = try? file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey])
            if values?.isRegularFile == true { total += Int64(values?.fileSize ?? 0) }
        }
        return total
    }

    private func report(_ summary: BatchSummary, cpu: Double, peakRSS: Int, output: URL) {
        let certificates = output.appendingPathComponent("certificates")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: certificates.path)) ?? []
        let bytes = files.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: certificates.appendingPathComponent(name).path)[.size] as? Int) ?? 0)
        }
        let merged = (try? FileManager.default.attributesOfItem(atPath: output.appendingPathComponent("merged.pdf").path)[.size] as? Int) ?? 0
        let issued = max(summary.accepted, 1)
        print("rows: \(rows)   jobs: \(jobs)   issued: \(summary.accepted)   refused: \(summary.rejected)")
        print(String(format: "separate PDFs:   %.1f s  %.0f certificates/s", summary.drawSeconds, Double(summary.accepted) / summary.drawSeconds)
              + (summary.mergedAlongside > 0 ? " (each with its page of the merged PDF)" : ""))
        // Pages drawn with the certificates count at their drawing processes' CPU time
        // shared among the jobs (the processes run at once, each on a core of its own).
        let mergedSeconds = summary.mergeSeconds + summary.mergedAlongsideSeconds / Double(max(jobs, 1))
        print(String(format: "merged PDF:      %.1f s  %.0f pages/s  %.2f KiB/page (%d pages, %.1f MiB, ",
                     mergedSeconds, Double(summary.mergedPages) / max(mergedSeconds, 0.001),
                     Double(merged) / 1024 / Double(max(summary.mergedPages, 1)), summary.mergedPages, Double(merged) / 1048576)
              + (summary.mergedParts > 0 ? "joined from \(summary.mergedParts) parts)" : "one process)"))
        if summary.mergedAlongside > 0 {
            print(String(format: "  of which %.1f s joining the parts, and %.2f ms of a drawing process's CPU for each of the %d pages drawn with the certificates",
                         summary.mergeSeconds, summary.mergedAlongsideSeconds * 1000 / Double(summary.mergedAlongside), summary.mergedAlongside))
        }
        if let failure = summary.mergedPartsFailure { print("merged PDF not drawn in parts: \(failure)") }
        print(String(format: "end to end:      %.1f s (the whole run: roster, certificates, merged PDF, reports)", summary.seconds))
        print(String(format: "CPU per certificate: %.2f ms   peak RSS of any process: %.1f MiB   separate PDF size: %.1f KiB on average",
                     cpu * 1000 / Double(issued), Double(peakRSS) / 1024, Double(bytes) / 1024 / Double(max(files.count, 1))))
    }

    private func timeColdStarts(resources: Resources, idKey: URL, folder: URL) throws {
        var times: [Double] = []
        var failed = 0
        for index in 0..<coldStarts {
            let arguments = [Resources.executablePath, "certificate", "--resources", resources.root.path,
                             "--activity", resources.root.appendingPathComponent("Examples/asco-2018/activity.yaml").path,
                             "--learner", resources.root.appendingPathComponent("Examples/asco-2018/learners/physician.yaml").path,
                             "--id-key", idKey.path, "--out", folder.appendingPathComponent("cold-\(index).pdf").path]
            // posix_spawn and waitpid directly: Foundation's Process adds its own latency to the figure.
            var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
            defer { posix_spawn_file_actions_destroy(&actions) }
            var argv = arguments.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            var pid: pid_t = 0
            let start = Date()
            guard posix_spawn(&pid, arguments[0], &actions, nil, &argv, environ) == 0 else { continue }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            guard status == 0 else {
                failed += 1
                continue
            }
            times.append(Date().timeIntervalSince(start) * 1000)
        }
        // A start that failed is not timed: its figure would flatter the command.
        guard !times.isEmpty else {
            throw ValidationError("no cold start of `creditpress certificate` succeeded (\(failed) failed); run it by hand to see why")
        }
        if failed > 0 { print("note: \(failed) of \(coldStarts) cold starts failed and are not counted") }
        times.sort()
        print(String(format: "one certificate from a cold start: %.0f ms (median of %d; fastest %.0f ms)",
                     times[times.count / 2], times.count, times[0]))
    }

    /// CPU time of this process and its finished drawing processes, and the largest peak
    /// resident memory of any one of them (each process has its own).
    static func usage() -> (cpu: Double, peakRSS: Int) {
        var own = rusage(), children = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        getrusage(RUSAGE_CHILDREN.rawValue, &children)
        func seconds(_ usage: rusage) -> Double {
            Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1_000_000
        }
        return (seconds(own) + seconds(children), max(own.ru_maxrss, children.ru_maxrss))
    }
}

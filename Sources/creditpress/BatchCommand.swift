import ArgumentParser
import CreditIssuing
import CreditLayout
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation

/// `creditpress batch`: every certificate of a roster.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Issue a certificate for every row of a roster CSV: one PDF each, a merged PDF, a manifest and a rejects report.",
        discussion: """
            Exit status: 0 when every row was issued, 2 when some rows were refused (see rejects.csv), \
            65 when the activity or the roster's header is unusable, 74 when the output cannot be written \
            (a full disk, read-only media, permissions: the message names the disk and the rows it cost), \
            1 for any other failure. \
            Run the same command again after an interruption: finished certificates are kept unchanged.
            
            Examples:
              creditpress batch --activity Examples/asco-2018/activity.yaml --roster Examples/asco-2018/roster.csv --out issued/
              creditpress batch --activity activity.yaml --roster lms-export.csv --columns columns.yaml --date-format MM/DD/YYYY --zip --out issued/
            """)

    @Option(help: "The activity file (YAML or JSON).")
    var activity: String

    @Option(help: "The roster CSV, one row per learner (columns in the README).")
    var roster: String

    @OptionGroup var rosterReading: RosterReadingOptions

    @Flag(help: "Also write certificates.zip, every certificate of the run in one archive.")
    var zip = false

    @Option(help: "How the certificates are named in the ZIP archive: id (default: CERTIFICATE-ID.pdf) or name (\"Sarah A. Whitfield, MD (ID).pdf\", made safe for any file system).")
    var fileNames: BatchOptions.FileNames = .id


    @Option(name: .shortAndLong, help: "The output folder.")
    var out: String

    @Option(help: "A layout name or file for every certificate (default: chosen by each certificate's kind).")
    var layout: String?

    @Option(help: "Worker threads (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Page order of the merged PDF: \(BatchOptions.Order.allCases.map(\.rawValue).joined(separator: ", ")).")
    var order: String = BatchOptions.Order.lastName.rawValue

    @Option(name: .customLong("merged-parts-from"), help: ArgumentHelp("From how many pages the merged pass draws those the worker processes did not add in parts, by processes of their own (default 1000).", visibility: .hidden))
    var mergedPartsFrom: Int?

    @Option(name: .customLong("merged-part-pages"), help: ArgumentHelp("How many pages a part of the merged PDF holds at most (default 4000).", visibility: .hidden))
    var mergedPartPages: Int?

    @Flag(help: "Skip the merged PDF.")
    var noMerged = false

    @Option(help: "The certificates' creation date, ISO 8601; fixed by the first run into an output folder.")
    var creationDate: String?

    @Option(help: "The secret key certificate ids are derived with (default: $CREDITPRESS_ID_KEY, else ~/.config/creditpress/certificate-id.key, made on first use).")
    var idKey: String?

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY; none when neither is set).")
    var registry: String?

    @OptionGroup var signingOptions: SigningOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard BatchOptions.Order(rawValue: order) != nil else {
            throw ValidationError("--order must be one of: \(BatchOptions.Order.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let creationDate, CertificateCommand.parseDate(creationDate) == nil {
            throw ValidationError("--creation-date '\(creationDate)' is not an ISO 8601 date such as 2018-06-05T12:00:00Z")
        }
    }

    /// This program, started as a drawing process.
    static func workerCommand(resources: Resources) -> [String] {
        [Resources.executablePath, "batch-worker"]
    }

    func run() async throws {
        let summary = try await Failure.reporting(closing: "the run stopped; run the same command again to finish it", refusedClosing: "no certificates were issued",
                                                   storageClosing: "the run stopped") {
            let environment = try Live.environment(resources: common.resources)
            let fonts = try FontLibrary(environment: environment)
            let key = try IssuerKey.load(at: Live.idKeyLocation(explicit: idKey))
            var options = BatchOptions(activity: URL(fileURLWithPath: activity), roster: URL(fileURLWithPath: roster),
                                       output: URL(fileURLWithPath: out), jobs: jobs, idKey: key)
            options.layout = layout
            options.encoding = rosterReading.encoding
            options.zip = zip || fileNames == .name
            options.fileNames = fileNames
            options.mapping = try rosterReading.mapping()
            options.order = BatchOptions.Order(rawValue: order) ?? .lastName
            options.creationDate = creationDate.flatMap(CertificateCommand.parseDate)
            options.showProgress = true
            options.merged = !noMerged
            if let mergedPartsFrom { options.mergedPartsFrom = max(1, mergedPartsFrom) }
            if let mergedPartPages { options.mergedPartPages = max(1, mergedPartPages) }
            options.workerCommand = BatchCommand.workerCommand(resources: environment.resources)
            options.signingFolder = Live.signingFolder(explicit: signingOptions.signing)
            options.signing = try signingOptions.identity()
            options.certify = signingOptions.certify
            options.registry = try Live.registryLocation(explicit: registry).map { try Registry.open($0) }
            let runner = try BatchRunner(options: options, environment: environment, fonts: fonts)
            // Said before the run, so that a roster read the wrong way can be stopped early.
            for notice in runner.notices { FileHandle.standardError.write(Data("warning: \(notice)\n".utf8)) }
            if options.registry == nil {
                FileHandle.standardError.write(Data("warning: no registry (--registry FILE or $CREDITPRESS_REGISTRY): these certificates are recorded nowhere, so they cannot be reissued, reprinted or revoked later, nor checked against a registry; a registry given from the first run keeps them\n".utf8))
            }
            return try await runner.run()
        }
        print("\(summary.accepted) issued (\(summary.rendered) drawn now, \(summary.reused) already finished), \(summary.rejected) refused, in \(String(format: "%.1f", summary.seconds)) s")
        if let failure = summary.mergedPartsFailure {
            FileHandle.standardError.write(Data("note: the merged PDF was drawn in one process instead of in parts: \(failure)\n".utf8))
        }
        let parts = summary.mergedParts > 1 ? " (drawn in \(summary.mergedParts) parts)" : ""
        print("certificates: \(out)/certificates/   merged: \(summary.mergedPages) pages in \(out)/merged.pdf\(parts)")
        print("manifest: \(out)/manifest.csv, \(out)/manifest.json   rejects: \(out)/rejects.csv   summary: \(out)/summary.csv"
              + (zip || fileNames == .name ? "   archive: \(out)/certificates.zip" : ""))
        for (kind, count) in summary.kinds.sorted(by: { $0.key < $1.key }) { print("  \(count) \(kind)") }
        for code in summary.creditOrder {
            guard let (count, total) = summary.credits[code] else { continue }
            let amount = total == total.rounded() ? String(Int(total)) : String(total)
            print("  \(code): \(amount) in total, on \(count) certificates")
        }
        if !summary.movedAside.isEmpty {
            print("  \(summary.movedAside.count) superseded certificates moved to \(out)/superseded/")
        }
        if summary.rejected > 0 { throw ExitCode(2) }
    }
}

extension RosterEncoding: ExpressibleByArgument {}

extension BatchOptions.FileNames: ExpressibleByArgument {}

/// How a roster is read, for the commands that read one: its encoding, a column mapping
/// and the format of its dates.
struct RosterReadingOptions: ParsableArguments {
    @Option(help: "The roster's character encoding: auto (UTF-8, UTF-16 with a byte-order mark, else Windows-1252 with a warning), utf-8, windows-1252 or utf-16.")
    var encoding: RosterEncoding = .automatic

    @Option(help: "A file (YAML or JSON) mapping your roster's columns to CreditPress's, with values every row shares (see the README).")
    var columns: String?

    @Option(help: "The format of the roster's dates, for the whole column: YYYY-MM-DD (default), MM/DD/YYYY or DD/MM/YYYY.")
    var dateFormat: String?

    /// The `--columns` file, and `--date-format` over the file's.
    func mapping() throws(InputError) -> RosterMapping {
        var mapping = try columns.map { path throws(InputError) in try RosterMapping.read(URL(fileURLWithPath: path), displayName: path) } ?? RosterMapping()
        if let dateFormat {
            guard let format = RosterMapping.DateFormat.named(dateFormat) else {
                throw InputError([Problem(file: "--date-format", field: dateFormat, message: "is not a date format",
                                          hint: "use YYYY-MM-DD, MM/DD/YYYY or DD/MM/YYYY")])
            }
            mapping.dateFormat = format
        }
        return mapping
    }
}

import ArgumentParser
import CreditRecords
import CreditRegistry
import CreditReporting
import Foundation

/// `creditpress export`: reports made from the registry's records.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Report completions from the registry's records.",
        subcommands: [ExportPARSCommand.self])
}

/// `creditpress export pars`: ACCME PARS learner completions (MOC) for one activity.
struct ExportPARSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pars",
        abstract: "Write ACCME PARS learner completions (tab-delimited batch file) for an activity's MOC points.",
        discussion: """
            One record per learner, activity and board for every issued certificate with MOC points whose \
            learner consented, in the column order of ACCME's learner template, without a header. What was \
            sent is kept in the registry: the next export holds only what is new or changed (a correction is \
            a deletion, then an addition; a revoked or superseded certificate, a deletion). Records of a \
            reporting year PARS has closed (March 31 of the next year) are refused and listed; records past \
            the board's window (ABIM: 30 days) are sent and listed as late.

            Exit status: 0 when every record due was written (or none was due), 2 when some were refused \
            (listed on standard error), 65 when the activity or registry was refused, 74 when the file \
            cannot be written.
            """)

    @Option(help: "The activity file (YAML or JSON), with reporting.accmeActivityID.")
    var activity: String

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(name: .shortAndLong, help: "Where to write the file: a tab-delimited batch file (.txt), or ACCME's learner-report document (.xml).")
    var out: String

    @Option(help: "tab (the batch file) or xml (the learner-report document; needs reporting.accmeProviderID). Default: from --out's extension.")
    var format: PARSFormat?

    @Option(name: .customLong("point-type-code"), parsing: .unconditionalSingleValue,
            help: "NAME=CODE: the creditUnit written in the XML document for a board point type (unverified default: its name, e.g. \"Practice Assessment\"). Repeatable.")
    var pointTypeCodes: [String] = []

    @Option(help: "The Record Action written for an addition (ACCME's template: unverified default: Add).")
    var addAction = "Add"

    @Option(help: "The Record Action written for a deletion (unverified default: Delete).")
    var deleteAction = "Delete"

    @Flag(help: "Show what the export would hold without writing the file or recording it.")
    var dryRun = false

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let refused = try await Failure.reporting(closing: "no PARS file was written", refusedClosing: "no PARS file was written",
                                                  storageClosing: "no PARS file was written; nothing was recorded as sent") { () async throws -> Int in
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "the export")
            let boards = try BoardCatalog(file: environment.resources.boards)
            let activityRecord = try ActivityReader.read(URL(fileURLWithPath: activity), displayName: activity, boards: boards)
            let store = try SQLiteRegistry(file: location)
            var settings = PARSSettings()
            (settings.addAction, settings.deleteAction) = (addAction, deleteAction)
            let export = PARSExport(activity: activityRecord, boards: boards, settings: settings)
            let chosen = format ?? (out.lowercased().hasSuffix(".xml") ? .xml : .tab)
            let document = chosen == .xml ? try PARSDocument(activity: activityRecord, pointTypeCodes: try codes()) : nil
            // The day the export is made ($SOURCE_DATE_EPOCH fixes it, as for issue dates).
            let now = Live.issueDate(nil)
            let plan = try export.plan(records: try await store.certificates(activityID: activityRecord.id),
                                       sent: try await store.latestEntries(target: PARSExport.target),
                                       today: CivilDate.day(of: now, in: activityRecord.timeZone), file: out, at: now)
            for notice in plan.late { FileHandle.standardError.write(Data("warning: \(notice)\n".utf8)) }
            for notice in plan.refused { FileHandle.standardError.write(Data("error: \(notice)\n".utf8)) }
            guard !plan.entries.isEmpty else {
                print("nothing new to report to PARS for \(activityRecord.id)")
                return plan.refused.count
            }
            let bytes = try document.map { try $0.data(plan, createdAt: now) } ?? export.file(plan)
            guard !dryRun else {
                FileHandle.standardOutput.write(bytes)
                return plan.refused.count
            }
            let url = URL(fileURLWithPath: out)
            try AtomicFile.write(bytes, to: url, durable: true)
            do {
                try await store.record(plan.entries, target: PARSExport.target)
            } catch {
                // Sent and not recorded would send the same records twice: the file goes.
                try? FileManager.default.removeItem(at: url)
                throw error
            }
            print("wrote \(out): \(plan.adds) additions, \(plan.deletes) deletions for \(activityRecord.id)\(plan.late.isEmpty ? "" : ", \(plan.late.count) late")")
            return plan.refused.count
        }
        if refused > 0 {
            FileHandle.standardError.write(Data("\(refused) records were refused\n".utf8))
            throw ExitCode(2)
        }
    }

    /// The --point-type-code options as a map.
    func codes() throws(InputError) -> [String: String] {
        var map: [String: String] = [:]
        for option in pointTypeCodes {
            let parts = option.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw InputError([Problem(file: "--point-type-code", field: option, message: "is not NAME=CODE",
                                          hint: "for example --point-type-code \"Practice Assessment=PA\"")])
            }
            map[parts[0]] = parts[1]
        }
        return map
    }
}

/// The two forms of a PARS export.
enum PARSFormat: String, ExpressibleByArgument, CaseIterable {
    case tab, xml
}

import ArgumentParser
import CreditRecords
import CreditRegistry
import CreditService
import Foundation

/// `creditpress enrol`: staff enrol a roster's learners in an activity on the service.
struct EnrolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrol",
        abstract: "Enrol a roster's learners in an activity on the service, making their accounts.",
        discussion: """
            Each row with an email address becomes an account (unless the address has one), with the \
            row's names, degrees and profession as its Account Details; the learner then signs in with \
            an emailed link and finds the activity under My activities. Rows without an address are \
            listed and skipped. The roster has the batch's columns; only id and email are required.

            Exit status: 0 when every row was enrolled, 2 when some were skipped (listed on standard \
            error), 65 when the roster or activity was refused.
            
            Examples:
              creditpress enrol --activity Examples/asco-2018/activity.yaml Examples/asco-2018/enrolment.csv --registry registry.sqlite
            """)

    @Option(help: "The activity file (YAML or JSON) the learners are enrolled in.")
    var activity: String

    @Argument(help: "The roster (CSV).")
    var roster: String

    @OptionGroup var rosterReading: RosterReadingOptions

    @Option(help: "The service's registry, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let report = try await Failure.reporting(closing: "nobody was enrolled", refusedClosing: "nobody was enrolled") { () async throws -> RosterEnrolment.Report in
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "enrolment")
            let activityRecord = try ActivityReader.read(URL(fileURLWithPath: activity), displayName: activity,
                                                         boards: try BoardCatalog(file: environment.resources.boards))
            let reader = try RosterReader(url: URL(fileURLWithPath: roster), displayName: roster, purpose: .enrolment,
                                          encoding: rosterReading.encoding, mapping: try rosterReading.mapping())
            for notice in reader.notices { FileHandle.standardError.write(Data("warning: \(notice)\n".utf8)) }
            let store = try SQLiteRegistry(file: location)
            let report = await RosterEnrolment.importRoster(reader, activityID: activityRecord.id, store: store, at: environment.clock.now())
            print("enrolled \(report.enrolled) learners in \(activityRecord.id) (\(report.accountsMade) new accounts)")
            return report
        }
        guard !report.skipped.isEmpty else { return }
        Failure.report(report.skipped.map(\.description), closing: "\(report.skipped.count) rows were skipped; correct them and run the same command again (enrolled learners stay enrolled)")
        throw ExitCode(2)
    }
}

/// `creditpress sign-in-link`: a one-time sign-in link for a learner's account.
struct SignInLinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-in-link",
        abstract: "Print a one-time sign-in link for a learner's account (valid 15 minutes, works once).",
        discussion: """
            Examples:
              creditpress sign-in-link --email s.whitfield@example.org --registry registry.sqlite
            """)

    @Option(help: "The learner's email address.")
    var email: String

    @Option(help: "The service's registry, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(help: "The address learners reach the service at.")
    var publicURL = "http://127.0.0.1:8080"

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await Failure.reporting(closing: "no link was made") {
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "a sign-in link")
            let store = try SQLiteRegistry(file: location)
            guard let link = try await SignInLinks.make(store: store, email: email, publicURL: publicURL, at: environment.clock.now()) else {
                throw InputError([Problem(file: location.path, field: "--email", message: "no account has this address",
                                          hint: "enrol the learner with `creditpress enrol`, or let her ask for a link on the sign-in page")])
            }
            print(link)
        }
    }
}

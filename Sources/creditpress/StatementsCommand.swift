import ArgumentParser
import CreditIssuing
import CreditRecords
import CreditStatements
import Foundation

/// `creditpress statements`: every statement an activity's certificates carry, for proofreading.
struct StatementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statements",
        abstract: "Print the filled-in statements of an activity's certificates, per kind of certificate.",
        discussion: """
            Examples:
              creditpress statements --activity Examples/asco-2018/activity.yaml
            """)

    @Option(help: "The activity file (YAML or JSON).")
    var activity: String

    @Flag(help: "Print the Pango markup (<i> for italics) instead of plain text.")
    var markup = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        try Failure.reporting(closing: nil, refusedClosing: nil) {
            let renderer = try CertificateRenderer(environment: try Live.environment(resources: common.resources))
            let activity = try renderer.readActivity(URL(fileURLWithPath: self.activity), displayName: self.activity)
            let statements = try ActivityStatements(activity: activity, catalog: renderer.catalog)
            print("\(activity.id): \(activity.title)")
            print("Accreditation in force on \(activity.startDate): \(statements.accreditation.summary)")
            for entry in statements.entries {
                let statement = entry.statement
                let source: String
                if statement.template != "override" {
                    source = "\(statement.template) v\(statement.version)"
                } else if let reason = activity.prescribedOverrides[statement.role] {
                    source = "PRESCRIBED WORDING OVERRIDDEN by the activity file (reason: \(reason))"
                } else {
                    source = "the activity's own wording"
                }
                print("\n[\(entry.certificates)] \(statement.role) — \(source)")
                print(markup ? statement.markup : statement.plainText)
            }
        }
    }
}

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
            // The fine print every certificate carries, and the rest of the activity's page.
            if let disclaimer = activity.disclaimer {
                print("\n[every certificate] disclaimer — the activity file")
                print(disclaimer)
            }
            if let support = activity.supportAcknowledgement {
                print("\n[every certificate] commercial support — " + (activity.commercialSupport == nil
                    ? "made from commercialSupporters (\(activity.commercialSupporters.count))" : "the activity's own wording"))
                print(support)
            }
            if let audience = activity.targetAudience {
                print("\n[activity page] target audience")
                print(audience)
            }
            if let needs = activity.educationalNeeds {
                print("\n[activity page] educational needs")
                print(needs)
            }
            if !activity.learningObjectives.isEmpty {
                print("\n[activity page] learning objectives")
                if let introduction = activity.objectivesIntroduction { print(introduction) }
                for objective in activity.learningObjectives { print("  • \(objective)") }
            }
        }
    }
}

import ArgumentParser
import CreditRecords
import CreditRegistry
import Foundation

/// `creditpress reissue`: a corrected certificate under a new id that supersedes the old one.
struct ReissueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reissue",
        abstract: "Issue a corrected certificate (e.g. a corrected name) under a new id that supersedes an issued one.",
        discussion: """
            Examples:
              creditpress reissue --id 7KQ2M-XW4HD-R --reason \"name corrected\" --activity activity.yaml --learner learner.yaml --registry registry.sqlite --out corrected.pdf
            """)

    @Option(help: "The id of the certificate to supersede.")
    var id: String

    @Option(help: "Why it is reissued; kept in the audit trail.")
    var reason: String

    @OptionGroup var issue: IssueOptions

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await Failure.reporting(closing: "nothing was reissued") {
            guard let oldID = CertificateID.normalise(id) else {
                throw ValidationError("--id '\(id)' is not a certificate id (mistyped? the last character is a check character)")
            }
            let environment = try Live.environment(resources: common.resources)
            let (issuer, input) = try issue.prepare(environment: environment)
            let result = try await issuer.reissue(oldID, input: input, reason: reason)
            try result.write(to: URL(fileURLWithPath: issue.out))
            print("wrote \(issue.out): certificate \(result.id) supersedes \(oldID) (\(reason))")
        }
    }
}

/// `creditpress revoke`: withdraw an issued certificate, with a reason.
struct RevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revoke an issued certificate; verify then reports it as revoked, with the reason.",
        discussion: """
            Examples:
              creditpress revoke --id 7KQ2M-XW4HD-R --reason \"attendance not confirmed\" --registry registry.sqlite
            """)

    @Option(help: "The id of the certificate to revoke.")
    var id: String

    @Option(help: "Why it is revoked; kept in the audit trail and shown by verify.")
    var reason: String

    @Option(help: "The registry of issued certificates (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    func run() async throws {
        try await Failure.reporting(closing: "nothing was revoked") {
            guard let normalised = CertificateID.normalise(id) else {
                throw ValidationError("--id '\(id)' is not a certificate id (mistyped? the last character is a check character)")
            }
            guard let file = Live.registryLocation(explicit: registry) else {
                throw ValidationError("name the registry with --registry FILE or $CREDITPRESS_REGISTRY")
            }
            try await Registry.open(file).revoke(id: normalised, reason: reason, actor: Live.actor, at: SystemClock().now())
            print("revoked \(normalised): \(reason)")
        }
    }
}

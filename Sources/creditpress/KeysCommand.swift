import ArgumentParser
import CreditRecords
import CreditTrust
import Foundation

/// `creditpress keys`: signing identities.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the keys certificates are signed with.",
        discussion: """
            Examples:
              creditpress keys init --out keys/
            """,
        subcommands: [Init.self, ID.self])

    /// `creditpress keys init`: a test CA and a signing certificate issued by it.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Make a TEST certificate authority and a document-signing certificate, to try signing and verification.",
            discussion: """
                Writes ca.key.pem, ca.cert.pem, signing.key.pem, signing.cert.pem, chain.pem, and badge.key.pem with badge.cert.pem (RSA, for RS256 Open Badges) into the folder, \
                and certificate-id.key (the secret certificate ids are derived with) unless it is there already. \
                Pass the folder as --signing to certificate and batch, and ca.cert.pem as --trust to verify. \
                Readers such as Acrobat will not trust these certificates: for that a provider needs a \
                certificate from a CA on the Adobe Approved Trust List (see the README).
                
                Examples:
                  creditpress keys init --out keys/ --organization \"Example CME Provider\"
                """)

        @Option(name: .shortAndLong, help: "The folder to write the keys to (made if missing; an existing signing key is never replaced).")
        var out: String

        @Option(help: "The provider's name, written into the certificates: give it as the activities do (provider.name), and the QR codes leave it out as the signing certificate's.")
        var organization: String = "CreditPress test provider"

        func run() throws {
            let made = try Failure.reporting(closing: "no keys were made") {
                let folder = URL(fileURLWithPath: out)
                let made = try TestAuthority.make(in: folder, organization: organization, now: SystemClock().now())
                let idKey = folder.appendingPathComponent("certificate-id.key")
                if !FileManager.default.fileExists(atPath: idKey.path) { _ = try IssuerKey.create(at: idKey) }
                return made
            }
            print("wrote a TEST signing identity to \(made.folder.path)/")
            print("  signing certificate: \(made.signer.subject)")
            print("  issued by:           \(made.root.subject)")
            print("  certificate-id key:  \(made.folder.path)/certificate-id.key")
            print("sign with --signing \(made.folder.path) --id-key \(made.folder.path)/certificate-id.key; verify with --trust \(made.folder.path)/\(TestAuthority.rootFile)")
        }
    }

    /// `creditpress keys id`: the provider's secret for certificate ids.
    struct ID: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "id",
            abstract: "Make the secret key certificate ids are derived with (once per provider; back it up).",
            discussion: """
                The same activity, learner and key always give the same certificate id; a new key gives every \
                learner a new id. No command makes this key by itself: a missing key is an error.
                Example: creditpress keys id --out ~/.config/creditpress/certificate-id.key
                """)

        @Option(name: .shortAndLong, help: "Where to write the key (default: $CREDITPRESS_ID_KEY, else ~/.config/creditpress/certificate-id.key); an existing key is never replaced.")
        var out: String?

        func run() throws {
            let file = Live.idKeyLocation(explicit: out)
            _ = try Failure.reporting(closing: "no key was made") { try IssuerKey.create(at: file) }
            print("wrote a new certificate-id key to \(file.path) (readable by you only); back it up and use it for every run")
        }
    }
}

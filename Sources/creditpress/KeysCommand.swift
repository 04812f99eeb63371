import ArgumentParser
import CreditTrust
import Foundation

/// `creditpress keys`: signing identities.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the keys certificates are signed with.",
        subcommands: [Init.self])

    /// `creditpress keys init`: a test CA and a signing certificate issued by it.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Make a TEST certificate authority and a document-signing certificate, to try signing and verification.",
            discussion: """
                Writes ca.key.pem, ca.cert.pem, signing.key.pem, signing.cert.pem and chain.pem into the folder. \
                Pass the folder as --signing to certificate and batch, and ca.cert.pem as --trust to verify. \
                Readers such as Acrobat will not trust these certificates: for that a provider needs a \
                certificate from a CA on the Adobe Approved Trust List (see the README).
                """)

        @Option(name: .shortAndLong, help: "The folder to write the keys to (made if missing; an existing signing key is never replaced).")
        var out: String

        @Option(help: "The provider's name, written into the certificates.")
        var organization: String = "CreditPress test provider"

        func run() throws {
            let made = try Failure.reporting(closing: "no keys were made") {
                try TestAuthority.make(in: URL(fileURLWithPath: out), organization: organization)
            }
            print("wrote a TEST signing identity to \(made.folder.path)/")
            print("  signing certificate: \(made.signer.subject)")
            print("  issued by:           \(made.root.subject)")
            print("sign with --signing \(made.folder.path); verify with --trust \(made.folder.path)/\(TestAuthority.rootFile)")
        }
    }
}

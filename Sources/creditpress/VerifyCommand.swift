import ArgumentParser
import CreditPress
import Foundation
import X509

/// `creditpress verify`: is this certificate genuine, unaltered and still valid?
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a certificate PDF's signature, the signed data in its QR code, and its status in the registry.",
        discussion: """
            Exit status: 0 when every check passed (VALID), 2 when any failed (NOT VALID), \
            65 when the file cannot be read as a CreditPress PDF.
            """)

    @Argument(help: "The certificate PDF.")
    var file: String

    @Option(help: "A PEM file of trusted root certificates (repeatable; default: $CREDITPRESS_TRUST).")
    var trust: [String] = []

    func run() throws {
        let report = try Failure.reporting(closing: "nothing was verified") { () throws -> SignatureReport in
            let roots = try trustedRoots()
            let url = URL(fileURLWithPath: file)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw InputError([Problem(file: file, field: "", message: "cannot be read")])
            }
            return SignatureVerifier(roots: roots).verify(Array(data))
        }
        print("\(file): \(report.isValid ? "VALID" : "NOT VALID")")
        if let signer = report.signer { print("  signed by:    \(signer)") }
        if let time = report.signingTime { print("  signing time: \(time) (claimed by the signer)") }
        if let timestamp = report.timestamp {
            print("  time-stamp:   \(ISO8601DateFormatter().string(from: timestamp)) by \(report.timestampAuthority ?? "?")")
        }
        if report.signer != nil { print("  level:        \(report.level)\(report.certified ? ", certification (DocMDP P=2)" : "")") }
        for check in report.checks {
            print("  [\(check.passed ? "ok" : "FAILED")] \(check.name): \(check.detail)")
        }
        if !report.isValid { throw ExitCode(2) }
    }

    private func trustedRoots() throws -> [Certificate] {
        var files = trust
        if files.isEmpty, let environment = ProcessInfo.processInfo.environment["CREDITPRESS_TRUST"], !environment.isEmpty {
            files = environment.split(separator: ":").map(String.init)
        }
        return try files.flatMap { try SigningIdentity.readCertificates(URL(fileURLWithPath: $0)) }
    }
}

import ArgumentParser
import CreditBadges
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation
import X509

/// `creditpress verify`: is this certificate genuine, unaltered and still valid?
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a certificate: its PDF signature, the signed details in its QR code, and its status in the registry.",
        discussion: """
            Give the PDF (or its Open Badge, a .jwt file), or --qr with the text a phone read from the QR \
            code, or --id with the id printed on it. The verdict is VALID (every check passed), NOT VALID \
            (a check failed: altered, not issued by a trusted signer, revoked, superseded), or CANNOT \
            CONFIRM (nothing failed, but something to check against was not given: a trusted root, the \
            provider's signing certificate, or the registry; the verdict names what). Without a registry a \
            VALID certificate is valid as issued: whether it was revoked since is not known.

            Exit status: 0 VALID, 2 NOT VALID, 3 CANNOT CONFIRM, 65 when the input cannot be read \
            (not a PDF or a badge, or unreadable).

            Examples:
              creditpress verify certificate.pdf --trust keys/ca.cert.pem --registry registry.sqlite
              creditpress verify --qr 'https://cme.example.org/verify#CP1:…' --signer-certificate keys/signing.cert.pem
              creditpress verify --id 70H7D-B0P4Y-9 --registry registry.sqlite
            """)

    @Argument(help: "The certificate PDF, or its Open Badge (a .jwt file from `export badges` or the learner's page).")
    var file: String?

    @Option(help: "The text of a certificate's QR code (the address with its #CP1:… part, or the CP1:… part alone).")
    var qr: String?

    @Option(help: "A certificate id, to look up in the registry.")
    var id: String?

    @Option(help: "A PEM file of trusted root certificates (repeatable; default: $CREDITPRESS_TRUST, several separated by ':').")
    var trust: [String] = []

    @Option(help: "A PEM file of the provider's signing certificates, for --qr (default: signing.cert.pem and qr.cert.pem in $CREDITPRESS_SIGNING).")
    var signerCertificate: [String] = []

    @Option(help: "The registry of issued certificates (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    func validate() throws {
        guard [file != nil, qr != nil, id != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give one of: a PDF file, --qr TEXT, --id ID")
        }
    }

    func run() async throws {
        let report = try await Failure.reporting(closing: "nothing was verified") { () async throws -> VerificationReport in
            let verifier = CertificateVerifier(roots: try certificates(trust, environment: "CREDITPRESS_TRUST"),
                                               signers: try signers(),
                                               registry: try Live.registryLocation(explicit: registry).map { try Registry.openForReading($0) },
                                               clock: SystemClock())
            if let file {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw InputError([Problem(file: file, field: "", message: "cannot be read")])
                }
                if BadgeVerifier.looksLikeToken(data) {
                    // An Open Badge (VC-JWT) rather than a PDF.
                    return await BadgeVerifier(roots: verifier.roots, registry: verifier.registry, clock: SystemClock())
                        .verify(token: String(decoding: data, as: UTF8.self)).report
                }
                // A PDF starts with its header within its first kilobyte; anything else is not one.
                guard data.prefix(1024).range(of: Data("%PDF-".utf8)) != nil else {
                    throw InputError([Problem(file: file, field: "", message: "is not a PDF, nor an Open Badge (.jwt): there is nothing to verify in it",
                                              hint: "give the certificate's PDF as it was received")])
                }
                return await verifier.verify(pdf: Array(data))
            }
            if let qr { return await verifier.verify(qr: qr) }
            return await verifier.verify(id: id ?? "")
        }
        await print(report, subject: file ?? qr.map { _ in "QR code" } ?? "certificate \(id ?? "")")
        switch report.verdict {
        case .valid: return
        case .notValid: throw ExitCode(2)
        case .cannotConfirm: throw ExitCode(3)
        }
    }

    private func print(_ report: VerificationReport, subject: String) async {
        // Without the registry, VALID is about the document as issued: say so on the verdict's line.
        switch report.verdict {
        case .valid:
            let unchecked = report.statusChecked ? "" : " (as issued; revocation not checked: no registry given)"
            Swift.print("\(subject): VALID\(unchecked)")
        case .notValid:
            Swift.print("\(subject): NOT VALID")
        case .cannotConfirm(let missing):
            Swift.print("\(subject): CANNOT CONFIRM — nothing failed, but this was not given to check against: \(missing.joined(separator: "; "))")
        }
        func line(_ label: String, _ value: String?) {
            if let value, !value.isEmpty { Swift.print("  \(label.padding(toLength: 16, withPad: " ", startingAt: 0)) \(value)") }
        }
        if let signature = report.signature, let signer = signature.signer {
            line("signed by", signer)
            line("signing time", signature.signingTime.map { "\($0) (as the signer's clock said)" })
            line("time-stamp", signature.timestamp.map { "\(ISO8601DateFormatter().string(from: $0)) by \(signature.timestampAuthority ?? "?")" })
            line("level", signature.level + (signature.certified ? ", certification signature (DocMDP P=2)" : ""))
        }
        if let payload = report.payload {
            line("certificate", payload.certificateID)
            line("issued by", payload.issuer)
            line("learner", payload.learnerName)
            line("activity", "\(payload.activityID) \(payload.activityTitle)")
            line("credits", payload.credits.map { "\($0.amount) \($0.type)" }.joined(separator: ", "))
            line("completed", payload.completionDate)
            line("issued", payload.issueDate)
            line("verification", payload.verificationURL.map { "\($0) (the QR code's address, signed)" })
        }
        if let record = report.record {
            if report.payload == nil {
                line("certificate", record.id)
                line("learner", "\(record.learnerName) (\(record.learnerID))")
                line("activity", record.activityID)
                line("credits", record.credits)
                line("issued", ISO8601DateFormatter().string(from: record.issuedAt))
            }
            line("status", record.status.rawValue + (record.statusReason.map { ": \($0)" } ?? ""))
            line("superseded by", record.supersededBy)
            line("supersedes", record.supersedes)
        }
        for check in report.allChecks {
            Swift.print("  [\(check.passed ? "ok" : "FAILED")] \(check.name): \(check.detail)")
        }
        if let record = report.record, let trail = try? await verifierRegistry()?.audit(id: record.id), !trail.isEmpty {
            Swift.print("  audit trail:")
            for entry in trail {
                Swift.print("    \(ISO8601DateFormatter().string(from: entry.at))  \(entry.action)  by \(entry.actor)\(entry.reason.map { ": \($0)" } ?? "")")
            }
        }
    }

    private func verifierRegistry() throws -> (any CertificateRegistry)? {
        try Live.registryLocation(explicit: registry).map { try Registry.openForReading($0) }
    }

    private func signers() throws -> [Certificate] {
        var files = signerCertificate
        if files.isEmpty, let folder = Live.signingFolder(explicit: nil) {
            files = [SigningIdentity.certificateFile, SigningIdentity.payloadCertificateFile]
                .map { folder.appendingPathComponent($0).path }
                .filter { FileManager.default.fileExists(atPath: $0) }
        }
        return try certificates(files, environment: nil)
    }

    private func certificates(_ given: [String], environment: String?) throws -> [Certificate] {
        var files = given
        if files.isEmpty, let environment, let value = Live.variable(environment) {
            files = value.split(separator: ":").map(String.init)
        }
        return try files.flatMap { try SigningIdentity.readCertificates(URL(fileURLWithPath: $0)) }
    }
}

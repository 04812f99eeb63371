import ArgumentParser
import CreditBadges
import CreditRecords
import CreditRegistry
import CreditService
import CreditTrust
import Foundation
import Hummingbird
import Logging
import X509

/// `creditpress serve`: the web service, on the registry's database.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the web service: verification pages and API for anyone holding a certificate.",
        discussion: """
            Serves / (check a certificate by file, id or QR code), /verify (the QR code's address), \
            /verify/ID, and the JSON API under /api/v1. Stop it with Ctrl-C.
            
            Examples:
              creditpress serve --registry registry.sqlite --trust keys/ca.cert.pem --signing keys --activities Examples --outbox outbox/
              scripts/serve.sh   (the examples, ready to try)
            """)

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY).")
    var registry: String?

    @Option(help: "A PEM file of trusted root certificates, repeatable (default: $CREDITPRESS_TRUST, colon-separated).")
    var trust: [String] = []

    @Option(help: "The signing folder whose certificates QR payloads are checked with (default: $CREDITPRESS_SIGNING).")
    var signing: String?

    @Option(help: "Verifications one address may ask for per minute; 0 for no limit (a load test from one machine).")
    var verificationsPerMinute = 600

    @Option(help: "The address learners reach the service at, for the links it mails (default: http://HOST:PORT).")
    var publicURL: String?

    @Option(help: "How Open Badges are signed: RS256 (default when the signing folder has an RSA key) or ES256.")
    var badgeAlgorithm: BadgeSigner.Algorithm?

    @Option(help: "Development: write outgoing mail into this folder as .eml files and log sign-in links.")
    var outbox: String?

    @Option(help: "Production: the SMTP server mail is sent through (default: $CREDITPRESS_SMTP_HOST; sent with msmtp).")
    var smtpHost: String?

    @Option(help: "The SMTP server's port (default: 587 with starttls, 465 with tls, 25 with none).")
    var smtpPort: Int?

    @Option(help: "How the connection is secured: starttls, tls or none.")
    var smtpSecurity = "starttls"

    @Option(help: "The SMTP user name; the password is read from $CREDITPRESS_SMTP_PASSWORD, never from a flag.")
    var smtpUser: String?

    @Option(help: "The sender of the service's mail, e.g. \"CME Office <cme@example.org>\" (default: $CREDITPRESS_MAIL_FROM).")
    var mailFrom: String?

    @Option(help: "A reverse proxy's address whose X-Forwarded-For names the client, for rate limits (repeatable).")
    var trustedProxy: [String] = []

    @Option(help: "Activity files, or folders holding them, that learners enrol in and claim for (repeatable).")
    var activities: [String] = []

    @Option(help: "The secret key certificate ids are derived with (default: $CREDITPRESS_ID_KEY, else ~/.config/creditpress/certificate-id.key); needed to issue.")
    var idKey: String?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        var logger = Logger(label: "creditpress")
        logger.logLevel = Live.variable("CREDITPRESS_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
        let service = try await Failure.reporting(closing: "the service did not start") { () async throws -> Service in
            let environment = try Live.environment(resources: common.resources)
            let location = try Live.requiredRegistry(explicit: registry, needs: "the service")
            let configuration = ServiceConfiguration(
                host: host, port: port, registry: location, trustRoots: try Self.certificates(trust, variable: "CREDITPRESS_TRUST"),
                signers: try Self.signers(signing), resources: environment.resources,
                verificationsPerMinute: verificationsPerMinute > 0 ? verificationsPerMinute : Int.max,
                publicURL: publicURL, outboxFolder: outbox.map { URL(fileURLWithPath: $0) })
            var setUp = configuration
            setUp.smtp = try smtpSettings()
            setUp.trustedProxies = Set(trustedProxy)
            setUp.activityFiles = try Live.activityFiles(activities, option: "--activities")
            if !setUp.activityFiles.isEmpty {
                // Learners claim here: certificates are issued with the provider's id key, and signed
                // when the signing folder holds a key.
                setUp.idKey = try IssuerKey.load(at: Live.idKeyLocation(explicit: idKey))
                if let folder = Live.signingFolder(explicit: signing),
                   FileManager.default.fileExists(atPath: folder.appendingPathComponent(SigningIdentity.keyFile).path) {
                    setUp.signing = try SigningIdentity.load(from: folder)
                    setUp.badgeAlgorithm = badgeAlgorithm
                }
            }
            return try await Service(configuration: setUp, environment: environment, registry: try SQLiteRegistry(file: location),
                                     logger: logger)
        }
        let issuing = service.configuration.idKey == nil ? "verification only: no activities given"
            : "\(service.configuration.activityFiles.count) activities, certificates \(service.configuration.signing == nil ? "unsigned" : "signed")"
        let mail = service.configuration.outboxFolder.map { "mail into \($0.path)" }
            ?? service.configuration.smtp.map { "mail through \($0.host):\($0.port)" } ?? "no mail: sign-in links only with `creditpress sign-in-link`"
        print("CreditPress is serving on http://\(host):\(port)/ (registry \(service.configuration.registry.path); \(issuing); \(mail))")
        fflush(nil)  // the address, at once, also when standard output is a pipe
        try await buildApplication(service, logger: logger).runService()
    }

    /// The SMTP settings, when a server is named.
    func smtpSettings() throws -> SMTPSettings? {
        guard let host = smtpHost ?? Live.variable("CREDITPRESS_SMTP_HOST") else { return nil }
        guard let security = SMTPSettings.Security(rawValue: smtpSecurity) else {
            throw ValidationError("--smtp-security '\(smtpSecurity)' is not one of: starttls, tls, none")
        }
        guard let from = mailFrom ?? Live.variable("CREDITPRESS_MAIL_FROM"), from.contains("@") else {
            throw ValidationError("sending mail needs the sender's address: give --mail-from \"CME Office <cme@example.org>\"")
        }
        let password = Live.variable("CREDITPRESS_SMTP_PASSWORD")
        if smtpUser != nil, password == nil {
            throw ValidationError("--smtp-user is given but $CREDITPRESS_SMTP_PASSWORD is not set")
        }
        let port = smtpPort ?? [SMTPSettings.Security.starttls: 587, .tls: 465, SMTPSettings.Security.none: 25][security]!
        return SMTPSettings(host: host, port: port, security: security, user: smtpUser, password: password, from: from)
    }

    static func certificates(_ given: [String], variable: String) throws -> [Certificate] {
        var files = given
        if files.isEmpty, let value = Live.variable(variable) { files = value.split(separator: ":").map(String.init) }
        return try files.flatMap { try SigningIdentity.readCertificates(URL(fileURLWithPath: $0)) }
    }

    static func signers(_ explicit: String?) throws -> [Certificate] {
        guard let folder = Live.signingFolder(explicit: explicit) else { return [] }
        return try [SigningIdentity.certificateFile, SigningIdentity.payloadCertificateFile]
            .map { folder.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
            .flatMap { try SigningIdentity.readCertificates($0) }
    }
}

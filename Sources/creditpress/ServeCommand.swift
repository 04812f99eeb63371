import ArgumentParser
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

    @Option(help: "Development: write outgoing mail into this folder as .eml files and log sign-in links.")
    var outbox: String?

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
            guard let location = Live.registryLocation(explicit: registry) else {
                throw InputError([Problem(file: "", field: "--registry", message: "the service needs the registry of issued certificates",
                                          hint: "give --registry FILE or set CREDITPRESS_REGISTRY")])
            }
            let configuration = ServiceConfiguration(
                host: host, port: port, registry: location, trustRoots: try Self.certificates(trust, variable: "CREDITPRESS_TRUST"),
                signers: try Self.signers(signing), resources: environment.resources,
                verificationsPerMinute: verificationsPerMinute > 0 ? verificationsPerMinute : Int.max,
                publicURL: publicURL, outboxFolder: outbox.map { URL(fileURLWithPath: $0) })
            var setUp = configuration
            setUp.activityFiles = try Live.activityFiles(activities, option: "--activities")
            if !setUp.activityFiles.isEmpty {
                // Learners claim here: certificates are issued with the provider's id key, and signed
                // when the signing folder holds a key.
                setUp.idKey = try IssuerKey.load(at: Live.idKeyLocation(explicit: idKey))
                if let folder = Live.signingFolder(explicit: signing),
                   FileManager.default.fileExists(atPath: folder.appendingPathComponent(SigningIdentity.keyFile).path) {
                    setUp.signing = try SigningIdentity.load(from: folder)
                }
            }
            return try await Service(configuration: setUp, environment: environment, registry: try SQLiteRegistry(file: location),
                                     logger: logger)
        }
        let issuing = service.configuration.idKey == nil ? "verification only: no activities given"
            : "\(service.configuration.activityFiles.count) activities, certificates \(service.configuration.signing == nil ? "unsigned" : "signed")"
        print("CreditPress is serving on http://\(host):\(port)/ (registry \(service.configuration.registry.path); \(issuing))")
        try await buildApplication(service, logger: logger).runService()
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

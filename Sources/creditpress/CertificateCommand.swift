import ArgumentParser
import CreditIssuing
import CreditRecords
import CreditRegistry
import CreditRender
import Foundation

/// What every command that issues one certificate is given.
struct IssueOptions: ParsableArguments {
    @Option(help: "The activity file (YAML or JSON).")
    var activity: String

    @Option(help: "The learner record (YAML or JSON).")
    var learner: String

    @Option(name: .shortAndLong, help: "Where to write the PDF.")
    var out: String

    @Option(help: "A layout name from Templates/certificates/ or a layout file (default: chosen by the certificate's kind).")
    var layout: String?

    @Option(help: "The certificate's issue date, ISO 8601 (e.g. 2018-06-05T12:00:00Z); fixes an unsigned PDF byte for byte. Default: $SOURCE_DATE_EPOCH, else now.")
    var creationDate: String?

    @Option(help: "The secret key certificate ids are derived with (default: $CREDITPRESS_ID_KEY, else ~/.config/creditpress/certificate-id.key); make one with `creditpress keys id`.")
    var idKey: String?

    @Option(help: "The registry of issued certificates, an SQLite file (default: $CREDITPRESS_REGISTRY; none when neither is set).")
    var registry: String?

    @OptionGroup var signingOptions: SigningOptions

    func validate() throws {
        if let creationDate, CertificateCommand.parseDate(creationDate) == nil {
            throw ValidationError("--creation-date '\(creationDate)' is not an ISO 8601 date such as 2018-06-05T12:00:00Z")
        }
        guard out.lowercased().hasSuffix(".pdf") else {
            throw ValidationError("--out must name a .pdf file")
        }
    }

    /// The issuer and the input, read and checked.
    func prepare(environment: CreditEnvironment) throws -> (CertificateIssuer, IssueInput) {
        let renderer = try CertificateRenderer(environment: environment)
        let activityURL = URL(fileURLWithPath: activity), learnerURL = URL(fileURLWithPath: learner)
        let activityRecord = try renderer.readActivity(activityURL, displayName: activity)
        let learnerRecord = try LearnerReader.read(learnerURL, displayName: learner)
        let key = try IssuerKey.load(at: Live.idKeyLocation(explicit: idKey))
        let registry = try Live.registryLocation(explicit: self.registry).map { try Registry.open($0) }
        let issuer = CertificateIssuer(renderer: renderer, idKey: key, signing: try signingOptions.identity(), registry: registry)
        issuer.certify = signingOptions.certify
        let input = IssueInput(
            activity: activityRecord, activityText: try String(contentsOf: activityURL, encoding: .utf8),
            learner: learnerRecord, learnerText: try String(contentsOf: learnerURL, encoding: .utf8),
            layoutName: layout, creationDate: Live.issueDate(creationDate.flatMap(CertificateCommand.parseDate)))
        return (issuer, input)
    }
}

/// `creditpress certificate`: one learner's certificate for one activity.
struct CertificateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "Render one learner's certificate for one activity as a PDF.",
        discussion: """
            With --signing the PDF is signed (PAdES) and carries a QR code with the signed details. \
            With --registry the certificate is recorded; asked again, an issued certificate comes out \
            byte for byte the same, or is refused if its data or templates changed (see reissue).

            Exit status: 0 when the certificate was written, 65 when the input was refused, 74 when \
            the PDF cannot be written (a full disk, read-only media, permissions), 1 for any other failure.
            
            Examples:
              creditpress certificate --activity Examples/asco-2018/activity.yaml --learner Examples/asco-2018/learners/physician.yaml --out certificate.pdf --png preview.png
              creditpress certificate --activity activity.yaml --learner learner.yaml --signing keys --registry registry.sqlite --out certificate.pdf
            """)

    @OptionGroup var issue: IssueOptions

    @Option(help: "Also write a PNG preview of the page here.")
    var png: String?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        try await Failure.reporting(closing: "no certificate was written", refusedClosing: "no certificate was written") {
            let (issuer, input) = try issue.prepare(environment: try Live.environment(resources: common.resources))
            let result = try await issuer.issue(input)
            try result.write(to: URL(fileURLWithPath: issue.out))
            issuer.renderer.rememberFontsUsed()
            if let png {
                do {
                    try PNGWriter.write(result.certificate.page, to: URL(fileURLWithPath: png))
                } catch {
                    // The certificate itself is complete; say so rather than "no certificate was written".
                    Failure.report(["\(error)"], closing: "the certificate \(issue.out) was written; its preview was not")
                    throw ExitCode(1)
                }
            }
            let state = issuer.signing == nil ? "unsigned" : "signed"
            let recorded = result.reproduced ? ", already issued: reproduced unchanged" : issuer.registry == nil ? "" : ", recorded"
            print("wrote \(issue.out) (\(result.certificate.request.kind.rawValue), learner \(input.learner.id), certificate \(result.id), \(state)\(recorded))")
        }
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }

}

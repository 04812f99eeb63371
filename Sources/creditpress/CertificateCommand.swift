import ArgumentParser
import CreditPress
import Foundation

/// `creditpress certificate`: one learner's certificate for one activity.
struct CertificateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certificate",
        abstract: "Render one learner's certificate for one activity as a PDF.")

    @Option(help: "The activity file (YAML or JSON).")
    var activity: String

    @Option(help: "The learner record (YAML or JSON).")
    var learner: String

    @Option(name: .shortAndLong, help: "Where to write the PDF.")
    var out: String

    @Option(help: "Also write a PNG preview of the page here.")
    var png: String?

    @Option(help: "A layout name from Templates/certificates/ or a layout file (default: chosen by the certificate's kind).")
    var layout: String?

    @Option(help: "The PDF's creation date, ISO 8601 (e.g. 2018-06-05T12:00:00Z); fixes the output byte for byte. Default: $SOURCE_DATE_EPOCH, else now.")
    var creationDate: String?

    @Option(help: "The secret key certificate ids are derived with (default: $CREDITPRESS_ID_KEY, else ~/.config/creditpress/certificate-id.key, made on first use).")
    var idKey: String?

    @OptionGroup var signingOptions: SigningOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let creationDate, Self.parseDate(creationDate) == nil {
            throw ValidationError("--creation-date '\(creationDate)' is not an ISO 8601 date such as 2018-06-05T12:00:00Z")
        }
        guard out.lowercased().hasSuffix(".pdf") else {
            throw ValidationError("--out must name a .pdf file")
        }
    }

    func run() throws {
        try Failure.reporting(closing: "no certificate was written", refusedClosing: "no certificate was written") {
            let resources = try Resources.locate(explicit: common.resources)
            let renderer = try CertificateRenderer(resources: resources)
            let activity = try renderer.readActivity(URL(fileURLWithPath: self.activity), displayName: self.activity)
            let learner = try LearnerReader.read(URL(fileURLWithPath: self.learner), displayName: self.learner)
            let identity = try signingOptions.identity()
            let key = try IssuerKey.loadOrCreate(at: IssuerKey.defaultLocation(explicit: idKey), announce: true)
            let id = CertificateID.make(activity: activity.id, learner: learner.id, key: key.key)
            let certificate = try renderer.prepare(activity: activity, learner: learner, layoutName: layout,
                                                   creationDate: creationDate.flatMap(Self.parseDate) ?? Self.defaultDate(),
                                                   issue: IssueDetails(certificateID: id, signing: identity))
            try renderer.writePDF(certificate, to: URL(fileURLWithPath: out), signing: identity, certify: signingOptions.certify)
            if let png {
                do {
                    try PNGWriter.write(certificate.page, to: URL(fileURLWithPath: png))
                } catch {
                    // The certificate itself is complete; say so rather than "no certificate was written".
                    Failure.report(["\(error)"], closing: "the certificate \(out) was written; its preview was not")
                    throw ExitCode(1)
                }
            }
            print("wrote \(out) (\(certificate.request.kind.rawValue), learner \(learner.id), certificate \(id), \(identity == nil ? "unsigned" : "signed"))")
        }
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)
    }

    static func defaultDate() -> Date {
        if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let seconds = TimeInterval(epoch) {
            return Date(timeIntervalSince1970: seconds)
        }
        return Date()
    }
}

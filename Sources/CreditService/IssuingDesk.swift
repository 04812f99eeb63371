import CreditIssuing
import CreditRecords
import CreditRegistry
import CreditRender
import CreditStatements
import CreditTrust
import Foundation

/// Where the service issues: the core's own issuing path (`CertificateIssuer`), with the
/// registry, the certificate-id key and, when one is configured, the signing identity.
/// The renderer holds Pango objects, which one thread at a time may use: the actor makes
/// claims take turns at drawing. Each issued file is kept in the database, so that every
/// download is the very bytes first issued.
actor IssuingDesk {
    private let issuer: CertificateIssuer
    private let store: any ServiceStore
    let signing: SigningIdentity?

    init(environment: CreditEnvironment, idKey: IssuerKey, signing: SigningIdentity?,
         registry: any CertificateRegistry & ServiceStore) throws {
        let renderer = try CertificateRenderer(environment: environment)
        issuer = CertificateIssuer(renderer: renderer, idKey: idKey, signing: signing, registry: registry)
        store = registry
        self.signing = signing
    }

    var boards: BoardCatalog { issuer.renderer.boards }

    /// The activity's accreditation page as the service shows it: every statement its
    /// certificates can carry, with a heading each, filled in from the catalog, as HTML.
    func accreditationPage(_ activity: Activity) -> [(heading: String, text: String)] {
        guard let catalog = try? issuer.renderer.catalog, let statements = try? ActivityStatements(activity: activity, catalog: catalog) else {
            return []
        }
        return statements.entries.map { entry in
            (AccreditationHeadings.heading(entry.statement.role, certificates: entry.certificates),
             AccreditationHeadings.html(entry.statement.markup))
        }
    }

    /// Issues the certificate the learner document claims (or gives back the one issued
    /// before): the learner record is read and checked exactly as a learner file is.
    func issue(_ entry: ActivityCatalog.Entry, learnerDocument: Data, at time: Date) async throws -> Issued {
        let learner = try LearnerReader.read(learnerDocument, displayName: "your claim")
        let activity = try issuer.renderer.readActivity(Data(entry.text.utf8), displayName: entry.file.path,
                                                        directory: entry.file.deletingLastPathComponent())
        let input = IssueInput(activity: activity, activityText: entry.text, learner: learner,
                               learnerText: String(decoding: learnerDocument, as: UTF8.self), creationDate: time)
        let result = try await issuer.issue(input)
        try await store.keepFile(certificateID: result.id, pdf: result.bytes)
        return Issued(id: result.id, reproduced: result.reproduced)
    }

    /// The file of a certificate issued elsewhere (by `creditpress certificate` or a batch,
    /// into the same registry), drawn again from its recorded input, checked against the
    /// recorded digest, and kept: nil when it cannot be reproduced exactly.
    func reproduce(_ record: IssuedRecord, entry: ActivityCatalog.Entry, registry: any CertificateRegistry) async throws -> [UInt8]? {
        guard let activityText = try await registry.input(sha256: record.activitySHA256),
              let learner = try? LearnerReader.read(Data(record.learnerInput.utf8), displayName: "registry") else { return nil }
        let activity = try issuer.renderer.readActivity(Data(activityText.utf8), displayName: entry.file.path,
                                                        directory: entry.file.deletingLastPathComponent())
        let input = IssueInput(activity: activity, activityText: activityText, learner: learner, learnerText: record.learnerInput,
                               layoutName: record.layoutName, creationDate: record.issuedAt)
        guard let result = try? await issuer.issue(input), result.id == record.id, Hex.sha256(result.bytes) == record.pdfSHA256 else {
            return nil
        }
        try await store.keepFile(certificateID: record.id, pdf: result.bytes)
        return result.bytes
    }

    /// What a claim gave: the certificate's id, and whether it was issued before.
    struct Issued: Sendable {
        let id: String
        let reproduced: Bool
    }

    /// The learner's transcript PDF for the period: her issued certificates' credit.
    func transcript(learner: Learner, records: [CompletionRecord], from: CivilDate?, to: CivilDate?,
                    issueDate: CivilDate, signedAt: Date, folder: URL) throws -> [UInt8] {
        let renderer = issuer.renderer
        let transcript = Transcript(learner: learner, records: records, from: from, to: to, issuer: nil, issueDate: issueDate)
        let spec = try TranscriptLayout.read(renderer.resources.transcriptLayouts.appendingPathComponent("transcript.yaml"),
                                             fonts: renderer.fonts)
        let metadata = PDFMetadata(
            title: "Continuing education transcript: \(learner.professionalName), \(transcript.periodText)",
            author: transcript.issuer, subject: "\(transcript.rows.count) completed activities",
            keywords: ["learner \(learner.id)", "transcript layout v\(spec.version)"], creationDate: signedAt)
        let file = folder.appendingPathComponent("transcript-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try TranscriptWriter(layout: spec, engine: renderer.layouter.engine)
            .write(transcript, to: file, metadata: metadata, signing: signing, signedAt: signedAt)
        return Array(try Data(contentsOf: file))
    }
}

/// The headings an accreditation page gives its statements (as the 2018 ASCO page does).
enum AccreditationHeadings {
    /// A statement's Pango markup as HTML: its italics and bold kept (`AMA PRA Category 1
    /// Credits` is italic by rule), every other tag dropped. Its text is escaped already
    /// (the statement filler escapes every value), and Pango's entities are HTML's too.
    static func html(_ markup: String) -> String {
        markup.replacing(/<(\/?)([a-zA-Z]+)[^>]*>/) { match in
            switch match.2.lowercased() {
            case "i": return "<\(match.1)em>"
            case "b": return "<\(match.1)strong>"
            default: return ""
            }
        }
    }

    static func heading(_ role: String, certificates: String) -> String {
        switch role {
        case "accreditation": return "Accreditation statement"
        case "designation": return "AMA credit designation statement — physicians"
        case "ancc": return "ANCC credit designation statement — nurses"
        case "acpe": return certificates.contains("technicians") ? "ACPE credit designation statement — pharmacy technicians" : "ACPE credit designation statement — pharmacists"
        case "aapa": return "AAPA credit designation statement — PAs"
        case "aapaAcceptance": return "AAPA/NCCPA credit designation statement — PAs"
        case "ipce": return "IPCE credit designation statement"
        case "moc": return "Maintenance of Certification"
        case "participationDesignation": return "Certificates of participation"
        default: return role
        }
    }
}


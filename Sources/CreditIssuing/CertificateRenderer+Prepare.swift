import CPangoCairo
import CreditLayout
import CreditPDF
import CreditRecords
import CreditRegistry
import CreditRender
import CreditStatements
import CreditTrust
import Foundation

/// A certificate laid out and ready to write: the page, its metadata and what it was made from.
public struct PreparedCertificate {
    public let request: CertificateRequest
    public let layout: LayoutSpec
    public let page: PageFrame
    public let metadata: PDFMetadata
    public let statementVersions: [String: Int]
    /// The certificate id and, when signed, what the QR code carries.
    public let certificateID: String?
    public let qrText: String?
    public let payload: VerificationPayload?

    /// The QR code's modules as placed on the page.
    public var qrMatrix: QRMatrix? {
        for item in page.items { if case .qr(let placed) = item { return placed.matrix } }
        return nil
    }
}

/// What makes a certificate an issued one: its id and, to prove it, the provider's signing
/// identity (which also seals the QR code's payload).
public struct IssueDetails: Sendable {
    public var certificateID: String
    public var signing: SigningIdentity?
    /// The QR text recorded at issue, to reproduce the issued file (ES256 signatures differ each time).
    public var storedQR: String?
    /// That text's modules as drawn then (`QRMatrix.packed`), when at hand: the merged PDF's
    /// pass draws them without encoding the text again.
    public var storedMatrix: (version: Int, packed: [UInt8])?
    /// The statement versions recorded at issue: a reproduction fills the statements whose
    /// text changed since from their archived versions.
    public var storedStatementVersions: [String: Int]?

    public init(certificateID: String, signing: SigningIdentity?, storedQR: String? = nil) {
        self.certificateID = certificateID
        self.signing = signing
        self.storedQR = storedQR
    }
}

/// Preparing a certificate: the claim check, the statements and the layout.
extension CertificateRenderer {
    /// Checks the claim, fills the statements and lays out the page. `creationDate` is the
    /// moment of issue: the claim time for learners whose record gives none.
    public func prepare(activity: Activity, learner: Learner, layoutName: String? = nil,
                        creationDate: Date, issue: IssueDetails? = nil) throws -> PreparedCertificate {
        state.lock()
        defer { state.unlock() }
        return try prepareSerialized(activity: activity, learner: learner, layoutName: layoutName, creationDate: creationDate, issue: issue)
    }

    private func prepareSerialized(activity: Activity, learner: Learner, layoutName: String?,
                                   creationDate: Date, issue: IssueDetails?) throws -> PreparedCertificate {
        let request = try CertificateRequest.check(activity: activity, learner: learner, claimTime: creationDate)
        try checkCoverage(learner)
        let spec = try layout(named: layoutName ?? request.kind.defaultLayout)
        if let kind = spec.kind, kind != request.kind {
            throw LayoutError(file: spec.file, block: nil,
                              message: "is a \(kind.rawValue) layout, but this learner's certificate is \(request.kind.rawValue); choose a \(request.kind.rawValue) layout",
                              learnerID: learner.id)
        }
        var content: CertificateContent
        if let pinned = issue?.storedStatementVersions, let current = try? catalog, let archived = current.pinned(pinned), archived.versions != current.versions {
            // Drawn again as issued, with statements whose text has changed since: their
            // earlier versions, and no cache shared with certificates issued now.
            content = try CertificateContent.build(for: request, catalog: archived, cache: nil)
        } else {
            content = try CertificateContent.build(for: request, catalog: catalog, cache: statements)
        }
        var qr: (text: String, matrix: QRMatrix, payload: VerificationPayload)?
        if let issue {
            var certificateValues = content.values["certificate"] as? [String: Any] ?? [:]
            certificateValues["id"] = issue.certificateID
            content.values["certificate"] = certificateValues
            if let stored = issue.storedQR, spec.qr != nil {
                let matrix = try issue.storedMatrix.flatMap { QRMatrix(version: $0.version, packed: $0.packed) } ?? QRMatrix.encodeSealed(stored)
                qr = (stored, matrix, payload(request, id: issue.certificateID, issued: creationDate))
            } else if let signing = issue.signing, let slot = spec.qr {
                // Modules wide enough for a soft, skewed scan when the payload allows (a
                // shorter title in it if need be), else the smallest code that holds it.
                let preferred = QRMatrix.preferredVersion(inBox: slot.size)
                do {
                    qr = try payload(request, id: issue.certificateID, issued: creationDate)
                        .sealed(identity: signing, verificationURL: activity.provider.verificationURL,
                                versionLimits: preferred < QRMatrix.maximumVersion ? [preferred, QRMatrix.maximumVersion] : [QRMatrix.maximumVersion],
                                estimate: QRMatrix.estimatedVersion(bytes:digits:),
                                encode: { text, limit throws(QRError) in try QRMatrix.encodeSealed(text, maximumVersion: limit) })
                } catch let error as QRError {
                    throw LayoutError(file: spec.file, block: "qr", message: "\(error); shorten the name as printed", learnerID: learner.id)
                }
            }
        }
        var images: [String: URL] = [:]
        images["logo"] = activity.logo
        images["signature"] = activity.signatory?.signatureImage
        let page: PageFrame
        let layouter = try self.layouter
        do throws(LayoutError) {
            page = try layouter.layout(spec, values: content.values, imageSources: images, qr: qr?.matrix)
        } catch {
            var error = error
            error.learnerID = learner.id
            throw error
        }
        return PreparedCertificate(request: request, layout: spec, page: page,
                                   metadata: metadata(request, spec: spec, content: content, date: creationDate, id: issue?.certificateID),
                                   statementVersions: content.statementVersions,
                                   certificateID: issue?.certificateID, qrText: qr?.text, payload: qr?.payload)
    }

    /// The facts the QR code carries, as printed.
    private func payload(_ request: CertificateRequest, id: String, issued: Date) -> VerificationPayload {
        VerificationPayload(
            certificateID: id, issuer: request.activity.provider.name, learnerName: request.learner.professionalName,
            activityID: request.activity.id, activityTitle: request.activity.title,
            credits: request.learner.claims.map { .init(type: $0.code, amount: "\($0.amount)") },
            completionDate: request.learner.completionDate.description,
            issueDate: ISODate.string(issued).prefix(10).description)
    }

    /// Refuses a learner whose printed name has characters no bundled font can draw.
    private func checkCoverage(_ learner: Learner) throws(InputError) {
        let missing = fonts.missingCharacters(in: learner.professionalName)
        guard !missing.isEmpty else { return }
        throw InputError([Problem(
            file: learner.sourceFile, field: "name.professional", learnerID: learner.id,
            message: "the name has characters no bundled font can draw: \(FontLibrary.describe(missing))",
            hint: "check the name for stray symbols, or add a font that covers them to Fonts/")])
    }

    private func metadata(_ request: CertificateRequest, spec: LayoutSpec, content: CertificateContent,
                          date: Date, id: String?) -> PDFMetadata {
        let claim = request.mainClaim
        let kind = request.kind.title
        let versions = content.statementVersions.sorted { $0.key < $1.key }.map { key, version in
            guard key.hasPrefix("override:") else { return "\(key) v\(version)" }
            let role = String(key.dropFirst("override:".count))
            // The activity's own wording, and why prescribed wording was replaced.
            return request.activity.prescribedOverrides[role].map { "\(role) prescribed wording overridden (\($0))" }
                ?? "\(role) activity wording"
        }
        return PDFMetadata(
            title: "\(kind): \(request.activity.title) — \(request.learner.professionalName)",
            author: request.activity.provider.name,
            subject: "\(kind), \(claim.amount) \(claim.type.unit(for: claim.amount)) (\(claim.type.displayName)), completed \(request.learner.completionDate)",
            keywords: (id.map { ["certificate \($0)"] } ?? []) + ["activity \(request.activity.id)", "learner \(request.learner.id)", "layout \(spec.name) v\(spec.version)"] + versions,
            creationDate: date)
    }
}

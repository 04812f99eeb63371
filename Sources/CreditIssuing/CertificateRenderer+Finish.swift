import CPangoCairo
import CreditLayout
import CreditPDF
import CreditRecords
import CreditRegistry
import CreditRender
import CreditStatements
import CreditTrust
import Foundation

/// A certificate's finished PDF and, when signed, what reproduces its signature.
public struct FinishedPDF: Sendable {
    public let bytes: [UInt8]
    public var signature: StoredSignature?

    public init(bytes: [UInt8], signature: StoredSignature? = nil) {
        self.bytes = bytes
        self.signature = signature
    }
}

/// An issued signature: the CMS, the room `/Contents` had for it, and its `/M`.
public struct StoredSignature: Sendable {
    public var cms: [UInt8]
    public var room: Int
    public var signedAt: Date
    public var certified: Bool

    public init(cms: [UInt8], room: Int, signedAt: Date, certified: Bool) {
        self.cms = cms
        self.room = room
        self.signedAt = signedAt
        self.certified = certified
    }
}

/// Finishing a prepared certificate: the PDF, its prepared forms and, when asked, its signature.
extension CertificateRenderer {
    /// Writes a prepared certificate as a PDF, atomically: signed when `signing` is given,
    /// with its language and figures' alternative text either way.
    public func writePDF(_ certificate: PreparedCertificate, to url: URL, signing: SigningIdentity? = nil,
                         certify: Bool = false) throws {
        let finished = try finishedPDF(certificate, signing: signing, certify: certify)
        try AtomicFile.write(Data(finished.bytes), to: url, durable: true)
    }

    /// The certificate's final PDF. `stored`, when given, is the signature recorded at issue,
    /// which reproduces the issued file exactly.
    ///
    /// The signing time (`/M`) is now, not the certificate's issue date: a reader checks the
    /// signing certificate's validity at that time.
    public func finishedPDF(_ certificate: PreparedCertificate, signing: SigningIdentity?,
                            stored: StoredSignature? = nil, certify: Bool = false) throws -> FinishedPDF {
        do {
            return try finishedPDF(certificate, preparedForms: true, signing: signing, stored: stored, certify: certify)
        } catch is FormPlacementError {
            // Cairo's file was not as the placement expects: draw everything in place instead.
            return try finishedPDF(certificate, preparedForms: false, signing: signing, stored: stored, certify: certify)
        }
    }

    /// The final PDF, with images and activity-wide paragraphs copied in as prepared forms,
    /// or, without `preparedForms`, all drawn by Cairo in place.
    package func finishedPDF(_ certificate: PreparedCertificate, preparedForms: Bool, signing: SigningIdentity?,
                     stored: StoredSignature?, certify: Bool) throws -> FinishedPDF {
        // The forms first: a page whose drawings could not be prepared before is not drawn twice.
        let forms = preparedForms ? try self.forms(for: certificate.page) : []
        let drawn = try PDFWriter.data([certificate.page], metadata: certificate.metadata, omittingPrepared: preparedForms)
        let accessibility = PDFAccessibility(figureAlternatives: certificate.page.figureAlternatives)
        let info = certificate.qrText.map { [PDFSigner.payloadKey: $0] } ?? [:]
        guard signing != nil || stored != nil else {
            return FinishedPDF(bytes: try PDFSigner.finish(Array(drawn), forms: forms, accessibility: accessibility,
                                                           info: info, signing: nil))
        }
        let time = stored?.signedAt ?? environment.clock.now()
        var options = PDFSignatureOptions(time: time, certify: stored?.certified ?? certify,
                                          reason: "Issued by \(certificate.request.activity.provider.name)")
        options.capacity = stored?.room ?? signing.map(PDFSignatureOptions.capacity(for:)) ?? PDFSignatureOptions.defaultCapacity(timestamped: false)
        var made: [UInt8] = []
        let bytes = try PDFSigner.finish(Array(drawn), forms: forms, accessibility: accessibility, info: info,
                                         signing: (options, { digest in
            if let stored { return stored.cms }
            guard let signing else { throw PDFStructureError("no signing identity") }
            made = try CMSSignature.sign(digest: digest, identity: signing)
            return made
        }))
        return FinishedPDF(bytes: bytes, signature: StoredSignature(cms: stored?.cms ?? made, room: options.capacity,
                                                                   signedAt: time, certified: options.certify))
    }

    /// The prepared forms for what `page`, drawn omitting them, leaves out, and where
    /// each goes.
    package func forms(for page: PageFrame) throws(FormPlacementError) -> [PreparedForm.Placement] {
        let items = page.preparedItems
        let forms = try preparedDrawings.forms(for: items)
        return zip(forms, items).map { PreparedForm.Placement(form: $0, matrix: $1.matrix) }
    }
}

extension CertificateRenderer {
    /// Draws and finishes the certificate of `learner` under `id`: the one drawing step of
    /// every issuing path (single, batch, reissue, the service). With `stored`, the issued
    /// file is reproduced from the registry's record (its date, QR text and signature).
    package func draw(activity: Activity, learner: Learner, layoutName: String?, creationDate: Date, id: String,
                      stored: IssuedRecord?, signing: SigningIdentity?, certify: Bool) throws -> (PreparedCertificate, DrawnCertificate) {
        let layoutName = stored.map { issuedLayout($0, requested: layoutName) } ?? layoutName
        var issueDetails = IssueDetails(certificateID: id, signing: signing, storedQR: stored?.qrText)
        issueDetails.storedStatementVersions = stored.flatMap { record in
            (try? JSONSerialization.jsonObject(with: Data(record.statementVersions.utf8))) as? [String: Int]
        }
        let certificate = try prepare(activity: activity, learner: learner, layoutName: layoutName,
                                      creationDate: stored?.issuedAt ?? creationDate,
                                      issue: issueDetails)
        let storedSignature = stored?.storedSignature
        // A reproduction signs with the recorded signature or not at all, as it was issued.
        let finished = try finishedPDF(certificate, signing: stored == nil ? signing : nil, stored: storedSignature, certify: certify)
        let material = IssueMaterial(
            qr: certificate.qrText, qrModules: certificate.qrMatrix.map { "\($0.version):" + Data($0.packed).base64EncodedString() },
            signature: finished.signature.map { Data($0.cms).base64EncodedString() },
            signatureRoom: finished.signature?.room, signedAt: finished.signature?.signedAt,
            certified: finished.signature?.certified ?? false,
            layoutName: certificate.layout.name, layoutVersion: certificate.layout.version,
            statementVersions: CertificateIssuer.json(certificate.statementVersions))
        return (certificate, DrawnCertificate(bytes: finished.bytes, sha256: Hex.sha256(finished.bytes), material: material))
    }
}

extension CertificateRenderer {
    /// The layout an issued certificate was drawn with: the one asked for while its version
    /// is the record's, else the bundled layout's earlier version, kept in
    /// `Templates/certificates/archive/vN/` when a bundled design changes, so that a
    /// certificate issued before an upgrade is still reproduced byte for byte.
    func issuedLayout(_ record: IssuedRecord, requested: String?) -> String? {
        let name = requested ?? record.layoutName
        if let current = try? layout(named: name), current.version == record.layoutVersion { return requested }
        let archived = resources.certificateLayouts.appendingPathComponent("archive/v\(record.layoutVersion)/\(record.layoutName).yaml")
        return FileManager.default.fileExists(atPath: archived.path) ? archived.path : requested
    }
}


import CreditBadges
import CreditPDF
import CreditRecords
import CreditTrust
import CreditUpload
import Foundation
import X509

/// What the fuzz harness feeds untrusted bytes to: the readers and checkers that take
/// bytes from outside — a PDF to verify, a QR text, a roster, an activity, a learner, an
/// upload form, and a badge, CLR or status list (VC-JWT) to verify.
/// Each returns normally for any input: a refusal is an answer, a trap or a hang is a bug.
enum FuzzTarget: String, CaseIterable {
    case pdf, qr, roster, activity, learner, upload, badge

    /// The boundary of the upload seeds: the harness reads the input as a form body with it.
    static let boundary = "CreditPressFuzzBoundary"

    /// The provider certificate QR texts in the seed corpus were signed with, so that
    /// mutations reach the payload's signature check and what follows it.
    static let signers: [Certificate] = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Tests/Fuzz/signing.cert.pem").standardizedFileURL
        guard let text = try? String(contentsOf: file, encoding: .utf8), let certificate = try? Certificate(pemEncoded: text) else { return [] }
        return [certificate]
    }()

    static let clock = FixedClock(Date(timeIntervalSince1970: 1_800_000_000))

    func run(_ data: Data) {
        switch self {
        case .upload:
            // The service's upload page: the form's file, then the same checks as a PDF.
            if case .success(let file) = UploadForm.file("pdf", in: Array(data),
                                                         contentType: "multipart/form-data; boundary=\(Self.boundary)", limit: 1 << 20) {
                FuzzTarget.pdf.run(Data(file))
            }
        case .pdf:
            let bytes = Array(data)
            _ = SignatureVerifier(roots: Self.signers, clock: Self.clock).verify(bytes)
            // The parts of CertificateVerifier that read the file, without its async registry step.
            if let index = try? PDFIndex(bytes), let info = index.info, let text = try? index.object(info),
               let payload = PDFDictionary.string(PDFSigner.payloadKey, in: text) {
                _ = VerificationPayload.open(payload, signers: Self.signers)
            }
        case .qr:
            _ = VerificationPayload.open(String(decoding: data, as: UTF8.self), signers: Self.signers)
        case .roster:
            guard let reader = try? RosterReader(data: data, displayName: "roster.csv") else { return }
            var rows = 0
            while let row = reader.next(), rows < 10_000 {
                _ = reader.learner(from: row)
                rows += 1
            }
        case .activity:
            _ = try? ActivityReader.read(data, displayName: "activity.yaml", directory: URL(fileURLWithPath: "/nonexistent"))
        case .learner:
            _ = try? LearnerReader.read(data, displayName: "learner.yaml")
        case .badge:
            // verify on a .jwt file: the token's signature, claims and chain (no registry);
            // and an encodedList as a status list would hold it.
            let text = String(decoding: data, as: UTF8.self)
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                _ = await BadgeVerifier(roots: Self.signers, registry: nil, clock: Self.clock).verify(token: text)
                done.signal()
            }
            done.wait()
            _ = StatusList.decode(text)
        }
    }
}

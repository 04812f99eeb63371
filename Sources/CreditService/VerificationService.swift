import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation
import Synchronization
import X509

/// Verification as the service does it: `CertificateVerifier` against the registry, with
/// the activity's printed details read from the registry's copy of the activity file.
final class VerificationService: Sendable {
    let verifier: CertificateVerifier
    let registry: any CertificateRegistry
    /// Activities by the SHA-256 of their file: a few per provider, read once.
    private let activities = Mutex<[String: Activity]>([:])

    init(registry: any CertificateRegistry, trustRoots: [Certificate], signers: [Certificate], clock: any CreditClock) {
        self.registry = registry
        verifier = CertificateVerifier(roots: trustRoots, signers: signers, registry: registry, clock: clock)
    }

    func view(id: String) async -> VerificationView {
        await view(await verifier.verify(id: id))
    }

    func view(qr text: String) async -> VerificationView {
        await view(await verifier.verify(qr: text))
    }

    func view(pdf bytes: [UInt8]) async -> VerificationView {
        await view(await verifier.verify(pdf: bytes))
    }

    private func view(_ report: VerificationReport) async -> VerificationView {
        guard let record = report.record else { return VerificationView(report, activity: nil, revokedAt: nil) }
        let activity = await activity(sha256: record.activitySHA256)
        var revokedAt: Date?
        if record.status == .revoked {
            revokedAt = (try? await registry.audit(id: record.id))?.last { $0.action == "revoke" }?.at
        }
        return VerificationView(report, activity: activity, revokedAt: revokedAt)
    }

    private func activity(sha256: String) async -> Activity? {
        if let known = activities.withLock({ $0[sha256] }) { return known }
        guard let text = try? await registry.input(sha256: sha256),
              let activity = try? ActivityReader.readRecorded(Data(text.utf8))
        else { return nil }
        activities.withLock { if $0.count < 1_000 { $0[sha256] = activity } }
        return activity
    }
}

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
    /// Verdicts by id, with their rendered page and JSON, kept for `freshness`: a certificate
    /// looked up many times a second is read from the registry and rendered once a second,
    /// and a revocation shows within it.
    private let recent = Mutex<[String: Kept]>([:])
    static let freshness = Duration.seconds(1)

    struct Kept: Sendable {
        var until: ContinuousClock.Instant
        var view: VerificationView
        var renderings: [String: Rendering] = [:]
    }

    /// A response body and its status, as rendered once.
    struct Rendering: Sendable {
        var status: Int
        var contentType: String
        var body: [UInt8]
    }

    init(registry: any CertificateRegistry, trustRoots: [Certificate], signers: [Certificate], clock: any CreditClock) {
        self.registry = registry
        verifier = CertificateVerifier(roots: trustRoots, signers: signers, registry: registry, clock: clock)
    }

    func view(id: String) async -> VerificationView {
        let now = ContinuousClock.now
        if let kept = recent.withLock({ $0[id] }), kept.until > now { return kept.view }
        let view = await view(await verifier.verify(id: id))
        recent.withLock { recent in
            if recent.count > 50_000 { recent = recent.filter { $0.value.until > now } }
            recent[id] = Kept(until: now + Self.freshness, view: view)
        }
        return view
    }

    /// The verdict on `id` rendered as `format` names (`html`, `json`), from what is kept
    /// when it is fresh.
    func rendering(id: String, format: String, render: (VerificationView) -> Rendering) async -> Rendering {
        let now = ContinuousClock.now
        if let kept = recent.withLock({ $0[id] }), kept.until > now, let done = kept.renderings[format] { return done }
        let view = await view(id: id)
        let done = render(view)
        recent.withLock { recent in
            if recent[id]?.view.headline == view.headline { recent[id]?.renderings[format] = done }
        }
        return done
    }

    /// Forgets what was kept of `id`, after a change the service itself made.
    func forget(id: String) {
        _ = recent.withLock { $0.removeValue(forKey: id) }
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

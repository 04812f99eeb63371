import CreditBadges
import CreditRecords
import CreditTrust
import Foundation
import X509

/// How the service is set up: where it listens, the registry, whom it trusts. Made by the
/// command line from its flags and the environment; the service reads no variable itself.
public struct ServiceConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// The registry file (SQLite).
    public var registry: URL
    /// Roots a certificate's signature must chain to.
    public var trustRoots: [Certificate]
    /// The provider's signing certificates, for QR payloads read without their PDF.
    public var signers: [Certificate]
    /// The folder holding `Templates/web/`.
    public var resources: Resources
    /// The largest PDF the upload form takes.
    public var maximumUpload: Int
    /// Verifications one address may ask for per minute.
    public var verificationsPerMinute: Int
    /// The address learners reach the service at, for the links it mails (default: http://host:port).
    public var publicURL: String
    /// Development: mail is written here as `.eml` files and sign-in links are logged. Nil:
    /// mail waits in the outbox for a delivering drainer.
    public var outboxFolder: URL?
    /// Production: mail goes to this SMTP server (ignored while `outboxFolder` is set).
    public var smtp: SMTPSettings?
    /// Reverse proxies whose `X-Forwarded-For` names the client, for rate limits.
    public var trustedProxies: Set<String> = []
    /// The activity files learners enrol in and claim for.
    public var activityFiles: [URL] = []
    /// The key certificate ids are derived with; without it the service issues nothing.
    public var idKey: IssuerKey?
    /// What issued certificates and transcripts are signed with, when set.
    public var signing: SigningIdentity?
    /// How badges are signed: RS256 or ES256 (default: RS256 when the signing folder has an RSA key).
    public var badgeAlgorithm: BadgeSigner.Algorithm?
    /// Where transcripts are drawn before they are sent (default: the system's temporary folder).
    public var scratchFolder = FileManager.default.temporaryDirectory

    public init(host: String = "127.0.0.1", port: Int = 8080, registry: URL, trustRoots: [Certificate], signers: [Certificate],
                resources: Resources, maximumUpload: Int = 10 << 20, verificationsPerMinute: Int = 600,
                publicURL: String? = nil, outboxFolder: URL? = nil) {
        self.host = host
        self.port = port
        self.registry = registry
        self.trustRoots = trustRoots
        self.signers = signers
        self.resources = resources
        self.maximumUpload = maximumUpload
        self.verificationsPerMinute = verificationsPerMinute
        self.publicURL = publicURL ?? "http://\(host):\(port)"
        self.outboxFolder = outboxFolder
    }
}

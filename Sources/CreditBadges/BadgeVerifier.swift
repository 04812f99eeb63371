import _CryptoExtras
import CreditRecords
import CreditRegistry
import CreditTrust
import Crypto
import Foundation
import JWTKit
import X509

/// Checks an Open Badges 3.0 VC-JWT as a board would: its signature with the key its header
/// names, that key's certificate against the trusted roots, the claims against the
/// credential, and, with a registry, that the certificate behind it still stands.
public struct BadgeVerifier: Sendable {
    public let roots: [Certificate]
    public let registry: (any CertificateRegistry)?
    public let clock: any CreditClock
    /// A token larger than this is refused unread.
    static let maximumLength = 1 << 20

    public init(roots: [Certificate], registry: (any CertificateRegistry)?, clock: any CreditClock) {
        (self.roots, self.registry, self.clock) = (roots, registry, clock)
    }

    /// Whether `data` looks like a compact JWS (three base64url parts) rather than a PDF.
    public static func looksLikeToken(_ data: Data) -> Bool {
        guard data.count < maximumLength, let text = String(data: data, encoding: .utf8) else { return false }
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 3 && text.hasPrefix("eyJ")
    }

    public func verify(token raw: String) async -> (report: VerificationReport, credential: OpenBadgeCredential?) {
        var report = VerificationReport()
        let token = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.utf8.count < Self.maximumLength else {
            report.check("badge", false, "the token is over 1 MB: not a badge")
            return (report, nil)
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
              let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            report.check("badge", false, "not a compact JWS (header.payload.signature in base64url)")
            return (report, nil)
        }
        guard let alg = header["alg"] as? String, let algorithm = BadgeSigner.Algorithm(rawValue: alg) else {
            report.check("signature", false, "the algorithm '\(header["alg"] as? String ?? "none")' is not RS256 or ES256")
            return (report, nil)
        }
        let chain = ((header["x5c"] as? [String]) ?? []).compactMap { Data(base64Encoded: $0) }.compactMap { try? Certificate(derEncoded: Array($0)) }
        guard let leaf = chain.first else {
            report.check("signature", false, "the header names no certificate (x5c): the signer cannot be known")
            return (report, nil)
        }
        let payloadType = Base64URL.decode(String(parts[1]))
            .flatMap { try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any] }?["type"] as? [String] ?? []
        let keys = JWTKeyCollection()
        do {
            let pem = try leaf.publicKey.serializeAsPEM().pemString
            switch algorithm {
            case .rs256: await keys.add(rsa: try Insecure.RSA.PublicKey(pem: pem), digestAlgorithm: .sha256)
            case .es256: await keys.add(ecdsa: try ES256PublicKey(pem: pem))
            }
        } catch {
            report.check("signature", false, "the certificate's key cannot check \(alg) (\(error))")
            return (report, nil)
        }
        var credentials: [OpenBadgeCredential] = []
        do {
            if payloadType.contains("ClrCredential") {
                let clr = try await keys.verify(token, as: ClrCredential.self)
                report.check("signature", true, "\(alg) by \(leaf.subject), over a CLR of \(clr.credentialSubject.verifiableCredential.count) certificates")
                report.check("CLR claims", clr.iss == clr.issuer.id && clr.jti == clr.id,
                             clr.iss == clr.issuer.id && clr.jti == clr.id ? "iss and jti agree with the CLR" : "iss or jti differ from the CLR's issuer and id")
                credentials = clr.credentialSubject.verifiableCredential
            } else {
                let credential = try await keys.verify(token, as: OpenBadgeCredential.self)
                report.check("signature", true, "\(alg) by \(leaf.subject)")
                checkClaims(credential, into: &report)
                credentials = [credential]
            }
        } catch {
            report.check("signature", false, "does not check with the key of \(leaf.subject) (\(error))")
            return (report, nil)
        }
        // The header's jwk, when present, must be the certificate's key.
        if let jwk = header["jwk"] as? [String: Any] {
            report.check("header key", Self.matches(jwk, leaf.publicKey), "the jwk in the header is the certificate's key")
        }
        let trust = ChainCheck(roots: roots).check(leaf, intermediates: Array(chain.dropFirst()), at: clock.now())
        report.check("signer trusted", trust.trusted, trust.detail)
        if let registry {
            for credential in credentials {
                guard let id = credential.certificateID else {
                    report.check("registry", false, "\(credential.id) is not a certificate of this provider")
                    continue
                }
                await checkRegistry(id, credential: credential, registry: registry, into: &report, prefix: credentials.count > 1 ? "\(id): " : "")
            }
        }
        return (report, credentials.count == 1 ? credentials[0] : nil)
    }

    /// The JWT claims say what the credential says (Open Badges 3.0, section 8.2.4.1).
    func checkClaims(_ credential: OpenBadgeCredential, into report: inout VerificationReport) {
        var problems: [String] = []
        if !(credential.type.contains("VerifiableCredential") && credential.type.contains("OpenBadgeCredential")) {
            problems.append("type is not VerifiableCredential + OpenBadgeCredential")
        }
        if credential.iss != credential.issuer.id { problems.append("iss is not the issuer's id") }
        if credential.jti != credential.id { problems.append("jti is not the credential's id") }
        if let sub = credential.sub, sub != credential.credentialSubject.id { problems.append("sub is not the subject's id") }
        if let nbf = credential.nbf, let from = ISODate.date(credential.validFrom), Int(from.timeIntervalSince1970) != nbf {
            problems.append("nbf is not validFrom")
        }
        report.check("badge claims", problems.isEmpty, problems.isEmpty ? "iss, jti, sub and nbf agree with the credential" : problems.joined(separator: "; "))
    }

    private func checkRegistry(_ id: String, credential: OpenBadgeCredential, registry: any CertificateRegistry,
                               into report: inout VerificationReport, prefix: String) async {
        report.statusChecked = true
        do {
            guard let record = try await registry.record(id: id) else {
                report.check("registry", false, "\(id) was never issued by this registry")
                return
            }
            if prefix.isEmpty { report.record = record }
            let results = (credential.credentialSubject.result ?? []).compactMap(\.value)
            let claims = record.learner?.claims.map { "\($0.amount)" } ?? []
            report.check(prefix + "badge matches the registry", results == claims && credential.credentialSubject.achievement.humanCode == record.activityID,
                         results == claims ? "activity and credits are those recorded at issue"
                                           : "the badge's credits (\(results.joined(separator: ", "))) differ from the record (\(record.credits))")
            switch record.status {
            case .issued:
                report.check(prefix + "status", true, "issued \(ISODate.string(record.issuedAt)), not revoked or superseded")
            case .revoked:
                report.check(prefix + "status", false, "REVOKED: \(record.statusReason ?? "no reason given")"
                                 + (record.supersededBy.map { "; replaced by \($0)" } ?? ""))
            case .superseded:
                report.check(prefix + "status", false, "SUPERSEDED by \(record.supersededBy ?? "?"): \(record.statusReason ?? "")")
            }
        } catch {
            report.check(prefix + "registry", false, "\(error)")
        }
    }

    /// Whether a JWK names the same public key as a certificate.
    static func matches(_ jwk: [String: Any], _ key: Certificate.PublicKey) -> Bool {
        switch jwk["kty"] as? String {
        case "RSA":
            guard let pem = try? key.serializeAsPEM().pemString, let rsa = try? Insecure.RSA.PublicKey(pem: pem),
                  let primitives = try? rsa.getKeyPrimitives() else { return false }
            return jwk["n"] as? String == Base64URL.encode(Array(primitives.modulus))
                && jwk["e"] as? String == Base64URL.encode(Array(primitives.publicExponent))
        case "EC":
            guard let pem = try? key.serializeAsPEM().pemString, let ec = try? ES256PublicKey(pem: pem), let parameters = ec.parameters else { return false }
            return jwk["x"] as? String == parameters.x && jwk["y"] as? String == parameters.y
        default:
            return false
        }
    }
}

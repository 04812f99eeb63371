import _CryptoExtras
import Crypto
import Foundation
import SwiftASN1
import X509

/// Who signs: a private key, its certificate and the certificates up to (not always
/// including) a root, read from PEM files.
///
/// The files live in one folder (`--signing DIR`, else `$CREDITPRESS_SIGNING`):
/// `signing.key.pem` (PKCS#8, SEC 1 or PKCS#1), `signing.cert.pem`, and optionally
/// `chain.pem` (issuing CAs, nearest first) and `tsa.url` (an RFC 3161 time-stamp
/// authority, which turns B-B signatures into B-T).
public struct SigningIdentity: Sendable {
    public let key: Certificate.PrivateKey
    public let certificate: Certificate
    public let chain: [Certificate]
    public let timestampURL: URL?

    public init(key: Certificate.PrivateKey, certificate: Certificate, chain: [Certificate] = [], timestampURL: URL? = nil) {
        self.key = key
        self.certificate = certificate
        self.chain = chain
        self.timestampURL = timestampURL
    }

    public static let keyFile = "signing.key.pem"
    public static let certificateFile = "signing.cert.pem"
    public static let chainFile = "chain.pem"
    public static let timestampFile = "tsa.url"

    /// `--signing DIR`, else `$CREDITPRESS_SIGNING`; nil when neither is set.
    public static func location(explicit: String?) -> URL? {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let path = ProcessInfo.processInfo.environment["CREDITPRESS_SIGNING"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return nil
    }

    /// Reads the folder's files, refusing a key that does not belong to the certificate.
    public static func load(from folder: URL) throws(InputError) -> SigningIdentity {
        let keyURL = folder.appendingPathComponent(keyFile)
        let certificateURL = folder.appendingPathComponent(certificateFile)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: try String(contentsOf: keyURL, encoding: .utf8))
        } catch {
            throw InputError([Problem(file: keyURL.path, field: "", message: "is not a readable PEM private key (\(error))",
                                      hint: "put the signing key here as PEM, or make a test identity with `creditpress keys init --out \(folder.path)`")])
        }
        let certificates = try readCertificates(certificateURL)
        guard let certificate = certificates.first else {
            throw InputError([Problem(file: certificateURL.path, field: "", message: "holds no certificate")])
        }
        guard P256.Signing.PublicKey(key.publicKey) != nil || _RSA.Signing.PublicKey(key.publicKey) != nil else {
            throw InputError([Problem(file: keyURL.path, field: "", message: "is neither an ECDSA P-256 nor an RSA key",
                                      hint: "PAdES signatures here use P-256 (ES256) or RSA with SHA-256")])
        }
        guard key.publicKey == certificate.publicKey else {
            throw InputError([Problem(file: keyURL.path, field: "", message: "does not belong to the certificate in \(certificateFile)",
                                      hint: "use the key the certificate was issued for")])
        }
        let chainURL = folder.appendingPathComponent(chainFile)
        var chain = Array(certificates.dropFirst())
        if FileManager.default.fileExists(atPath: chainURL.path) {
            chain += try readCertificates(chainURL).filter { $0 != certificate }
        }
        var timestamp: URL?
        let timestampURL = folder.appendingPathComponent(timestampFile)
        if let text = try? String(contentsOf: timestampURL, encoding: .utf8) {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { return SigningIdentity(key: key, certificate: certificate, chain: chain) }
            guard let url = URL(string: trimmed), url.scheme == "http" || url.scheme == "https" else {
                throw InputError([Problem(file: timestampURL.path, field: "", message: "'\(trimmed)' is not an http(s) address of a time-stamp authority")])
            }
            timestamp = url
        }
        return SigningIdentity(key: key, certificate: certificate, chain: chain, timestampURL: timestamp)
    }

    /// Every certificate in a PEM file, in order.
    public static func readCertificates(_ url: URL) throws(InputError) -> [Certificate] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw InputError([Problem(file: url.path, field: "", message: "cannot be read (\(error.localizedDescription))")])
        }
        do {
            return try PEMDocument.parseMultiple(pemString: text)
                .filter { $0.discriminator == "CERTIFICATE" }
                .map { try Certificate(pemDocument: $0) }
        } catch {
            throw InputError([Problem(file: url.path, field: "", message: "holds a certificate that cannot be read (\(error))")])
        }
    }

    /// The signature algorithm for this key: ECDSA P-256 or RSA, both with SHA-256.
    var signatureAlgorithm: Certificate.SignatureAlgorithm {
        P256.Signing.PublicKey(key.publicKey) != nil ? .ecdsaWithSHA256 : .sha256WithRSAEncryption
    }
}

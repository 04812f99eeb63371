import _CryptoExtras
import CreditRecords
import Crypto
import Foundation
import SwiftASN1
import X509

/// Who signs: a private key, its certificate and the certificates up to (not always
/// including) a root, read from PEM files.
///
/// The files live in one folder (`--signing DIR`, else `$CREDITPRESS_SIGNING`):
/// `signing.key.pem` (PKCS#8, SEC 1 or PKCS#1), `signing.cert.pem`, and optionally
/// `chain.pem` (issuing CAs, nearest first), `tsa.url` (an RFC 3161 time-stamp
/// authority, which turns B-B signatures into B-T), and, for an RSA signing key,
/// `qr.key.pem` and `qr.cert.pem`: the P-256 key and certificate the QR payload is signed
/// with (ES256 keeps the QR code small; an RSA signature alone would not fit); and, for a
/// P-256 signing key, `badge.key.pem` and `badge.cert.pem`: the RSA key and certificate
/// Open Badges are signed with (RS256, the algorithm every badge verifier must accept).
public struct SigningIdentity: Sendable {
    public let key: Certificate.PrivateKey
    public let certificate: Certificate
    public let chain: [Certificate]
    public var timestampURL: URL?
    /// The key and certificate that sign QR payloads: the signing key itself when it is P-256.
    public let payloadKey: Certificate.PrivateKey
    public let payloadCertificate: Certificate
    /// Worked out once, not for every certificate signed: the signing certificate's SHA-256
    /// (signing-certificate-v2) and the QR payload's COSE key id.
    package let certificateSHA256: [UInt8]
    package let payloadKeyID: [UInt8]
    /// The QR payload's key as CryptoKit's, which signs and hands over the raw r‖s that
    /// COSE wants (the certificate library's gives DER, parsed back on every payload); nil
    /// if it cannot be read back.
    package let payloadP256: P256.Signing.PrivateKey?
    /// The payload certificate's organisation (see `VerificationPayload.organisation(of:)`).
    package let payloadOrganisation: String?
    /// The certificates every signature carries, DER-encoded end to end (the signer's, the
    /// chain's intermediates, the QR payload's when it is another): encoded once rather than
    /// per signature. A root (self-issued) is left out: a verifier trusts it only as one of
    /// its own anchors, so a copy in each file proves nothing and costs 1 KiB of hexadecimal.
    package let embeddedCertificatesDER: [UInt8]
    /// The signer's CMS pieces that do not change from one signature to the next, encoded
    /// once: its issuer and serial number, and the content-type and signing-certificate-v2
    /// signed attributes (nil when they could not be encoded: each signature then makes them).
    package let signerPieces: CMSSignature.SignerPieces?
    /// The RSA key and certificate for RS256 badges: the signing key itself when it is RSA.
    public var badgeKey: (key: Certificate.PrivateKey, certificate: Certificate)?

    public init(key: Certificate.PrivateKey, certificate: Certificate, chain: [Certificate] = [], timestampURL: URL? = nil,
                payload: (key: Certificate.PrivateKey, certificate: Certificate)? = nil) throws(InputError) {
        self.key = key
        self.certificate = certificate
        self.chain = chain
        self.timestampURL = timestampURL
        if let payload {
            (payloadKey, payloadCertificate) = payload
        } else if P256.Signing.PublicKey(key.publicKey) != nil {
            (payloadKey, payloadCertificate) = (key, certificate)
        } else {
            throw InputError([Problem(file: Self.keyFile, field: "", message: "is an RSA key, and QR payloads are signed with ES256 (P-256)",
                                      hint: "add \(Self.payloadKeyFile) and \(Self.payloadCertificateFile): a P-256 key and a certificate for it from the same CA")])
        }
        certificateSHA256 = certificate.derSHA256
        payloadKeyID = VerificationPayload.keyID(payloadCertificate)
        payloadP256 = (try? payloadKey.serializeAsPEM().pemString).flatMap { try? P256.Signing.PrivateKey(pemRepresentation: $0) }
        payloadOrganisation = VerificationPayload.organisation(of: payloadCertificate)
        var serializer = DER.Serializer()
        for embedded in [certificate] + chain.filter({ $0.subject != $0.issuer }) + (payloadCertificate == certificate ? [] : [payloadCertificate]) {
            try? serializer.serialize(embedded)
        }
        embeddedCertificatesDER = serializer.serializedBytes
        signerPieces = try? CMSSignature.SignerPieces(certificate: certificate, certificateHash: certificateSHA256)
        if _RSA.Signing.PublicKey(key.publicKey) != nil { badgeKey = (key, certificate) }
    }


    public static let keyFile = "signing.key.pem"
    public static let certificateFile = "signing.cert.pem"
    public static let chainFile = "chain.pem"
    public static let timestampFile = "tsa.url"
    public static let payloadKeyFile = "qr.key.pem"
    public static let payloadCertificateFile = "qr.cert.pem"
    public static let badgeKeyFile = "badge.key.pem"
    public static let badgeCertificateFile = "badge.cert.pem"

    /// Reads the folder's files, refusing a key that does not belong to the certificate.
    public static func load(from folder: URL) throws(InputError) -> SigningIdentity {
        let keyURL = folder.appendingPathComponent(keyFile)
        let certificateURL = folder.appendingPathComponent(certificateFile)
        guard FileManager.default.fileExists(atPath: keyURL.path) else {
            throw InputError([Problem(file: keyURL.path, field: "", message: "does not exist: the signing folder has no key",
                                      hint: "give the folder that holds \(keyFile) and \(certificateFile), or make a test identity with `creditpress keys init --out \(folder.path)`")])
        }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: try String(contentsOf: keyURL, encoding: .utf8))
        } catch {
            throw InputError([Problem(file: keyURL.path, field: "", message: "is not a readable PEM private key (\(error.localizedDescription))",
                                      hint: "put the signing key here as PEM, or make a test identity with `creditpress keys init --out \(folder.path)`")])
        }
        let certificates = try readCertificates(certificateURL)
        let certificate = certificates[0]
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
            guard !trimmed.isEmpty else {
                var identity = try SigningIdentity(key: key, certificate: certificate, chain: chain, payload: try payload(in: folder))
                if let badge = try badge(in: folder) { identity.badgeKey = badge }
                return identity
            }
            guard let url = URL(string: trimmed), url.scheme == "http" || url.scheme == "https" else {
                throw InputError([Problem(file: timestampURL.path, field: "", message: "'\(trimmed)' is not an http(s) address of a time-stamp authority")])
            }
            timestamp = url
        }
        var identity = try SigningIdentity(key: key, certificate: certificate, chain: chain, timestampURL: timestamp, payload: try payload(in: folder))
        if let badge = try badge(in: folder) { identity.badgeKey = badge }
        return identity
    }

    /// `badge.key.pem` and `badge.cert.pem`, when the folder has them.
    private static func badge(in folder: URL) throws(InputError) -> (key: Certificate.PrivateKey, certificate: Certificate)? {
        let keyURL = folder.appendingPathComponent(badgeKeyFile)
        guard FileManager.default.fileExists(atPath: keyURL.path) else { return nil }
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: try String(contentsOf: keyURL, encoding: .utf8))
        } catch {
            throw InputError([Problem(file: keyURL.path, field: "", message: "is not a readable PEM private key (\(error))")])
        }
        guard _RSA.Signing.PublicKey(key.publicKey) != nil else {
            throw InputError([Problem(file: keyURL.path, field: "", message: "is not an RSA key; badges are signed with RS256",
                                      hint: "put an RSA key (2048 bits or more) here, or remove the file to sign badges with ES256")])
        }
        guard let certificate = try readCertificates(folder.appendingPathComponent(badgeCertificateFile)).first,
              certificate.publicKey == key.publicKey else {
            throw InputError([Problem(file: folder.appendingPathComponent(badgeCertificateFile).path, field: "",
                                      message: "does not hold the certificate of \(badgeKeyFile)")])
        }
        return (key, certificate)
    }

    /// `qr.key.pem` and `qr.cert.pem`, when the folder has them.
    private static func payload(in folder: URL) throws(InputError) -> (key: Certificate.PrivateKey, certificate: Certificate)? {
        let keyURL = folder.appendingPathComponent(payloadKeyFile)
        guard FileManager.default.fileExists(atPath: keyURL.path) else { return nil }
        let key: P256.Signing.PrivateKey
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: try String(contentsOf: keyURL, encoding: .utf8))
        } catch {
            throw InputError([Problem(file: keyURL.path, field: "", message: "is not a readable P-256 private key in PEM (\(error))")])
        }
        guard let certificate = try readCertificates(folder.appendingPathComponent(payloadCertificateFile)).first,
              certificate.publicKey == Certificate.PublicKey(key.publicKey) else {
            throw InputError([Problem(file: folder.appendingPathComponent(payloadCertificateFile).path, field: "",
                                      message: "does not hold the certificate of \(payloadKeyFile)")])
        }
        return (Certificate.PrivateKey(key), certificate)
    }

    /// Every certificate in a PEM file, in order.
    public static func readCertificates(_ url: URL) throws(InputError) -> [Certificate] {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw InputError([Problem(file: url.path, field: "", message: "cannot be read (\(error.localizedDescription))")])
        }
        let certificates: [Certificate]
        do {
            certificates = try PEMDocument.parseMultiple(pemString: text)
                .filter { $0.discriminator == "CERTIFICATE" }
                .map { try Certificate(pemDocument: $0) }
        } catch {
            throw InputError([Problem(file: url.path, field: "", message: "holds a certificate that cannot be read (\(error))")])
        }
        guard !certificates.isEmpty else {
            throw InputError([Problem(file: url.path, field: "", message: "holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                                      hint: "give the certificate file itself, in PEM")])
        }
        return certificates
    }

    /// The signature algorithm for this key: ECDSA P-256 or RSA, both with SHA-256.
    package var signatureAlgorithm: Certificate.SignatureAlgorithm {
        P256.Signing.PublicKey(key.publicKey) != nil ? .ecdsaWithSHA256 : .sha256WithRSAEncryption
    }
}

extension Certificate {
    /// The SHA-256 of the certificate's DER encoding.
    package var derSHA256: [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(self)
        return Array(SHA256.hash(data: serializer.serializedBytes))
    }
}

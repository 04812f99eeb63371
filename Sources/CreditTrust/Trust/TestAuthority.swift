import _CryptoExtras
import CreditRecords
import Crypto
import Foundation
import SwiftASN1
import X509

/// A test certificate authority and a document-signing certificate issued by it, so that
/// anyone can try signing and verification. Nothing made here is trusted by Acrobat or any
/// board: the names say TEST, and the README says what a real provider needs instead.
public enum TestAuthority {
    public static let rootFile = "ca.cert.pem"
    public static let rootKeyFile = "ca.key.pem"

    public struct Made: Sendable {
        public let folder: URL
        public let root: Certificate
        public let signer: Certificate
    }

    /// Writes `ca.key.pem`, `ca.cert.pem`, `signing.key.pem`, `signing.cert.pem`,
    /// `chain.pem`, `badge.key.pem` and `badge.cert.pem` into `folder`; refuses to overwrite a signing key already there.
    public static func make(in folder: URL, organization: String, validFor years: Int = 3,
                            now: Date) throws -> Made {
        let manager = FileManager.default
        let keyURL = folder.appendingPathComponent(SigningIdentity.keyFile)
        guard !manager.fileExists(atPath: keyURL.path) else {
            throw InputError([Problem(file: keyURL.path, field: "", message: "already exists; keys init never replaces a signing key",
                                      hint: "choose another folder, or delete this one yourself if you mean to start over")])
        }
        try manager.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        let notBefore = now.addingTimeInterval(-3600)
        let rootKey = P256.Signing.PrivateKey()
        let rootName = try DistinguishedName {
            OrganizationName("\(organization) (TEST ONLY)")
            CommonName("CreditPress TEST Root CA — not for real certificates")
        }
        let rootPrivate = Certificate.PrivateKey(rootKey)
        let root = try Certificate(
            version: .v3, serialNumber: serialNumber(), publicKey: rootPrivate.publicKey,
            notValidBefore: notBefore, notValidAfter: now.addingTimeInterval(Double(years + 7) * 365.25 * 86_400),
            issuer: rootName, subject: rootName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: rootPrivate.publicKey)
            },
            issuerPrivateKey: rootPrivate)

        let signingKey = P256.Signing.PrivateKey()
        let signingPrivate = Certificate.PrivateKey(signingKey)
        let signer = try Certificate(
            version: .v3, serialNumber: serialNumber(), publicKey: signingPrivate.publicKey,
            notValidBefore: notBefore, notValidAfter: now.addingTimeInterval(Double(years) * 365.25 * 86_400),
            issuer: rootName,
            // The organisation as given, so that a QR payload may leave the issuer out (its
            // organisation is the provider's name); the unit and name say it is a test.
            subject: try DistinguishedName {
                OrganizationName(organization)
                OrganizationalUnitName("TEST ONLY, not for real certificates")
                CommonName("\(organization) certificate signing (TEST)")
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true, nonRepudiation: true))
                // documentSigning, and emailProtection too: NSS (poppler's pdfsig, Firefox)
                // accepts a PDF signer only with the latter.
                try ExtendedKeyUsage([ExtendedKeyUsage.Usage(oid: OIDs.documentSigning), .emailProtection])
                SubjectKeyIdentifier(hash: signingPrivate.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: rootPrivate.publicKey).keyIdentifier)
            },
            issuerPrivateKey: rootPrivate)

        // RS256 for Open Badges: an RSA key beside the P-256 one, from the same root.
        let badgeKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let badgePrivate = Certificate.PrivateKey(badgeKey)
        let badge = try Certificate(
            version: .v3, serialNumber: serialNumber(), publicKey: badgePrivate.publicKey,
            notValidBefore: notBefore, notValidAfter: now.addingTimeInterval(Double(years) * 365.25 * 86_400),
            issuer: rootName,
            subject: try DistinguishedName {
                OrganizationName(organization)
                OrganizationalUnitName("TEST ONLY, not for real certificates")
                CommonName("\(organization) badge signing (TEST)")
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                SubjectKeyIdentifier(hash: badgePrivate.publicKey)
                AuthorityKeyIdentifier(keyIdentifier: SubjectKeyIdentifier(hash: rootPrivate.publicKey).keyIdentifier)
            },
            issuerPrivateKey: rootPrivate)

        try write(rootKey.pemRepresentation, to: folder.appendingPathComponent(rootKeyFile), secret: true)
        try write(badgeKey.pemRepresentation, to: folder.appendingPathComponent(SigningIdentity.badgeKeyFile), secret: true)
        try write(try badge.serializeAsPEM().pemString, to: folder.appendingPathComponent(SigningIdentity.badgeCertificateFile))
        try write(try root.serializeAsPEM().pemString, to: folder.appendingPathComponent(rootFile))
        try write(signingKey.pemRepresentation, to: keyURL, secret: true)
        try write(try signer.serializeAsPEM().pemString, to: folder.appendingPathComponent(SigningIdentity.certificateFile))
        try write(try root.serializeAsPEM().pemString, to: folder.appendingPathComponent(SigningIdentity.chainFile))
        return Made(folder: folder, root: root, signer: signer)
    }

    /// 16 random bytes with the top bit clear, so the DER integer stays positive and 16 bytes long.
    package static func serialNumber() -> Certificate.SerialNumber {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
        bytes[0] = (bytes[0] & 0x7F) | 0x01
        return Certificate.SerialNumber(bytes: bytes)
    }

    private static func write(_ text: String, to url: URL, secret: Bool = false) throws {
        let contents = Data((text.hasSuffix("\n") ? text : text + "\n").utf8)
        guard FileManager.default.createFile(atPath: url.path, contents: contents,
                                             attributes: [.posixPermissions: secret ? 0o600 : 0o644]) else {
            throw InputError([Problem(file: url.path, field: "", message: "cannot be written")])
        }
    }
}

extension SubjectKeyIdentifier {
    /// The SHA-1 of the DER SubjectPublicKeyInfo: an identifier, not a security measure.
    package init(hash key: Certificate.PublicKey) {
        var serializer = DER.Serializer()
        try? serializer.serialize(key)
        self.init(keyIdentifier: ArraySlice(Insecure.SHA1.hash(data: serializer.serializedBytes)))
    }
}

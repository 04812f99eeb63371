import Crypto
import Foundation
import SwiftASN1
import X509

/// Object identifiers used in CMS signatures.
package enum OIDs {
    package static let data: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 1]
    package static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
    package static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
    package static let contentType: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
    package static let messageDigest: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
    package static let signingTime: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 5]
    package static let signingCertificateV2: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 2, 47]
    package static let timeStampToken: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 2, 14]
    package static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 1, 4]
    package static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
    package static let sha256WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
    package static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
    package static let documentSigning: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 36]
}

/// A detached CMS signature of the PAdES baseline kind (ETSI EN 319 142-1, B-B and B-T).
///
/// The signed attributes are exactly content-type, message-digest and
/// signing-certificate-v2: PAdES forbids signing-time in the CMS (the time is the
/// signature dictionary's `/M`), which is why this is built here rather than with a
/// general CMS signer.
public enum CMSSignature {
    package static let context0 = ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)
    package static let context1 = ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)

    /// The signature for `digest` by `identity`, time-stamped by its authority when it has one.
    public static func sign(digest: SHA256.Digest, identity: SigningIdentity) throws -> [UInt8] {
        try sign(digest: digest, identity: identity, timestamp: identity.timestampURL.map { url in
            { value in try TimestampClient(url: url).token(for: value) }
        })
    }

    /// The DER ContentInfo signing `digest` (SHA-256 of the signed bytes). `timestamp`, when
    /// given, is asked for a time-stamp token over the signature value (B-T).
    public static func sign(digest: SHA256.Digest, identity: SigningIdentity,
                            timestamp: ((Data) throws -> Data)? = nil) throws -> [UInt8] {
        let pieces = try identity.signerPieces ?? SignerPieces(certificate: identity.certificate, certificateHash: identity.certificateSHA256)
        let attributes = try pieces.signedAttributes(digest: Array(digest))
        let signature = try identity.key.sign(bytes: attributes.setEncoding, signatureAlgorithm: identity.signatureAlgorithm)
        let signatureBytes = signature.rawRepresentation
        var token: [UInt8]?
        if let timestamp {
            token = Array(try timestamp(Data(signatureBytes)))
        }
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { content in
            try content.serialize(OIDs.signedData)
            try content.appendConstructedNode(identifier: context0) { explicit in
                try explicit.appendConstructedNode(identifier: .sequence) { signedData in
                    try signedData.serialize(1)
                    try signedData.appendConstructedNode(identifier: .set) { set in
                        try sha256Algorithm(&set)
                    }
                    try signedData.appendConstructedNode(identifier: .sequence) { encapsulated in
                        try encapsulated.serialize(OIDs.data)
                    }
                    signedData.appendConstructedNode(identifier: context0) { certificates in
                        // The QR payload's certificate too, when it is not the signer's, so that a
                        // verifier finds it in the file (encoded once, with the identity).
                        certificates.serializeRawBytes(identity.embeddedCertificatesDER)
                    }
                    try signedData.appendConstructedNode(identifier: .set) { signerInfos in
                        try signerInfos.appendConstructedNode(identifier: .sequence) { signer in
                            try signer.serialize(1)
                            signer.serializeRawBytes(pieces.issuerAndSerial)
                            try sha256Algorithm(&signer)
                            signer.serializeRawBytes([0xA0] + derLength(attributes.content.count) + attributes.content)
                            try signer.appendConstructedNode(identifier: .sequence) { algorithm in
                                if identity.signatureAlgorithm == .ecdsaWithSHA256 {
                                    try algorithm.serialize(OIDs.ecdsaWithSHA256)
                                } else {
                                    try algorithm.serialize(OIDs.sha256WithRSA)
                                    try algorithm.serialize(ASN1Null())
                                }
                            }
                            try signer.serialize(ASN1OctetString(contentBytes: signatureBytes[...]))
                            if let token {
                                try signer.appendConstructedNode(identifier: context1) { unsigned in
                                    try unsigned.appendConstructedNode(identifier: .sequence) { attribute in
                                        try attribute.serialize(OIDs.timeStampToken)
                                        attribute.appendConstructedNode(identifier: .set) { values in
                                            values.serializeRawBytes(token)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return serializer.serializedBytes
    }

    /// What a signer's CMS holds that is the same in every signature it makes.
    package struct SignerPieces: Sendable {
        /// IssuerAndSerialNumber, DER.
        package let issuerAndSerial: [UInt8]
        /// The content-type and signing-certificate-v2 attributes, DER.
        package let constantAttributes: [[UInt8]]

        package init(certificate: Certificate, certificateHash: [UInt8]) throws {
            var serializer = DER.Serializer()
            try CMSSignature.issuerAndSerial(certificate, into: &serializer)
            issuerAndSerial = serializer.serializedBytes
            constantAttributes = try CMSSignature.constantAttributes(certificate: certificate, certificateHash: certificateHash)
        }

        /// The three signed attributes for `digest`, as `CMSSignature.signedAttributes` gives them.
        package func signedAttributes(digest: [UInt8]) throws -> (content: [UInt8], setEncoding: [UInt8]) {
            var encoded = constantAttributes
            encoded.append(try CMSSignature.attribute(OIDs.messageDigest) { try $0.serialize(ASN1OctetString(contentBytes: digest[...])) })
            encoded.sort { $0.lexicographicallyPrecedes($1) }
            let content = encoded.flatMap { $0 }
            return (content, [0x31] + CMSSignature.derLength(content.count) + content)
        }
    }

    /// The three signed attributes, DER-sorted: their content and their encoding as a SET,
    /// which is what the signature covers.
    package static func signedAttributes(digest: [UInt8], certificate: Certificate,
                                 certificateHash: [UInt8]) throws -> (content: [UInt8], setEncoding: [UInt8]) {
        var encoded = try constantAttributes(certificate: certificate, certificateHash: certificateHash)
        encoded.append(try attribute(OIDs.messageDigest) { try $0.serialize(ASN1OctetString(contentBytes: digest[...])) })
        encoded.sort { $0.lexicographicallyPrecedes($1) }
        let content = encoded.flatMap { $0 }
        return (content, [0x31] + derLength(content.count) + content)
    }

    /// The signed attributes that do not depend on what is signed.
    static func constantAttributes(certificate: Certificate, certificateHash: [UInt8]) throws -> [[UInt8]] {
        var encoded: [[UInt8]] = []
        encoded.append(try attribute(OIDs.contentType) { try $0.serialize(OIDs.data) })
        encoded.append(try attribute(OIDs.signingCertificateV2) { value in
            // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 }
            try value.appendConstructedNode(identifier: .sequence) { signingCertificate in
                try signingCertificate.appendConstructedNode(identifier: .sequence) { certs in
                    // ESSCertIDv2: the hash algorithm is SHA-256 by default and so left out.
                    try certs.appendConstructedNode(identifier: .sequence) { id in
                        try id.serialize(ASN1OctetString(contentBytes: certificateHash[...]))
                        try id.appendConstructedNode(identifier: .sequence) { issuerSerial in
                            try issuerSerial.appendConstructedNode(identifier: .sequence) { generalNames in
                                // directoryName [4] EXPLICIT Name
                                try generalNames.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 4, tagClass: .contextSpecific)) { name in
                                    try name.serialize(certificate.issuer)
                                }
                            }
                            serialNumber(certificate, into: &issuerSerial)
                        }
                    }
                }
            }
        })
        return encoded
    }

    fileprivate static func attribute(_ type: ASN1ObjectIdentifier,
                                  value: (inout DER.Serializer) throws -> Void) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { attribute in
            try attribute.serialize(type)
            try attribute.appendConstructedNode(identifier: .set, value)
        }
        return serializer.serializedBytes
    }

    private static func sha256Algorithm(_ serializer: inout DER.Serializer) throws {
        try serializer.appendConstructedNode(identifier: .sequence) { algorithm in
            try algorithm.serialize(OIDs.sha256)
        }
    }

    fileprivate static func issuerAndSerial(_ certificate: Certificate, into serializer: inout DER.Serializer) throws {
        try serializer.appendConstructedNode(identifier: .sequence) { sid in
            try sid.serialize(certificate.issuer)
            serialNumber(certificate, into: &sid)
        }
    }

    private static func serialNumber(_ certificate: Certificate, into serializer: inout DER.Serializer) {
        serializer.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: certificate.serialNumber.bytes) }
    }

    package static func derLength(_ length: Int) -> [UInt8] {
        if length < 0x80 { return [UInt8(length)] }
        var bytes: [UInt8] = []
        var rest = length
        while rest > 0 {
            bytes.insert(UInt8(rest & 0xFF), at: 0)
            rest >>= 8
        }
        return [0x80 | UInt8(bytes.count)] + bytes
    }
}

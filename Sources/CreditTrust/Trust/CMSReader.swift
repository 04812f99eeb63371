import _CryptoExtras
import Crypto
import Foundation
import SwiftASN1
import X509

/// A CMS SignedData read back: enough of it to check a PAdES signature or a time-stamp
/// token (one signer, SHA-256, ECDSA or RSA PKCS #1 v1.5).
package struct CMSSignedDataReader {
    package let certificates: [Certificate]
    /// The encapsulated content, when not detached (a time-stamp token's TSTInfo).
    package let content: [UInt8]?
    package let contentType: ASN1ObjectIdentifier
    package let signerIssuer: DistinguishedName?
    package let signerSerial: [UInt8]
    package let digestAlgorithm: ASN1ObjectIdentifier
    package let signatureAlgorithm: ASN1ObjectIdentifier
    /// The signed attributes as the signature covers them (re-tagged as a SET).
    package let signedAttributesSet: [UInt8]
    package let signedAttributes: [ASN1ObjectIdentifier: [ASN1Node]]
    package let signature: [UInt8]
    package let unsignedAttributes: [ASN1ObjectIdentifier: [ASN1Node]]

    package init(_ bytes: [UInt8]) throws(CMSError) {
        do {
            let contentInfo = try DER.parse(bytes)
            let info = try Self.children(contentInfo)
            guard info.count == 2, try ASN1ObjectIdentifier(derEncoded: info[0]) == OIDs.signedData else {
                throw CMSError("is not CMS SignedData")
            }
            let signedData = try Self.children(Self.children(info[1])[0])
            guard signedData.count >= 4 else { throw CMSError("SignedData is incomplete") }
            let encapsulated = try Self.children(signedData[2])
            contentType = try ASN1ObjectIdentifier(derEncoded: encapsulated[0])
            if encapsulated.count > 1 {
                let octets = try ASN1OctetString(derEncoded: Self.children(encapsulated[1])[0])
                content = Array(octets.bytes)
            } else {
                content = nil
            }
            var certificates: [Certificate] = []
            var signerInfos: ASN1Node?
            for node in signedData.dropFirst(3) {
                if node.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                    for child in try Self.children(node) where child.identifier == .sequence {
                        certificates.append(try Certificate(derEncoded: Array(child.encodedBytes)))
                    }
                } else if node.identifier == .set {
                    signerInfos = node
                }
            }
            self.certificates = certificates
            guard let signerInfos, let signerNode = try Self.children(signerInfos).first else {
                throw CMSError("has no signer")
            }
            let signer = try Self.children(signerNode)
            guard signer.count >= 5 else { throw CMSError("the signer information is incomplete") }
            if signer[1].identifier == .sequence {
                let sid = try Self.children(signer[1])
                signerIssuer = try DistinguishedName(derEncoded: sid[0])
                guard case .primitive(let serial) = sid[1].content else { throw CMSError("the signer's serial number is not an integer") }
                signerSerial = Array(serial)
            } else {
                signerIssuer = nil
                signerSerial = []
            }
            digestAlgorithm = try ASN1ObjectIdentifier(derEncoded: Self.children(signer[2])[0])
            var index = 3
            var signedSet: [UInt8] = []
            var signed: [ASN1ObjectIdentifier: [ASN1Node]] = [:]
            if signer[index].identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                signedSet = [0x31] + Array(signer[index].encodedBytes.dropFirst())
                signed = try Self.attributes(signer[index])
                index += 1
            }
            signedAttributesSet = signedSet
            signedAttributes = signed
            signatureAlgorithm = try ASN1ObjectIdentifier(derEncoded: Self.children(signer[index])[0])
            signature = Array(try ASN1OctetString(derEncoded: signer[index + 1]).bytes)
            if signer.count > index + 2, signer[index + 2].identifier == ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific) {
                unsignedAttributes = try Self.attributes(signer[index + 2])
            } else {
                unsignedAttributes = [:]
            }
        } catch let error as CMSError {
            throw error
        } catch {
            throw CMSError("cannot be read as DER (\(error))")
        }
    }

    /// The certificate the signer identifier names.
    package var signerCertificate: Certificate? {
        certificates.first { $0.issuer == signerIssuer && Array($0.serialNumber.bytes) == signerSerial }
    }

    /// The message-digest attribute's value.
    package var messageDigest: [UInt8]? {
        guard let node = signedAttributes[OIDs.messageDigest]?.first else { return nil }
        return (try? ASN1OctetString(derEncoded: node)).map { Array($0.bytes) }
    }

    /// The certificate hash in signing-certificate-v2 (SHA-256 by default).
    package var signingCertificateHash: [UInt8]? {
        guard let node = signedAttributes[OIDs.signingCertificateV2]?.first,
              let certs = try? Self.children(node).first, let first = try? Self.children(certs).first,
              let parts = try? Self.children(first) else { return nil }
        for part in parts where part.identifier == .octetString {
            return (try? ASN1OctetString(derEncoded: part)).map { Array($0.bytes) }
        }
        return nil
    }

    /// Whether `certificate`'s key made the signature over the signed attributes.
    package func signatureIsValid(with certificate: Certificate) -> Bool {
        let data = signedAttributesSet
        if let key = P256.Signing.PublicKey(certificate.publicKey) {
            guard signatureAlgorithm == OIDs.ecdsaWithSHA256,
                  let signature = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(signature, for: data)
        }
        if let key = _RSA.Signing.PublicKey(certificate.publicKey) {
            guard signatureAlgorithm == OIDs.sha256WithRSA || signatureAlgorithm == OIDs.rsaEncryption else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: data, padding: .insecurePKCS1v1_5)
        }
        return false
    }

    package static func children(_ node: ASN1Node) throws(CMSError) -> [ASN1Node] {
        guard case .constructed(let nodes) = node.content else { throw CMSError("has a primitive value where a structure belongs") }
        return Array(nodes)
    }

    private static func attributes(_ node: ASN1Node) throws -> [ASN1ObjectIdentifier: [ASN1Node]] {
        var result: [ASN1ObjectIdentifier: [ASN1Node]] = [:]
        for attribute in try children(node) {
            let parts = try children(attribute)
            guard parts.count == 2 else { continue }
            result[try ASN1ObjectIdentifier(derEncoded: parts[0])] = try children(parts[1])
        }
        return result
    }
}

/// A CMS structure that cannot be read.
package struct CMSError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

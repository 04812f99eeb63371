import _CryptoExtras
import CreditRecords
import CreditTrust
import Crypto
import Foundation
import JWTKit
import X509

extension OpenBadgeCredential: JWTPayload {
    /// Nothing in a badge expires; `BadgeVerifier` checks what a badge claims.
    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The published status list, as a Verifiable Credential of its own.
public struct StatusListCredential: Codable, Sendable, Equatable, JWTPayload {
    public var context: [String]
    public var id: String
    public var type: [String]
    public var issuer: String
    public var validFrom: String
    public var credentialSubject: Subject
    public var iss: String?
    public var jti: String?
    public var nbf: Int?

    public struct Subject: Codable, Sendable, Equatable {
        public var id: String
        public var type: String
        public var statusPurpose: String
        public var encodedList: String
    }

    enum CodingKeys: String, CodingKey {
        case context = "@context"
        case id, type, issuer, validFrom, credentialSubject, iss, jti, nbf
    }

    /// The list of the registry's withdrawn certificates at their places.
    public init(addresses: BadgeAddresses, positions: [String: Int], withdrawn: Set<String>, at time: Date) {
        var list = StatusList(positions: (positions.values.max() ?? 0) + 1)
        for (certificate, position) in positions where withdrawn.contains(certificate) { list.set(position) }
        context = ["https://www.w3.org/ns/credentials/v2"]
        id = addresses.statusList
        type = ["VerifiableCredential", "BitstringStatusListCredential"]
        issuer = addresses.issuer
        validFrom = ISO8601DateFormatter.string(from: time, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        credentialSubject = Subject(id: addresses.statusList + "#list", type: "BitstringStatusList", statusPurpose: "revocation",
                                    encodedList: list.encoded)
        (iss, jti, nbf) = (addresses.issuer, addresses.statusList, Int(time.timeIntervalSince1970))
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Signs badges, CLRs and the status list as VC-JWTs (Open Badges 3.0, section 8.2): RS256,
/// the algorithm every verifier must accept, with the signing folder's RSA key (the
/// signing key itself, or `badge.key.pem`); or ES256 with its P-256 signing key. The JOSE
/// header carries the public key (`jwk`) and the certificate chain (`x5c`), so that a
/// verifier can check the signature alone and tie the key to the provider's CA.
public struct BadgeSigner: Sendable {
    public enum Algorithm: String, Sendable, CaseIterable {
        case rs256 = "RS256", es256 = "ES256"
    }

    public let algorithm: Algorithm
    let keys: JWTKeyCollection
    let header: JWTHeader
    public let certificate: Certificate

    /// RS256 when an RSA key is there, unless `algorithm` says otherwise.
    public init(identity: SigningIdentity, algorithm: Algorithm? = nil) async throws(InputError) {
        let chosen = algorithm ?? (identity.badgeKey != nil ? .rs256 : .es256)
        let key: Certificate.PrivateKey, certificate: Certificate
        switch chosen {
        case .rs256:
            guard let badge = identity.badgeKey else {
                throw InputError([Problem(file: SigningIdentity.badgeKeyFile, field: "",
                                          message: "is missing: RS256 badges need an RSA key, and the signing key is P-256",
                                          hint: "add \(SigningIdentity.badgeKeyFile) and \(SigningIdentity.badgeCertificateFile) (an RSA key and its certificate from the same CA) to the signing folder, or choose --algorithm ES256")])
            }
            (key, certificate) = badge
        case .es256:
            guard P256.Signing.PublicKey(identity.key.publicKey) != nil else {
                throw InputError([Problem(file: SigningIdentity.keyFile, field: "", message: "is not a P-256 key: ES256 needs one",
                                          hint: "choose --algorithm RS256 to sign badges with this RSA key")])
            }
            (key, certificate) = (identity.key, identity.certificate)
        }
        let collection = JWTKeyCollection()
        var jwk: [String: JWTHeaderField]
        do {
            let pem = try key.serializeAsPEM().pemString
            switch chosen {
            case .rs256:
                let rsa = try Insecure.RSA.PrivateKey(pem: pem)
                await collection.add(rsa: rsa, digestAlgorithm: .sha256)
                let primitives = try rsa.publicKey.getKeyPrimitives()
                jwk = ["kty": .string("RSA"), "n": .string(Base64URL.encode(Array(primitives.modulus))),
                       "e": .string(Base64URL.encode(Array(primitives.publicExponent)))]
            case .es256:
                let ec = try ES256PrivateKey(pem: pem)
                await collection.add(ecdsa: ec)
                let parameters = ec.publicKey.parameters
                jwk = ["kty": .string("EC"), "crv": .string("P-256"), "x": .string(parameters?.x ?? ""), "y": .string(parameters?.y ?? "")]
            }
        } catch {
            throw InputError([Problem(file: SigningIdentity.keyFile, field: "", message: "cannot sign badges (\(error))")])
        }
        var header = JWTHeader()
        header.alg = chosen.rawValue
        header.typ = "JWT"
        header.jwk = jwk
        let chain = [certificate] + identity.chain.filter { $0 != certificate }
        // As PEM: jwt-kit checks the chain and writes each certificate's DER in base64.
        header.x5c = chain.compactMap { try? $0.serializeAsPEM().pemString }
        (self.algorithm, self.keys, self.header, self.certificate) = (chosen, collection, header, certificate)
    }

    /// The compact JWS of the payload.
    public func sign(_ payload: some JWTPayload) async throws -> String {
        try await keys.sign(payload, header: header)
    }
}

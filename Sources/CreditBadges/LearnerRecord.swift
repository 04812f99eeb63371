import CreditRecords
import CreditRegistry
import Foundation
import JWTKit

/// A Comprehensive Learner Record 2.0 `ClrCredential`: a learner's transcript for a period
/// as one Verifiable Credential, holding the `OpenBadgeCredential` of every certificate in
/// it. The CLR's own signature (VC-JWT) covers the credentials it holds; each of them can
/// also be downloaded and verified as a badge of its own.
public struct ClrCredential: Codable, Sendable, Equatable, JWTPayload {
    public static let contexts = ["https://www.w3.org/ns/credentials/v2",
                                  "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    public static let schema = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"

    public var context: [String]
    public var id: String
    public var type: [String]
    public var name: String
    public var description: String?
    public var issuer: OpenBadgeCredential.Profile
    public var validFrom: String
    public var credentialSubject: Subject
    public var credentialSchema: [OpenBadgeCredential.CredentialSchema]?
    public var iss: String?
    public var jti: String?
    public var sub: String?
    public var nbf: Int?

    public struct Subject: Codable, Sendable, Equatable {
        public var id: String?
        public var type: [String]
        public var identifier: [OpenBadgeCredential.IdentityObject]?
        public var achievement: [OpenBadgeCredential.Achievement]?
        public var verifiableCredential: [OpenBadgeCredential]
    }

    enum CodingKeys: String, CodingKey {
        case context = "@context"
        case id, type, name, description, issuer, validFrom, credentialSubject, credentialSchema, iss, jti, sub, nbf
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {}

    /// The learner's certificates in the period (by completion date), each with the activity
    /// it was issued from and its status-list place. Revoked and superseded ones are left out.
    public init(learnerName: String, period: String, certificates: [(record: IssuedRecord, activity: Activity, position: Int)],
                addresses: BadgeAddresses, boards: BoardCatalog, issuerName: String, salt: String, at time: Date) throws(InputError) {
        var credentials: [OpenBadgeCredential] = []
        var achievements: [OpenBadgeCredential.Achievement] = []
        for (record, activity, position) in certificates where BadgeMaker.refusal(record) == nil {
            var credential = try BadgeMaker(activity: activity, addresses: addresses, boards: boards)
                .credential(record, position: position, salt: salt)
            (credential.iss, credential.jti, credential.sub, credential.nbf) = (nil, nil, nil, nil)
            credentials.append(credential)
            if !achievements.contains(where: { $0.id == credential.credentialSubject.achievement.id }) {
                achievements.append(credential.credentialSubject.achievement)
            }
        }
        let subject = credentials.first?.credentialSubject
        context = Self.contexts
        id = "urn:uuid:" + UUID().uuidString.lowercased()
        type = ["VerifiableCredential", "ClrCredential"]
        name = "Continuing education transcript: \(learnerName), \(period)"
        description = "\(credentials.count) certificates issued by \(issuerName)."
        issuer = OpenBadgeCredential.Profile(id: addresses.issuer, type: ["Profile"], name: issuerName, url: addresses.base)
        validFrom = ISO8601DateFormatter.string(from: time, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        credentialSubject = Subject(id: subject?.id, type: ["ClrSubject"], identifier: subject?.identifier,
                                    achievement: achievements, verifiableCredential: credentials)
        credentialSchema = [.init(id: Self.schema, type: "1EdTechJsonSchemaValidator2019")]
        (iss, jti, sub, nbf) = (issuer.id, id, subject?.id, Int(time.timeIntervalSince1970))
    }
}

extension BadgeMaker {
    /// The activity a certificate was issued from, as the registry recorded it at issue
    /// (the activity file may have changed since); nil when the registry lacks it.
    public static func recordedActivity(_ record: IssuedRecord, registry: any CertificateRegistry, boards: BoardCatalog) async -> Activity? {
        guard let text = try? await registry.input(sha256: record.activitySHA256) else { return nil }
        return try? ActivityReader.readRecorded(Data(text.utf8), boards: boards)
    }
}

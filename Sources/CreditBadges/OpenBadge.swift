import CreditRecords
import CreditRegistry
import Crypto
import Foundation

/// Where a provider's badge documents live on its service (the base is the service's public
/// address): the issuer's profile, each certificate's verification page (the credential's
/// id), the activities' achievements and the status list that revokes badges.
public struct BadgeAddresses: Sendable, Equatable {
    /// `https://cme.example.org`, without a trailing slash.
    public let base: String

    public init(base: String) {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
    }

    /// The service behind a provider's verification page: its address without `/verify`.
    public static func from(verificationURL: String?) -> BadgeAddresses? {
        guard var url = verificationURL.flatMap(URLComponents.init(string:)), url.scheme != nil, url.host != nil else { return nil }
        url.query = nil
        url.fragment = nil
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        guard path.hasSuffix("/verify") else { return nil }
        url.path = String(path.dropLast("/verify".count))
        return url.string.map(BadgeAddresses.init(base:))
    }

    public var issuer: String { base + "/issuer" }
    public var statusList: String { base + "/status/badges" }
    public func credential(_ certificateID: String) -> String { base + "/verify/" + Self.segment(certificateID) }
    public func achievement(_ activityID: String) -> String { base + "/achievements/" + Self.segment(activityID) }

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }
}

/// An Open Badges 3.0 `OpenBadgeCredential` (a W3C Verifiable Credential, data model 2.0)
/// for one certificate, with the VC-JWT claims it is signed with. The same type reads a
/// credential back: properties of other issuers' badges that CreditPress does not write are
/// ignored.
public struct OpenBadgeCredential: Codable, Sendable, Equatable {
    public static let contexts = ["https://www.w3.org/ns/credentials/v2",
                                  "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    public static let schema = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

    public var context: [String]
    public var id: String
    public var type: [String]
    public var name: String
    public var description: String?
    public var issuer: Profile
    public var validFrom: String
    public var credentialSubject: AchievementSubject
    public var evidence: [Evidence]?
    public var credentialStatus: StatusEntry?
    public var credentialSchema: [CredentialSchema]?
    /// The VC-JWT claims (Open Badges 3.0, section 8.2): absent from a credential embedded
    /// in a CLR, present in the signed token.
    public var iss: String?
    public var jti: String?
    public var sub: String?
    public var nbf: Int?

    enum CodingKeys: String, CodingKey {
        case context = "@context"
        case id, type, name, description, issuer, validFrom, credentialSubject, evidence, credentialStatus, credentialSchema
        case iss, jti, sub, nbf
    }

    public struct Profile: Codable, Sendable, Equatable {
        public var id: String
        public var type: [String]
        public var name: String
        public var url: String?

        public init(id: String, type: [String], name: String, url: String? = nil) {
            (self.id, self.type, self.name, self.url) = (id, type, name, url)
        }
    }

    public struct AchievementSubject: Codable, Sendable, Equatable {
        public var id: String?
        public var type: [String]
        public var identifier: [IdentityObject]?
        public var achievement: Achievement
        public var creditsEarned: Double?
        public var result: [Result]?
        public var activityStartDate: String?
        public var activityEndDate: String?
    }

    public struct IdentityObject: Codable, Sendable, Equatable {
        public var type: String
        public var hashed: Bool
        public var identityHash: String
        public var identityType: String
        public var salt: String?
    }

    public struct Achievement: Codable, Sendable, Equatable {
        public var id: String
        public var type: [String]
        public var achievementType: String?
        public var name: String
        public var description: String
        public var criteria: Criteria
        public var creditsAvailable: Double?
        public var resultDescription: [ResultDescription]?
        public var humanCode: String?
        public var fieldOfStudy: String?
        public var creator: Profile?
    }

    public struct Criteria: Codable, Sendable, Equatable {
        public var id: String?
        public var narrative: String?
    }

    public struct ResultDescription: Codable, Sendable, Equatable {
        public var id: String
        public var type: [String]
        public var name: String
        public var resultType: String
        public var valueMax: String?
    }

    public struct Result: Codable, Sendable, Equatable {
        public var type: [String]
        public var resultDescription: String?
        public var value: String?
    }

    public struct Evidence: Codable, Sendable, Equatable {
        public var type: [String]
        public var name: String?
        public var description: String?
        public var narrative: String?
    }

    public struct StatusEntry: Codable, Sendable, Equatable {
        public var id: String
        public var type: String
        public var statusPurpose: String
        public var statusListIndex: String
        public var statusListCredential: String
    }

    public struct CredentialSchema: Codable, Sendable, Equatable {
        public var id: String
        public var type: String
    }

    /// The certificate id, when the credential is one of CreditPress's (its id is the
    /// certificate's verification page).
    public var certificateID: String? {
        guard let range = id.range(of: "/verify/", options: .backwards) else { return nil }
        return String(id[range.upperBound...]).removingPercentEncoding
    }
}

/// Makes the badge of an issued certificate from the registry's record of it: the same
/// learner, credits and dates the certificate was drawn from.
public struct BadgeMaker: Sendable {
    public let activity: Activity
    public let addresses: BadgeAddresses
    public let boards: BoardCatalog

    public init(activity: Activity, addresses: BadgeAddresses, boards: BoardCatalog) {
        (self.activity, self.addresses, self.boards) = (activity, addresses, boards)
    }

    /// Why a record has no badge, if it has none: only an issued certificate with its
    /// learner on record gets one.
    public static func refusal(_ record: IssuedRecord) -> String? {
        switch record.status {
        case .revoked: return "it is revoked"
        case .superseded: return "it was superseded by \(record.supersededBy ?? "a reissue")"
        case .issued: return record.learner == nil ? "the registry holds no learner record for it (a registry v1 roster row)" : nil
        }
    }

    public var issuer: OpenBadgeCredential.Profile {
        OpenBadgeCredential.Profile(id: addresses.issuer, type: ["Profile"], name: activity.provider.name, url: addresses.base)
    }

    /// The activity as an achievement: what every learner of it completed.
    public var achievement: OpenBadgeCredential.Achievement {
        let id = addresses.achievement(activity.id)
        let descriptions = activity.designations.map { designation in
            OpenBadgeCredential.ResultDescription(id: id + "#" + Self.code(designation.type, board: designation.board?.id),
                                                  type: ["ResultDescription"], name: name(designation.type, board: designation.board?.id),
                                                  resultType: "ext:CreditAmount", valueMax: "\(designation.maximum)")
        }
        let place: String = activity.location.map { ", \($0)" } ?? ""
        let offered: [String] = activity.designations.filter { $0.type != .moc }.map { "\($0.maximum) \(name($0.type, board: nil))" }
        let article = "aeiou".contains(activity.format.phrase.lowercased().first ?? "x") ? "An" : "A"
        var description = "\(article) \(activity.format.phrase) by \(activity.provider.name), \(activity.dateRangeText)\(place)."
        if !offered.isEmpty { description += " Designated for a maximum of " + offered.joined(separator: "; ") + "." }
        return OpenBadgeCredential.Achievement(
            id: id, type: ["Achievement"], achievementType: "CertificateOfCompletion", name: activity.title,
            description: description,
            criteria: OpenBadgeCredential.Criteria(narrative: "Participated in the activity and claimed credit commensurate with the extent of participation"
                                                   + (activity.evaluationRequired ? ", having completed its evaluation." : ".")),
            creditsAvailable: activity.designations.filter { $0.type != .moc }.map { Double($0.maximum.description) ?? 0 }.max(),
            resultDescription: descriptions, humanCode: activity.id, fieldOfStudy: "Continuing medical education",
            creator: issuer)
    }

    /// The credential of one issued certificate, its status at `position` of the status
    /// list, the learner's email hashed with `salt`.
    public func credential(_ record: IssuedRecord, position: Int, salt: String) throws(InputError) -> OpenBadgeCredential {
        if let refusal = Self.refusal(record) {
            throw InputError([Problem(file: "registry", field: record.id, message: "has no badge: \(refusal)")])
        }
        let learner = record.learner!
        let achievement = achievement
        let results = learner.claims.map { claim in
            OpenBadgeCredential.Result(type: ["Result"], resultDescription: achievement.id + "#" + Self.code(claim.type, board: claim.board),
                                       value: "\(claim.amount)")
        }
        // Hours of participation or credit, never MOC points, are the credits earned.
        let earned = learner.claims.filter { $0.type != .moc }.map { Double($0.amount.description) ?? 0 }.max()
        let identity: OpenBadgeCredential.IdentityObject
        if let email = learner.email?.lowercased(), !email.isEmpty {
            identity = .init(type: "IdentityObject", hashed: true, identityHash: "sha256$" + Hex.sha256(Data((email + salt).utf8)),
                             identityType: "emailAddress", salt: salt)
        } else {
            identity = .init(type: "IdentityObject", hashed: true, identityHash: "sha256$" + Hex.sha256(Data((learner.id + salt).utf8)),
                             identityType: "sourcedId", salt: salt)
        }
        let subjectID = "urn:uuid:" + Self.uuid(Hex.sha256(Data((record.learnerID + "\u{0}" + salt).utf8)))
        let validFrom = ISO8601DateFormatter.string(from: record.issuedAt, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
        var evidence: [OpenBadgeCredential.Evidence]?
        if learner.evaluationCompleted {
            evidence = [.init(type: ["Evidence"], name: "Activity evaluation",
                              description: "The learner completed the activity's evaluation before claiming credit.",
                              narrative: learner.claimedAt.map { "Credit claimed on \(ISODate.string($0))." })]
        }
        let statusID = addresses.statusList + "#\(position)"
        let credentialID = addresses.credential(record.id)
        return OpenBadgeCredential(
            context: OpenBadgeCredential.contexts, id: credentialID, type: ["VerifiableCredential", "OpenBadgeCredential"],
            name: "Certificate: \(activity.title)",
            description: "Certificate \(record.id), issued by \(activity.provider.name).",
            issuer: issuer, validFrom: validFrom,
            credentialSubject: .init(id: subjectID, type: ["AchievementSubject"], identifier: [identity], achievement: achievement,
                                     creditsEarned: earned, result: results,
                                     activityStartDate: Self.dateTime(activity.startDate, activity.timeZone),
                                     activityEndDate: Self.dateTime(learner.completionDate, activity.timeZone)),
            evidence: evidence,
            credentialStatus: .init(id: statusID, type: "BitstringStatusListEntry", statusPurpose: "revocation",
                                    statusListIndex: "\(position)", statusListCredential: addresses.statusList),
            credentialSchema: [.init(id: OpenBadgeCredential.schema, type: "1EdTechJsonSchemaValidator2019")],
            iss: issuer.id, jti: credentialID, sub: subjectID, nbf: Int(record.issuedAt.timeIntervalSince1970))
    }

    /// A fresh salt for an email's hash: 16 random bytes in hex.
    public static func newSalt() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// `ama-pra-category-1`, `moc-abim`: a credit type's fragment in result ids.
    static func code(_ type: CreditType, board: String?) -> String {
        type.rawValue + (board.map { "-\($0)" } ?? "")
    }

    func name(_ type: CreditType, board: String?) -> String {
        // The AMA's credit name is a trademark, and printed as one.
        if type == .amaPRACategory1 { return "AMA PRA Category 1 Credit™" }
        guard type == .moc else { return type.displayName }
        let abbreviation = board.flatMap { boards.boards[$0]?.abbreviation } ?? board?.uppercased() ?? ""
        return "\(abbreviation) MOC points".trimmingCharacters(in: .whitespaces)
    }

    /// Midnight of a civil day in the activity's zone, with its offset.
    static func dateTime(_ day: CivilDate, _ zone: TimeZone) -> String? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        guard let date = calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day)) else { return nil }
        return ISO8601DateFormatter.string(from: date, timeZone: zone, formatOptions: [.withInternetDateTime])
    }

    /// A version-4-shaped UUID from hex digits (a digest): stable, and telling nothing.
    static func uuid(_ hex: String) -> String {
        var digits = Array(hex.prefix(32))
        digits[12] = "4"
        digits[16] = ["8", "9", "a", "b"][Int(String(digits[16]), radix: 16)! % 4]
        let text = String(digits)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(text[text.index(text.startIndex, offsetBy: range.lowerBound)..<text.index(text.startIndex, offsetBy: range.upperBound)])
        }
        return parts.joined(separator: "-")
    }
}

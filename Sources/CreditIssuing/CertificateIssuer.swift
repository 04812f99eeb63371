import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation

/// What a certificate is made from, exactly as it was given.
public struct IssueInput {
    public var activity: Activity
    /// The activity file's text, kept in the registry.
    public var activityText: String
    public var learner: Learner
    /// The learner's record (file text or roster row), kept in the registry.
    public var learnerText: String
    public var layoutName: String?
    public var creationDate: Date

    public init(activity: Activity, activityText: String, learner: Learner, learnerText: String,
                layoutName: String? = nil, creationDate: Date) {
        self.activity = activity
        self.activityText = activityText
        self.learner = learner
        self.learnerText = learnerText
        self.layoutName = layoutName
        self.creationDate = creationDate
    }
}

/// An issued certificate: its bytes and registry record.
public struct IssueResult {
    public let id: String
    public let bytes: [UInt8]
    public let certificate: PreparedCertificate
    /// The record, when there is a registry.
    public let record: IssuedRecord?
    /// True when the id was already issued and its file was reproduced byte for byte.
    public let reproduced: Bool

    /// Writes the PDF so that it appears only once complete.
    public func write(to url: URL) throws {
        try AtomicFile.write(Data(bytes), to: url, durable: true)
    }
}

/// The one issuing path, for `certificate`, `batch`, `reissue` and the service: derives
/// the id, asks the registry whether it was issued before, draws (here, or in a render pool
/// for a batch), builds the registry record and records it in one step that cannot race.
/// It keeps the registry's promise that an issued certificate never changes: asked again,
/// it gives the same bytes or refuses.
public final class CertificateIssuer: @unchecked Sendable {
    public let renderer: CertificateRenderer
    public let idKey: IssuerKey
    public let signing: SigningIdentity?
    public let registry: (any CertificateRegistry)?
    public var certify = false

    public init(renderer: CertificateRenderer, idKey: IssuerKey, signing: SigningIdentity?, registry: (any CertificateRegistry)?) {
        self.renderer = renderer
        self.idKey = idKey
        self.signing = signing
        self.registry = registry
    }

    /// What issuing a learner's certificate comes to, before anything is drawn.
    package enum Plan: Sendable {
        /// A new certificate under this id.
        case new(id: String)
        /// Issued before: reproduce this record's file exactly.
        case reproduce(IssuedRecord)
    }

    /// Asks the registry, if there is one, about the learner's certificate for the activity;
    /// refuses one that was revoked or superseded.
    package func plan(activityID: String, learnerID: String) async throws -> Plan {
        if let registry, let existing = try await registry.latest(activityID: activityID, learnerID: learnerID) {
            switch existing.status {
            case .issued:
                return .reproduce(existing)
            case .revoked:
                throw RegistryError("certificate \(existing.id) for learner \(learnerID) was revoked (\(existing.statusReason ?? "no reason given")); use `creditpress reissue` with a reason to issue a new one")
            case .superseded:
                throw RegistryError("certificate \(existing.id) was superseded by \(existing.supersededBy ?? "?")")
            }
        }
        return .new(id: CertificateID.make(activity: activityID, learner: learnerID, key: idKey.key))
    }

    /// The certificate for `input`: newly issued, or, when the registry already holds one
    /// for this activity and learner, that one reproduced exactly. Two requests for the same
    /// learner at once give one record and the same bytes.
    public func issue(_ input: IssueInput) async throws -> IssueResult {
        switch try await plan(activityID: input.activity.id, learnerID: input.learner.id) {
        case .reproduce(let record):
            return try reproduce(record, input: input)
        case .new(let id):
            let made = try make(input, id: id, revision: 1)
            guard let registry, let record = made.record else { return made }
            switch try await registry.recordOrFetch(record, activityText: input.activityText, actor: renderer.environment.actor) {
            case .recorded:
                return made
            case .existing(let first):
                // Issued at the same moment by another request: that one is the certificate.
                return try reproduce(first, input: input)
            }
        }
    }

    /// A corrected certificate under a new id that supersedes `oldID`, with the reason kept.
    /// A corrected certificate under a new id that supersedes `oldID`. A signed certificate
    /// is replaced by a signed one: without a signing identity it is refused, unless
    /// `allowUnsigned` says an unsigned replacement is meant.
    public func reissue(_ oldID: String, input: IssueInput, reason: String, allowUnsigned: Bool = false) async throws -> IssueResult {
        let old = try await supersedable(oldID)
        guard old.activityID == input.activity.id, old.learnerID == input.learner.id else {
            throw RegistryError("\(oldID) is learner \(old.learnerID)'s certificate for activity \(old.activityID), not learner \(input.learner.id)'s for \(input.activity.id)")
        }
        if old.signature != nil, signing == nil, !allowUnsigned {
            throw RegistryError("\(oldID) was signed, so its replacement must be signed too: give the signing folder (--signing DIR or $CREDITPRESS_SIGNING), or --unsigned if an unsigned replacement is really meant")
        }
        guard let registry else { throw RegistryError("reissuing needs the registry (--registry FILE)") }
        let latest = try await registry.latest(activityID: old.activityID, learnerID: old.learnerID)
        let revision = (latest?.revision ?? old.revision) + 1
        let id = CertificateID.make(activity: input.activity.id, learner: input.learner.id, key: idKey.key, revision: revision)
        let made = try make(input, id: id, revision: revision)
        guard var record = made.record else { throw RegistryError("no record was made") }
        record.supersedes = oldID
        try await registry.supersede(id: oldID, with: record, reason: reason, activityText: input.activityText,
                                     actor: renderer.environment.actor)
        return IssueResult(id: id, bytes: made.bytes, certificate: made.certificate, record: record, reproduced: false)
    }

    /// The registry's record of `oldID`, when it can be superseded: issued, not revoked or
    /// superseded already.
    public func supersedable(_ oldID: String) async throws -> IssuedRecord {
        guard let registry else {
            throw RegistryError("reissuing needs the registry the certificate was recorded in (--registry FILE or $CREDITPRESS_REGISTRY); a certificate issued without one has no record to supersede: issue it again with the corrected data")
        }
        guard let old = try await registry.record(id: oldID) else {
            throw RegistryError("\(oldID) is not in the registry \(registry.location)")
        }
        switch old.status {
        case .issued: return old
        case .superseded: throw RegistryError("\(oldID) was superseded already, by \(old.supersededBy ?? "another certificate"); reissue that one")
        case .revoked: return old
        }
    }

    /// The issued certificate `record` drawn again from its recorded input (the learner and
    /// the activity the registry kept; artwork from `activityFolder`), byte for byte as issued.
    public func reprint(_ record: IssuedRecord, activityFolder: URL, displayName: String, layoutName: String? = nil) async throws -> IssueResult {
        guard let registry else { throw RegistryError("reprinting needs the registry (--registry FILE)") }
        guard let activityText = try await registry.input(sha256: record.activitySHA256) else {
            throw RegistryError("the registry has no copy of the activity file \(record.id) was issued from")
        }
        guard let learner = record.learner else {
            throw RegistryError("the registry's record of \(record.id) does not hold the learner's details (recorded by an older version)")
        }
        let activity = try renderer.readActivity(Data(activityText.utf8), displayName: displayName, directory: activityFolder)
        let input = IssueInput(activity: activity, activityText: activityText, learner: learner, learnerText: record.learnerInput,
                               layoutName: layoutName ?? record.layoutName, creationDate: record.issuedAt)
        let result = try reproduce(record, input: input)
        return result
    }

    private func make(_ input: IssueInput, id: String, revision: Int) throws -> IssueResult {
        let (certificate, drawn) = try renderer.draw(activity: input.activity, learner: input.learner, layoutName: input.layoutName,
                                                     creationDate: input.creationDate, id: id, stored: nil,
                                                     signing: signing, certify: certify)
        let record: IssuedRecord? = registry == nil ? nil : self.record(
            id: id, kind: certificate.request.kind, activity: input.activity, activitySHA256: Hex.sha256(Array(input.activityText.utf8)),
            learner: input.learner, learnerInput: input.learnerText, drawn: drawn, issuedAt: input.creationDate, revision: revision)
        return IssueResult(id: id, bytes: drawn.bytes, certificate: certificate, record: record, reproduced: false)
    }

    private func reproduce(_ record: IssuedRecord, input: IssueInput) throws -> IssueResult {
        let (certificate, drawn) = try renderer.draw(activity: input.activity, learner: input.learner, layoutName: input.layoutName,
                                                     creationDate: record.issuedAt, id: record.id, stored: record,
                                                     signing: signing, certify: certify)
        guard drawn.sha256 == record.pdfSHA256 else {
            throw RegistryError("""
                certificate \(record.id) was issued on \(ISODate.string(record.issuedAt)) and is frozen, but these inputs or \
                templates now give a different file (\(Self.differences(record, input: input, certificate: certificate))); \
                to correct it, run `creditpress reissue --id \(record.id) --reason \"…\"` with the corrected learner file or roster (--learner or --roster), which makes a new id that supersedes it
                """)
        }
        return IssueResult(id: record.id, bytes: drawn.bytes, certificate: certificate, record: record, reproduced: true)
    }

    /// The registry's record of a certificate just drawn: the same for every issuing path.
    package func record(id: String, kind: CertificateKind, activity: Activity, activitySHA256: String, learner: Learner,
                        learnerInput: String, drawn: DrawnCertificate, issuedAt: Date, revision: Int) -> IssuedRecord {
        let material = drawn.material
        return IssuedRecord(
            id: id, activityID: activity.id, learnerID: learner.id, kind: kind.rawValue,
            claims: learner.claims.map(IssuedClaim.init), learnerName: learner.professionalName, learner: learner,
            layoutName: material.layoutName, layoutVersion: material.layoutVersion, statementVersions: material.statementVersions,
            activitySHA256: activitySHA256, learnerInput: learnerInput, pdfSHA256: drawn.sha256, issuedAt: issuedAt,
            qrText: material.qr, signature: material.signature.flatMap { Data(base64Encoded: $0) },
            signatureRoom: material.signatureRoom, signedAt: material.signedAt, certified: material.certified,
            revision: revision, recordedAt: renderer.environment.clock.now())
    }

    /// What differs from the record, as far as the record tells.
    static func differences(_ record: IssuedRecord, input: IssueInput, certificate: PreparedCertificate) -> String {
        var changes: [String] = []
        if record.activitySHA256 != Hex.sha256(Array(input.activityText.utf8)) { changes.append("the activity file changed") }
        if record.learnerInput != input.learnerText { changes.append("the learner's record changed") }
        if record.layout != "\(certificate.layout.name) v\(certificate.layout.version)" {
            changes.append("layout \(record.layout) is now \(certificate.layout.name) v\(certificate.layout.version)")
        }
        if record.statementVersions != Self.json(certificate.statementVersions) { changes.append("statement templates changed") }
        return changes.isEmpty ? "templates, fonts or the program changed" : changes.joined(separator: ", ")
    }

    static func json(_ versions: [String: Int]) -> String {
        "{" + versions.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
    }
}

extension IssuedRecord {
    /// The signature recorded at issue, which reproduces the issued file.
    public var storedSignature: StoredSignature? {
        signature.map {
            StoredSignature(cms: Array($0), room: signatureRoom ?? PDFSignatureOptions.defaultCapacity(timestamped: false),
                            signedAt: signedAt ?? issuedAt, certified: certified)
        }
    }
}

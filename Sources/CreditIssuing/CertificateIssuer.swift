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

/// Issues certificates: derives the id, signs, and keeps the registry's promise that an
/// issued certificate never changes — asked again, it gives the same bytes or refuses.
public final class CertificateIssuer {
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

    /// The certificate for `input`: newly issued, or, when the registry already holds one
    /// for this activity and learner, that one reproduced exactly.
    public func issue(_ input: IssueInput) throws -> IssueResult {
        if let registry, let existing = try registry.latest(activityID: input.activity.id, learnerID: input.learner.id) {
            switch existing.status {
            case .issued:
                return try reproduce(existing, input: input)
            case .revoked:
                throw RegistryError("certificate \(existing.id) for learner \(input.learner.id) was revoked (\(existing.statusReason ?? "no reason given")); use `creditpress reissue` with a reason to issue a new one")
            case .superseded:
                throw RegistryError("certificate \(existing.id) was superseded by \(existing.supersededBy ?? "?")")
            }
        }
        let id = CertificateID.make(activity: input.activity.id, learner: input.learner.id, key: idKey.key)
        let made = try make(input, id: id, revision: 1)
        if let registry, let record = made.record {
            try registry.recordIssued([record], activityText: input.activityText, actor: renderer.environment.actor)
        }
        return made
    }

    /// A corrected certificate under a new id that supersedes `oldID`, with the reason kept.
    public func reissue(_ oldID: String, input: IssueInput, reason: String) throws -> IssueResult {
        guard let registry else { throw RegistryError("reissuing needs the registry (--registry FILE)") }
        guard let old = try registry.record(id: oldID) else {
            throw RegistryError("\(oldID) is not in the registry \(registry.location)")
        }
        guard old.activityID == input.activity.id, old.learnerID == input.learner.id else {
            throw RegistryError("\(oldID) is learner \(old.learnerID)'s certificate for activity \(old.activityID), not learner \(input.learner.id)'s for \(input.activity.id)")
        }
        let latest = try registry.latest(activityID: old.activityID, learnerID: old.learnerID)
        let revision = (latest?.revision ?? old.revision) + 1
        let id = CertificateID.make(activity: input.activity.id, learner: input.learner.id, key: idKey.key, revision: revision)
        var made = try make(input, id: id, revision: revision)
        guard var record = made.record else { throw RegistryError("no record was made") }
        record.supersedes = oldID
        try registry.supersede(id: oldID, with: record, reason: reason, activityText: input.activityText,
                                actor: renderer.environment.actor)
        made = IssueResult(id: id, bytes: made.bytes, certificate: made.certificate, record: record, reproduced: false)
        return made
    }

    private func make(_ input: IssueInput, id: String, revision: Int) throws -> IssueResult {
        let certificate = try renderer.prepare(activity: input.activity, learner: input.learner, layoutName: input.layoutName,
                                               creationDate: input.creationDate,
                                               issue: IssueDetails(certificateID: id, signing: signing))
        let finished = try renderer.finishedPDF(certificate, signing: signing, certify: certify)
        let record = registry == nil ? nil : Self.record(id: id, input: input, certificate: certificate, finished: finished, revision: revision,
                                                         at: renderer.environment.clock.now())
        return IssueResult(id: id, bytes: finished.bytes, certificate: certificate, record: record, reproduced: false)
    }

    private func reproduce(_ record: IssuedRecord, input: IssueInput) throws -> IssueResult {
        let certificate = try renderer.prepare(activity: input.activity, learner: input.learner, layoutName: input.layoutName,
                                               creationDate: record.issuedAt,
                                               issue: IssueDetails(certificateID: record.id, signing: signing, storedQR: record.qrText))
        let stored = record.storedSignature
        let finished = try renderer.finishedPDF(certificate, signing: stored == nil ? nil : signing, stored: stored)
        guard Hex.sha256(finished.bytes) == record.pdfSHA256 else {
            throw RegistryError("""
                certificate \(record.id) was issued on \(ISODate.string(record.issuedAt)) and is frozen, but these inputs or \
                templates now give a different file (\(Self.differences(record, input: input, certificate: certificate))); \
                to correct it, run `creditpress reissue --id \(record.id) --reason …`, which makes a new id that supersedes it
                """)
        }
        return IssueResult(id: record.id, bytes: finished.bytes, certificate: certificate, record: record, reproduced: true)
    }

    /// What differs from the record, as far as the record tells.
    package static func differences(_ record: IssuedRecord, input: IssueInput, certificate: PreparedCertificate) -> String {
        var changes: [String] = []
        if record.activitySHA256 != Hex.sha256(Array(input.activityText.utf8)) { changes.append("the activity file changed") }
        if record.learnerInput != input.learnerText { changes.append("the learner's record changed") }
        if record.layout != "\(certificate.layout.name) v\(certificate.layout.version)" {
            changes.append("layout \(record.layout) is now \(certificate.layout.name) v\(certificate.layout.version)")
        }
        if record.statementVersions != Self.json(certificate.statementVersions) { changes.append("statement templates changed") }
        return changes.isEmpty ? "templates, fonts or the program changed" : changes.joined(separator: ", ")
    }

    package static func record(id: String, input: IssueInput, certificate: PreparedCertificate, finished: FinishedPDF,
                               revision: Int, at time: Date) -> IssuedRecord {
        IssuedRecord(
            id: id, activityID: input.activity.id, learnerID: input.learner.id, kind: certificate.request.kind.rawValue,
            credits: IssuedRecord.credits(input.learner.claims),
            learnerName: input.learner.professionalName,
            layout: "\(certificate.layout.name) v\(certificate.layout.version)",
            statementVersions: json(certificate.statementVersions),
            activitySHA256: Hex.sha256(Array(input.activityText.utf8)), learnerInput: input.learnerText,
            pdfSHA256: Hex.sha256(finished.bytes), issuedAt: input.creationDate, qrText: certificate.qrText,
            signature: finished.signature.map { Data($0.cms) }, signatureRoom: finished.signature?.room, signedAt: finished.signature?.signedAt,
            certified: finished.signature?.certified ?? false,
            status: .issued, statusReason: nil, supersededBy: nil, supersedes: nil, revision: revision, recordedAt: time)
    }

    package static func json(_ versions: [String: Int]) -> String {
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

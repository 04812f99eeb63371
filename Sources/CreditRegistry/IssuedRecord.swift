import CreditRecords
import Foundation

/// One issued certificate as the registry keeps it: a plain value, whatever stores it.
public struct IssuedRecord: Sendable, Codable {
    public enum Status: String, Codable, Sendable {
        case issued, revoked, superseded
    }

    public var id: String
    public var activityID: String
    public var learnerID: String
    public var kind: String
    /// What the certificate awards, one entry per credit type (and board).
    public var claims: [IssuedClaim]
    public var learnerName: String
    /// The learner as read and checked at issue (nil for records of registry v1 whose input
    /// was a roster row: that row is in `learnerInput`).
    public var learner: Learner?
    public var layoutName: String
    public var layoutVersion: Int
    /// The statement templates' versions as JSON, `{"ama-designation": 1, …}`.
    public var statementVersions: String
    /// The exact input: the activity file's SHA-256 (its text is in the registry's inputs)
    /// and the learner's record (file text or roster row), as given.
    public var activitySHA256: String
    public var learnerInput: String
    public var pdfSHA256: String
    /// What reproduces the issued file byte for byte: the issue date, the QR text and the
    /// CMS signature with its signing time.
    public var issuedAt: Date
    public var qrText: String?
    public var signature: Data?
    /// The bytes `/Contents` had room for.
    public var signatureRoom: Int?
    public var signedAt: Date?
    /// A DocMDP certification signature.
    public var certified: Bool
    public var status: Status
    public var statusReason: String?
    public var supersededBy: String?
    public var supersedes: String?
    /// 1 for the first certificate of an activity and learner, 2 for its first reissue…
    public var revision: Int
    public var recordedAt: Date

    public init(id: String, activityID: String, learnerID: String, kind: String, claims: [IssuedClaim],
                learnerName: String, learner: Learner?, layoutName: String, layoutVersion: Int,
                statementVersions: String, activitySHA256: String, learnerInput: String, pdfSHA256: String,
                issuedAt: Date, qrText: String?, signature: Data?, signatureRoom: Int?, signedAt: Date?,
                certified: Bool, status: Status = .issued, statusReason: String? = nil, supersededBy: String? = nil,
                supersedes: String? = nil, revision: Int, recordedAt: Date) {
        self.id = id
        self.activityID = activityID
        self.learnerID = learnerID
        self.kind = kind
        self.claims = claims
        self.learnerName = learnerName
        self.learner = learner
        self.layoutName = layoutName
        self.layoutVersion = layoutVersion
        self.statementVersions = statementVersions
        self.activitySHA256 = activitySHA256
        self.learnerInput = learnerInput
        self.pdfSHA256 = pdfSHA256
        self.issuedAt = issuedAt
        self.qrText = qrText
        self.signature = signature
        self.signatureRoom = signatureRoom
        self.signedAt = signedAt
        self.certified = certified
        self.status = status
        self.statusReason = statusReason
        self.supersededBy = supersededBy
        self.supersedes = supersedes
        self.revision = revision
        self.recordedAt = recordedAt
    }

    /// `physician-cme v1`.
    public var layout: String { "\(layoutName) v\(layoutVersion)" }

    /// `ama-pra-category-1 20; moc:abim 20`, as verification compares the QR code's credits.
    public var credits: String {
        claims.map { "\($0.code) \($0.amount)" }.joined(separator: "; ")
    }
}

/// One credit a certificate awards, as the claim table keeps it: what reports are made from.
public struct IssuedClaim: Sendable, Equatable, Codable {
    /// `ama-pra-category-1`, `ancc`, `acpe`, `moc`…
    public var creditType: String
    /// The certifying board of MOC points (`abim`), nil otherwise.
    public var board: String?
    /// The board's point type (`practice-assessment`), when given.
    public var pointType: String?
    /// The amount as printed, `24.5`.
    public var amount: String

    public init(creditType: String, board: String? = nil, pointType: String? = nil, amount: String) {
        self.creditType = creditType
        self.board = board
        self.pointType = pointType
        self.amount = amount
    }

    public init(_ claim: Learner.Claim) {
        self.init(creditType: claim.type.rawValue, board: claim.board, pointType: claim.pointType, amount: "\(claim.amount)")
    }

    /// `moc:abim` or `ancc`, as the QR payload and the v1 `credits` column name it.
    public var code: String { board.map { "\(creditType):\($0)" } ?? creditType }

    /// The claims a registry v1 `credits` text (`ama-pra-category-1 20; moc:abim 20`) names.
    public static func parse(credits text: String) -> [IssuedClaim] {
        text.split(separator: ";").compactMap { part in
            let words = part.split(separator: " ")
            guard words.count == 2 else { return nil }
            let code = words[0].split(separator: ":", maxSplits: 1).map(String.init)
            return IssuedClaim(creditType: code[0], board: code.count > 1 ? code[1] : nil, amount: String(words[1]))
        }
    }
}

/// One entry of the audit trail.
public struct AuditEntry: Sendable, Equatable {
    public var sequence: Int64?
    public var at: Date
    public var certificateID: String
    /// `issue`, `reissue`, `revoke`, `supersede`.
    public var action: String
    public var reason: String?
    public var actor: String

    public init(sequence: Int64? = nil, at: Date, certificateID: String, action: String, reason: String?, actor: String) {
        self.sequence = sequence
        self.at = at
        self.certificateID = certificateID
        self.action = action
        self.reason = reason
        self.actor = actor
    }
}

/// What recording a new certificate did.
public enum RecordOutcome: Sendable {
    /// The certificate is now recorded.
    case recorded(IssuedRecord)
    /// A certificate with that id was recorded first (by a request or run at the same time):
    /// nothing was written, and this is the one the registry holds.
    case existing(IssuedRecord)
}

/// A registry change that was refused or failed.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension RegistryError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(kind: .registry, file: "", message: description)] }
}

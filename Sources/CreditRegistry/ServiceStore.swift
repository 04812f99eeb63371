import CreditRecords
import Foundation

/// A learner's account on the service: who she is to the registry (`learnerID`), how she
/// signs in (`email`), and her Account Details (`profile`, a learner record as JSON).
public struct Account: Sendable, Equatable {
    public var id: String
    public var email: String
    public var learnerID: String
    public var profile: String
    public var createdAt: Date

    public init(id: String, email: String, learnerID: String, profile: String, createdAt: Date) {
        (self.id, self.email, self.learnerID, self.profile, self.createdAt) = (id, email, learnerID, profile, createdAt)
    }
}

/// A message waiting in the outbox.
public struct OutgoingMail: Sendable, Equatable {
    public var id: String
    public var recipient: String
    public var subject: String
    public var body: String
    public var createdAt: Date
    /// Deliveries tried so far.
    public var attempts = 0

    public init(id: String, recipient: String, subject: String, body: String, createdAt: Date, attempts: Int = 0) {
        (self.id, self.recipient, self.subject, self.body, self.createdAt) = (id, recipient, subject, body, createdAt)
        self.attempts = attempts
    }
}

/// What the service keeps beside the registry: accounts, one-time sign-in links, sessions
/// and the outbox. Secrets are never stored, only their SHA-256. Every change that must not
/// race (redeeming a link) is one statement.
public protocol ServiceStore: ReportLedger {
    func account(email: String) async throws -> Account?
    func account(id: String) async throws -> Account?
    /// The account for `email`, made with `learnerID` when there is none.
    func accountMaking(email: String, learnerID: String, at time: Date) async throws -> Account
    func saveProfile(accountID: String, profile: String) async throws
    func addSignIn(tokenSHA256: String, accountID: String, expiresAt: Date) async throws
    /// The account a link signs in, once: a used, expired or unknown link gives nil.
    func redeemSignIn(tokenSHA256: String, at time: Date) async throws -> String?
    func addSession(idSHA256: String, accountID: String, csrf: String, expiresAt: Date) async throws
    /// The session's account and CSRF token, unless it ended or expired.
    func session(idSHA256: String, at time: Date) async throws -> (accountID: String, csrf: String)?
    func endSession(idSHA256: String) async throws
    func enqueue(_ mail: OutgoingMail) async throws
    /// Messages not yet sent whose next attempt is due at `time`, oldest first.
    func unsentMail(limit: Int, at time: Date) async throws -> [OutgoingMail]
    func markSent(id: String, at time: Date) async throws
    /// A refused delivery: the reason (no address in it) and when to try again.
    func markFailed(id: String, reason: String, retryAt: Date) async throws
    /// Removes sign-in links and sessions that expired before `time`; how many went.
    func pruneExpired(at time: Date) async throws -> Int

    /// A staff import: the account for `email`, made with this learner id and Account
    /// Details when there is none (an existing account keeps its own).
    func accountImporting(email: String, learnerID: String, profile: String, at time: Date) async throws -> (account: Account, made: Bool)
    /// Enrols the account in the activity; enrolling again changes nothing.
    func enrol(accountID: String, activityID: String, via: EnrolmentRoute, at time: Date) async throws
    func enrolments(accountID: String) async throws -> [EnrolmentRecord]
    func saveEvaluation(accountID: String, activityID: String, answers: String, at time: Date) async throws
    /// The answers (JSON) and when they were given.
    func evaluation(accountID: String, activityID: String) async throws -> (answers: String, submittedAt: Date)?
    /// Keeps an issued certificate's file; the first one kept for an id stays.
    func keepFile(certificateID: String, pdf: [UInt8]) async throws
    func file(certificateID: String) async throws -> [UInt8]?
    /// A session's account in one lookup, unless the session ended or expired.
    func sessionAccount(idSHA256: String, at time: Date) async throws -> (account: Account, csrf: String)?
    /// What a download checks before it sends a kept file: whose it is, its status and digest.
    func fileFacts(certificateID: String) async throws -> (learnerID: String, status: IssuedRecord.Status, pdfSHA256: String, supersededBy: String?)?
    /// Every certificate issued to the learner, oldest first.
    func certificates(learnerID: String) async throws -> [IssuedRecord]
}

/// How a learner came to be enrolled.
public enum EnrolmentRoute: String, Sendable {
    /// A staff roster import.
    case roster
    /// She typed the activity's code.
    case code
    /// The activity is open, and she added it.
    case open
}

/// One enrolment.
public struct EnrolmentRecord: Sendable, Equatable {
    public var activityID: String
    public var via: EnrolmentRoute
    public var enrolledAt: Date

    public init(activityID: String, via: EnrolmentRoute, enrolledAt: Date) {
        (self.activityID, self.via, self.enrolledAt) = (activityID, via, enrolledAt)
    }
}

/// One record an export sent: to whom (`target`, `pars`), which credit, added or deleted,
/// and the fields as sent (a later delete repeats them).
public struct ReportEntry: Sendable, Equatable {
    public enum Action: String, Sendable {
        case add, delete
    }

    public var creditID: String
    public var certificateID: String
    public var action: Action
    public var contentSHA256: String
    public var fields: [String]
    public var exportFile: String
    public var exportedAt: Date
    /// What the receiving service answered, when it answers per record (CPE Monitor):
    /// `accepted` or `rejected`, and its message; nil for a file handed over.
    public var status: String?
    public var statusMessage: String?

    public init(creditID: String, certificateID: String, action: Action, contentSHA256: String, fields: [String],
                exportFile: String, exportedAt: Date, status: String? = nil, statusMessage: String? = nil) {
        (self.creditID, self.certificateID, self.action, self.contentSHA256) = (creditID, certificateID, action, contentSHA256)
        (self.fields, self.exportFile, self.exportedAt) = (fields, exportFile, exportedAt)
        (self.status, self.statusMessage) = (status, statusMessage)
    }
}

/// The reporting ledger beside the registry, and the registry's certificates of one activity.
public protocol ReportLedger: AnyObject, Sendable {
    /// Every certificate of the activity, whatever its status, oldest first.
    func certificates(activityID: String) async throws -> [IssuedRecord]
    /// The last entry sent to `target` for each credit id.
    func latestEntries(target: String) async throws -> [String: ReportEntry]
    /// Records the entries of one export, in order, in one transaction.
    func record(_ entries: [ReportEntry], target: String) async throws
    /// Each certificate's place in the badge status list, given on first asking (the next
    /// free place) and kept for good.
    func statusPositions(for certificateIDs: [String]) async throws -> [String: Int]
    /// Every place given so far.
    func allStatusPositions() async throws -> [String: Int]
    /// The ids of every certificate revoked or superseded: the badges the status list revokes.
    func withdrawnCertificateIDs() async throws -> Set<String>
}

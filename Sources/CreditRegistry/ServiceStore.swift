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

    public init(id: String, recipient: String, subject: String, body: String, createdAt: Date) {
        (self.id, self.recipient, self.subject, self.body, self.createdAt) = (id, recipient, subject, body, createdAt)
    }
}

/// What the service keeps beside the registry: accounts, one-time sign-in links, sessions
/// and the outbox. Secrets are never stored, only their SHA-256. Every change that must not
/// race (redeeming a link) is one statement.
public protocol ServiceStore: AnyObject, Sendable {
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
    func unsentMail(limit: Int) async throws -> [OutgoingMail]
    func markSent(id: String, at time: Date) async throws
}

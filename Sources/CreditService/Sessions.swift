import CreditRecords
import CreditRegistry
import Crypto
import Foundation
import Hummingbird

/// A signed-in learner, as a request finds her: her account and the CSRF token every form
/// she submits must carry.
struct LearnerSession: Sendable {
    var account: Account
    var csrf: String
}

/// Sessions in the service's database, reached through a cookie that holds a random secret
/// (only its SHA-256 is stored): Secure, HttpOnly, SameSite=Lax, for 12 hours.
struct Sessions: Sendable {
    let store: any ServiceStore
    let clock: any CreditClock
    static let cookie = "creditpress_session"
    static let lifetime: TimeInterval = 12 * 3600

    /// A new random secret: 32 bytes, URL-safe base 64.
    static func secret() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func digest(_ secret: String) -> String { Hex.sha256(Data(secret.utf8)) }

    /// The request's session, if its cookie names a live one.
    func current(_ request: Request) async -> LearnerSession? {
        guard let secret = Self.cookieValue(request), secret.count < 100,
              let found = try? await store.sessionAccount(idSHA256: Self.digest(secret), at: clock.now()) else { return nil }
        return LearnerSession(account: found.account, csrf: found.csrf)
    }

    /// Starts a session for `accountID`; the `Set-Cookie` value to send.
    func start(accountID: String) async throws -> String {
        let secret = Self.secret()
        try await store.addSession(idSHA256: Self.digest(secret), accountID: accountID, csrf: Self.secret(),
                                   expiresAt: clock.now().addingTimeInterval(Self.lifetime))
        return "\(Self.cookie)=\(secret); Path=/; Max-Age=\(Int(Self.lifetime)); HttpOnly; Secure; SameSite=Lax"
    }

    func end(_ request: Request) async -> String {
        if let secret = Self.cookieValue(request) { try? await store.endSession(idSHA256: Self.digest(secret)) }
        return "\(Self.cookie)=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax"
    }

    static func cookieValue(_ request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == cookie { return String(parts[1]) }
            }
        }
        return nil
    }

    /// A form post is the learner's own: its `csrf` field is her session's token, and the
    /// browser's Origin, when it says one, is this site's.
    static func isGenuine(_ form: [String: String], session: LearnerSession, request: Request) -> Bool {
        guard let token = form["csrf"], token.utf8.count == session.csrf.utf8.count,
              zip(token.utf8, session.csrf.utf8).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { return false }
        if let origin = request.headers[.origin], let host = request.head.authority {
            return origin == "http://\(host)" || origin == "https://\(host)"
        }
        return true
    }
}

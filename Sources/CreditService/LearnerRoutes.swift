import CreditRecords
import CreditRegistry
import Foundation
import Hummingbird
import Logging

/// The learner's side: sign-in by a one-time emailed link, Account Details, and the gate
/// before any claim. Every page that shows her records needs her session; every form she
/// posts carries her session's CSRF token.
struct LearnerRoutes {
    let store: any ServiceStore
    let sessions: Sessions
    let pages: Pages
    let clock: any CreditClock
    let publicURL: String
    /// Development: the folder mail is written to, whose sign-in links are also logged.
    let developmentOutbox: URL?
    let mail: MailDelivery
    let logger: Logger
    let signInsPerAddress: RateLimiter
    let signInsPerEmail: RateLimiter
    let redemptionsPerAddress: RateLimiter
    let address: ClientAddress

    static let linkLifetime: TimeInterval = 15 * 60

    func add(to router: Router<ServiceContext>) {
        router.get("/sign-in") { _, _ in pages.page("sign-in", [:]) }
        router.post("/sign-in") { request, context in try await signIn(request, context: context) }
        router.get("/sign-in/:token") { request, context in
            guard redemptionsPerAddress.allow(address.of(request, context: context)) else {
                return pages.tooManyRequests("sign-in", ["problem": "Too many sign-in links were tried from this address; wait a minute, then open your link again."])
            }
            return try await redeem(context.parameters.get("token") ?? "")
        }
        router.post("/sign-out") { request, context in
            guard let session = await sessions.current(request) else { return Self.redirect("/") }
            let form = try await VerifyRoutes.form(request, context: context)
            guard Sessions.isGenuine(form, session: session, request: request) else { return Self.forbidden(pages) }
            var response = Self.redirect("/")
            response.headers[.setCookie] = await sessions.end(request)
            return response
        }
        router.get("/account") { request, _ in
            guard let session = await sessions.current(request) else { return Self.redirect("/sign-in") }
            var values = AccountDetails(json: session.account.profile).values(session: session)
            // Sent here from a claim: say why.
            values["gate"] = request.uri.queryParameters.get("gate") != nil
            return pages.page("account", values)
        }
        router.post("/account") { request, context in
            guard let session = await sessions.current(request) else { return Self.redirect("/sign-in") }
            let form = try await VerifyRoutes.form(request, context: context)
            guard Sessions.isGenuine(form, session: session, request: request) else { return Self.forbidden(pages) }
            let details = AccountDetails(form: form)
            let problems = details.problems
            guard problems.isEmpty else {
                var values = details.values(session: session)
                values["problems"] = problems.map { ["field": $0.field, "message": $0.message] }
                values["hasProblems"] = true
                return pages.page("account", values, status: .unprocessableContent)
            }
            try await store.saveProfile(accountID: session.account.id, profile: details.json)
            return Self.redirect("/activities")
        }
    }

    private func signIn(_ request: Request, context: ServiceContext) async throws -> Response {
        let form = try await VerifyRoutes.form(request, context: context)
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard email.utf8.count <= 254, email.wholeMatch(of: /[^@\s]+@[^@\s]+\.[^@\s]+/) != nil else {
            return pages.page("sign-in", ["problem": "Give the email address you registered with, such as name@example.org.", "email": email],
                              status: .unprocessableContent)
        }
        guard signInsPerAddress.allow(address.of(request, context: context)), signInsPerEmail.allow(email) else {
            return pages.tooManyRequests("sign-in", ["problem": "Too many sign-in links were asked for; wait a minute, then ask again."])
        }
        let account = try await store.accountMaking(email: email, learnerID: "W-" + Sessions.secret().prefix(12).uppercased(), at: clock.now())
        let token = Sessions.secret()
        try await store.addSignIn(tokenSHA256: Sessions.digest(token), accountID: account.id,
                                  expiresAt: clock.now().addingTimeInterval(Self.linkLifetime))
        let link = "\(publicURL)/sign-in/\(token)"
        try await store.enqueue(OutgoingMail(
            id: UUID().uuidString.lowercased(), recipient: email, subject: "Your sign-in link",
            body: """
                To sign in to your CME certificates, open this link within 15 minutes:

                \(link)

                It works once. If you did not ask for it, ignore this message.
                """,
            createdAt: clock.now()))
        if let developmentOutbox, let drainer = mail.drainer {
            // Development only: the outbox is a folder, written at once, and the link is said here too.
            try await drainer.drain()
            logger.info("sign-in link (development outbox \(developmentOutbox.path)): \(link)")
        } else {
            mail.kick()
        }
        // The same answer whether or not the address was known: nobody learns who has an account.
        return pages.page("sign-in-sent", ["email": email])
    }

    private func redeem(_ token: String) async throws -> Response {
        guard token.count < 100, let accountID = try await store.redeemSignIn(tokenSHA256: Sessions.digest(token), at: clock.now()) else {
            return pages.page("sign-in", ["problem": "This sign-in link was used already or has expired: each link works once, for 15 minutes. Ask for a new one below."],
                              status: .gone)
        }
        var response = Self.redirect("/account")
        response.headers[.setCookie] = try await sessions.start(accountID: accountID)
        return response
    }

    static func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path])
    }

    static func forbidden(_ pages: Pages) -> Response {
        pages.page("home", ["problem": "That form was not sent from this site's own page. Open the page again and send it from there."],
                   status: .forbidden)
    }
}

import CreditRecords
import CreditRegistry
import CreditService
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// A clock a test moves by hand.
final class TestClock: CreditClock {
    private let current: Mutex<Date>
    init(_ start: Date) { current = Mutex(start) }
    func now() -> Date { current.withLock { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// Sign-in by a one-time emailed link, Account Details and the profile gate, in process.
struct ServiceLearnerTests {
    struct World: Sendable {
        let service: Service
        let outbox: URL
        let clock: TestClock

        init() async throws {
            let folder = try Fixture.temporaryFolder()
            let registry = try SQLiteRegistry(file: folder.appendingPathComponent("registry.sqlite"))
            outbox = folder.appendingPathComponent("outbox")
            clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
            let environment = CreditEnvironment(resources: Fixture.resources, clock: clock, actor: "test", cacheFolder: nil)
            let configuration = ServiceConfiguration(registry: registry.file, trustRoots: [], signers: [], resources: Fixture.resources,
                                                     publicURL: "https://cme.example.org", outboxFolder: outbox)
            service = try await Service(configuration: configuration, environment: environment, registry: registry)
        }

        func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            try await Application(router: buildRouter(service)).test(.router, body)
        }

        /// The sign-in link mailed to `email` (to anyone when nil); the outbox holds one per address in these tests.
        func link(for email: String? = nil) throws -> String {
            let files = try FileManager.default.contentsOfDirectory(at: outbox, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "eml" }
            let texts = try files.map { try String(contentsOf: $0, encoding: .utf8) }
                .filter { email == nil || $0.contains("To: \(email ?? "")\r\n") }
            let link = texts.compactMap { $0.firstMatch(of: /https:\/\/cme\.example\.org(\/sign-in\/[A-Za-z0-9_-]+)/).map { String($0.1) } }
            return try #require(link.last)
        }
    }

    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func encoded(_ fields: [(String, String)]) -> ByteBuffer {
        ByteBuffer(string: fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
    }

    /// Signs in as `email` through the mailed link; the session cookie.
    static func signIn(_ email: String, world: World, client: any TestClientProtocol) async throws -> String {
        let asked = try await client.execute(uri: "/sign-in", method: .post, headers: form, body: encoded([("email", email)]))
        #expect(asked.status == .ok)
        let redeemed = try await client.execute(uri: try world.link(for: email), method: .get)
        #expect(redeemed.status == .seeOther)
        let cookie = try #require(redeemed.headers[.setCookie])
        return String(cookie.prefix { $0 != ";" })
    }

    static func csrf(_ page: String) throws -> String {
        try #require(page.firstMatch(of: /name="csrf" value="([A-Za-z0-9_-]+)"/).map { String($0.1) })
    }

    @Test func aMailedLinkSignsInOnceWithASecureCookie() async throws {
        let world = try await World()
        try await world.test { client in
            let asked = try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: Self.encoded([("email", "Sarah@Example.org")]))
            #expect(String(buffer: asked.body).contains("If sarah@example.org can sign in here, a sign-in link is on its way"))
            let mail = try String(contentsOf: try #require(try FileManager.default.contentsOfDirectory(at: world.outbox, includingPropertiesForKeys: nil).first),
                                  encoding: .utf8)
            #expect(mail.contains("To: sarah@example.org\r\n"))
            #expect(mail.contains("Subject: Your sign-in link\r\n"))
            let link = try world.link()
            let first = try await client.execute(uri: link, method: .get)
            #expect(first.status == .seeOther)
            #expect(first.headers[.location] == "/account")
            let cookie = try #require(first.headers[.setCookie])
            for flag in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/"] { #expect(cookie.contains(flag), "\(cookie)") }
            let again = try await client.execute(uri: link, method: .get)
            #expect(again.status == .gone)
            #expect(String(buffer: again.body).contains("used already or has expired"))
            let forged = try await client.execute(uri: "/sign-in/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", method: .get)
            #expect(forged.status == .gone)
        }
    }

    @Test func aLinkExpiresAfterFifteenMinutes() async throws {
        let world = try await World()
        try await world.test { client in
            _ = try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: Self.encoded([("email", "late@example.org")]))
            world.clock.advance(15 * 60 + 1)
            #expect(try await client.execute(uri: try world.link(), method: .get).status == .gone)
        }
    }

    @Test func aBadAddressAndTooManyRequestsAreRefused() async throws {
        let world = try await World()
        try await world.test { client in
            let bad = try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: Self.encoded([("email", "not an address")]))
            #expect(bad.status == .unprocessableContent)
            #expect(String(buffer: bad.body).contains("Give the email address you registered with"))
            for _ in 0..<3 {
                #expect(try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: Self.encoded([("email", "flood@example.org")])).status == .ok)
            }
            let refused = try await client.execute(uri: "/sign-in", method: .post, headers: Self.form, body: Self.encoded([("email", "flood@example.org")]))
            #expect(refused.status == .tooManyRequests)
        }
    }

    @Test func pagesOfRecordsNeedASession() async throws {
        let world = try await World()
        try await world.test { client in
            for path in ["/account", "/activities"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther)
                #expect(response.headers[.location] == "/sign-in")
            }
            let stranger = try await client.execute(uri: "/account", method: .get, headers: [.cookie: "creditpress_session=guessed"])
            #expect(stranger.status == .seeOther)
        }
    }

    @Test func claimingWaitsForTheProfessionalNameAndCertificationType() async throws {
        let world = try await World()
        try await world.test { client in
            let cookie = try await Self.signIn("sarah@example.org", world: world, client: client)
            let gated = String(buffer: try await client.execute(uri: "/activities", method: .get, headers: [.cookie: cookie]).body)
            #expect(gated.contains("Before you can claim credit, complete your Account Details."))
            let account = String(buffer: try await client.execute(uri: "/account", method: .get, headers: [.cookie: cookie]).body)
            #expect(account.contains(#"<label for="professional">Professional name, exactly as it is to be printed (required)</label>"#))
            let token = try Self.csrf(account)
            var headers = Self.form
            headers[.cookie] = cookie
            // Without the form's token, or from another site: refused, nothing saved.
            let forged = try await client.execute(uri: "/account", method: .post, headers: headers,
                                                  body: Self.encoded([("professional", "Mallory"), ("profession", "physician")]))
            #expect(forged.status == .forbidden)
            var elsewhere = headers
            elsewhere[.origin] = "https://evil.example"
            let crossSite = try await client.execute(uri: "/account", method: .post, headers: elsewhere,
                                                     body: Self.encoded([("csrf", token), ("professional", "Mallory"), ("profession", "physician")]))
            #expect(crossSite.status == .forbidden)
            // Missing what claiming needs, and a birth date in the wrong form: each named.
            let incomplete = try await client.execute(uri: "/account", method: .post, headers: headers,
                                                      body: Self.encoded([("csrf", token), ("first", "Sarah"), ("birthMonthDay", "1970-06-15")]))
            #expect(incomplete.status == .unprocessableContent)
            let refusal = String(buffer: incomplete.body)
            #expect(refusal.contains(##"<a href="#professional">Give your name exactly as it is to be printed"##))
            #expect(refusal.contains(##"<a href="#profession">Choose your certification type"##))
            #expect(refusal.contains(##"<a href="#birthMonthDay">Write your birth month and day as MM-DD"##))
            #expect(refusal.contains(#"value="Sarah""#), "what was typed is kept")
            let saved = try await client.execute(uri: "/account", method: .post, headers: headers,
                                                 body: Self.encoded([("csrf", token), ("first", "Sarah"), ("last", "Whitfield"),
                                                                     ("professional", "Sarah A. Whitfield, MD"), ("profession", "physician"),
                                                                     ("board", "abim"), ("boardID", "123456"), ("birthMonthDay", "06-15")]))
            #expect(saved.status == .seeOther)
            let open = String(buffer: try await client.execute(uri: "/activities", method: .get, headers: [.cookie: cookie]).body)
            #expect(!open.contains("Before you can claim credit"))
            #expect(open.contains(#"Certificates are issued as <strong dir="auto">Sarah A. Whitfield, MD</strong>."#))
        }
    }

    @Test func twoLearnersSeeOnlyTheirOwnDetails() async throws {
        let world = try await World()
        try await world.test { client in
            let sarah = try await Self.signIn("sarah@example.org", world: world, client: client)
            let page = String(buffer: try await client.execute(uri: "/account", method: .get, headers: [.cookie: sarah]).body)
            var headers = Self.form
            headers[.cookie] = sarah
            _ = try await client.execute(uri: "/account", method: .post, headers: headers,
                                         body: Self.encoded([("csrf", try Self.csrf(page)), ("professional", "Sarah A. Whitfield, MD"), ("profession", "physician")]))
            let daniel = try await Self.signIn("daniel@example.org", world: world, client: client)
            let his = String(buffer: try await client.execute(uri: "/account", method: .get, headers: [.cookie: daniel]).body)
            #expect(his.contains("Signed in as daniel@example.org."))
            #expect(!his.contains(#"value="Sarah A. Whitfield, MD""#))
            // His page's token does not pass for her session.
            headers[.cookie] = sarah
            let crossed = try await client.execute(uri: "/account", method: .post, headers: headers,
                                                   body: Self.encoded([("csrf", try Self.csrf(his)), ("professional", "X"), ("profession", "nurse")]))
            #expect(crossed.status == .forbidden)
        }
    }
}

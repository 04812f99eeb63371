import CreditIssuing
import CreditRecords
import CreditRegistry
import CreditService
import CreditTrust
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import X509

/// The verification pages and API, in process: every route, each refusal.
struct ServiceVerifyTests {
    /// A registry with one signed certificate, and the service over it.
    struct World: Sendable {
        let registry: SQLiteRegistry
        let service: Service
        let id: String
        let bytes: [UInt8]
        let qrText: String?

        init(verificationsPerMinute: Int = 600, trustedProxies: Set<String> = [], trustRoots: [Certificate] = TrustTests.roots) async throws {
            let folder = try Fixture.temporaryFolder()
            registry = try SQLiteRegistry(file: folder.appendingPathComponent("registry.sqlite"))
            let issued = try await TrustTests.issue(registry: registry)
            (id, bytes, qrText) = (issued.id, issued.bytes, issued.certificate.qrText)
            var configuration = ServiceConfiguration(registry: registry.file, trustRoots: trustRoots,
                                                     signers: [TrustTests.keys.identity.certificate], resources: Fixture.resources,
                                                     verificationsPerMinute: verificationsPerMinute)
            configuration.trustedProxies = trustedProxies
            service = try await Service(configuration: configuration, environment: Fixture.environment, registry: registry)
        }

        func test(_ testing: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let app = Application(router: buildRouter(service), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            // A real socket: the server off the cooperative pool, which other tests may hold.
            try await ServerExecutor.run { try await app.test(testing, body) }
        }
    }

    static func text(_ response: TestResponse) -> String { String(buffer: response.body) }

    @Test func theHomePageOffersTheThreeWaysToCheck() async throws {
        let world = try await World()
        try await world.test { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok)
            let page = Self.text(response)
            #expect(page.contains("<h1>Check a CME certificate</h1>"))
            #expect(page.contains(#"<label for="pdf">Certificate PDF</label>"#))
            #expect(page.contains(#"<label for="id">Certificate id</label>"#))
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            #expect(response.headers[.xContentTypeOptions] == "nosniff")
            let css = try await client.execute(uri: "/static/style.css", method: .get)
            #expect(css.status == .ok)
        }
    }

    @Test func anIssuedCertificateByIdShowsWhatItPrintsAndNothingMore() async throws {
        let world = try await World()
        let id = world.id
        try await world.test { client in
            let response = try await client.execute(uri: "/verify/\(id)", method: .get)
            #expect(response.status == .ok)
            let page = Self.text(response)
            #expect(page.contains(#"<p class="chip chip-valid" role="status"><strong>VALID</strong></p>"#))
            #expect(page.contains(#"<dt>Name as printed</dt><dd dir="auto">Sarah A. Whitfield, MD</dd>"#))
            #expect(page.contains(#"<dt>Activity</dt><dd dir="auto">2018 ASCO Annual Meeting — ASCO-AM-2018</dd>"#))
            #expect(page.contains(#"<dt>Issued by</dt><dd dir="auto">American Society of Clinical Oncology</dd>"#))
            // The learner's id, email and birth date are not printed on the certificate.
            let learner = try Fixture.learner("physician")
            #expect(!page.contains(learner.id))
            if let email = learner.email { #expect(!page.contains(email)) }
            // A typed id with spaces and lower case is found too.
            let typed = try await client.execute(uri: "/verify?id=\(id.lowercased().replacingOccurrences(of: "-", with: "%20"))", method: .get)
            #expect(typed.status == .seeOther)
            #expect(typed.headers[.location] == "/verify/\(id)")
        }
    }

    @Test func anUnknownOrMistypedIdIsNotFoundNeverValid() async throws {
        let world = try await World()
        try await world.test { client in
            let unknown = try await client.execute(uri: "/verify/\(CertificateID.make(activity: "X", learner: "Y", key: SymmetricKey(data: Data(repeating: 1, count: 32))))", method: .get)
            #expect(unknown.status == .notFound)
            #expect(Self.text(unknown).contains("<strong>NOT FOUND</strong>"))
            let mistyped = try await client.execute(uri: "/verify/ZZZZZ-ZZZZZ-Z", method: .get)
            #expect(mistyped.status == .notFound)
            #expect(Self.text(mistyped).contains("a character is mistyped"))
            #expect(!Self.text(mistyped).contains("chip-valid"))
        }
    }

    @Test func aRevokedCertificateSaysSoWithReasonAndDate() async throws {
        let world = try await World()
        try await world.registry.revoke(id: world.id, reason: "credit claimed in error", actor: "staff",
                                        at: try #require(ISO8601DateFormatter().date(from: "2018-06-09T15:00:00Z")))
        try await world.test { client in
            let page = Self.text(try await client.execute(uri: "/verify/\(world.id)", method: .get))
            #expect(page.contains("<strong>REVOKED on June 9, 2018</strong>"), "\(page)")
            #expect(page.contains("credit claimed in error"))
            let upload = Self.text(try await client.execute(uri: "/verify/upload", method: .post,
                                                            headers: [.contentType: "multipart/form-data; boundary=XyZ"],
                                                            body: Self.multipart(world.bytes)))
            #expect(upload.contains("<strong>REVOKED on June 9, 2018</strong>"))
        }
    }

    static func multipart(_ bytes: [UInt8], field: String = "pdf") -> ByteBuffer {
        var buffer = ByteBuffer(string: "--XyZ\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"c.pdf\"\r\nContent-Type: application/pdf\r\n\r\n")
        buffer.writeBytes(bytes)
        buffer.writeString("\r\n--XyZ--\r\n")
        return buffer
    }

    /// A service set up without the provider's root cannot confirm a genuine file: it says
    /// so, and never calls it NOT VALID.
    @Test func withoutATrustedRootTheServiceCannotConfirm() async throws {
        let world = try await World(trustRoots: [])
        try await world.test { client in
            let page = Self.text(try await client.execute(uri: "/verify/upload", method: .post,
                                                          headers: [.contentType: "multipart/form-data; boundary=XyZ"], body: Self.multipart(world.bytes)))
            #expect(page.contains("<strong>CANNOT CONFIRM</strong>"), "\(page.prefix(2000))")
            #expect(page.contains("a trusted root certificate"))
            #expect(!page.contains("<strong>NOT VALID</strong>"))
        }
    }

    @Test func anUploadedPDFGetsEveryCheckOfVerify() async throws {
        let world = try await World()
        try await world.test { client in
            let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=XyZ"]
            let good = try await client.execute(uri: "/verify/upload", method: .post, headers: headers, body: Self.multipart(world.bytes))
            #expect(good.status == .ok)
            let page = Self.text(good)
            #expect(page.contains("<strong>VALID</strong>"))
            #expect(page.contains("<strong>content unchanged</strong>"))
            #expect(page.contains("<strong>file as issued</strong>"))
            var tampered = world.bytes
            tampered[tampered.count / 3] ^= 0x20
            let bad = Self.text(try await client.execute(uri: "/verify/upload", method: .post, headers: headers, body: Self.multipart(tampered)))
            #expect(bad.contains("<strong>NOT VALID</strong>"))
            #expect(bad.contains(#"<span class="mark">FAILED</span>"#))
            // Bytes that are no PDF at all: an answer, not a crash.
            let junk = Self.text(try await client.execute(uri: "/verify/upload", method: .post, headers: headers, body: Self.multipart(Array("%PDF-1.7 junk".utf8))))
            #expect(junk.contains("<strong>NOT VALID</strong>"))
            // No file, the wrong form, too large.
            let empty = try await client.execute(uri: "/verify/upload", method: .post, headers: headers, body: Self.multipart([], field: "other"))
            #expect(empty.status == .unprocessableContent)
            #expect(Self.text(empty).contains("No file arrived"))
            let plain = try await client.execute(uri: "/verify/upload", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x"))
            #expect(plain.status == .unprocessableContent)
            let huge = try await client.execute(uri: "/verify/upload", method: .post, headers: headers,
                                                body: Self.multipart([UInt8](repeating: 0x25, count: 11 << 20)))
            #expect(huge.status == .contentTooLarge)
            #expect(Self.text(huge).contains("larger than 10 MiB"))
        }
    }

    @Test func theQRCodesAddressIsCheckedAgainstTheRegistry() async throws {
        let world = try await World()
        let code = try #require(world.qrText)
        try await world.test { client in
            let form = "code=" + (code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            let headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let page = Self.text(try await client.execute(uri: "/verify/qr", method: .post, headers: headers, body: ByteBuffer(string: form)))
            #expect(page.contains("<strong>VALID</strong>"))
            #expect(page.contains("<strong>QR matches the registry</strong>"))
            let reprinted = "https://evil.example/verify" + code.drop { $0 != "#" }
            let bad = Self.text(try await client.execute(uri: "/verify/qr", method: .post, headers: headers,
                                                         body: ByteBuffer(string: "code=" + (reprinted.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))))
            #expect(bad.contains("<strong>NOT VALID</strong>"))
            #expect(bad.contains("is not the one signed in it"))
            let missing = try await client.execute(uri: "/verify/qr", method: .post, headers: headers, body: ByteBuffer(string: "code="))
            #expect(missing.status == .unprocessableContent)
            // The landing page reads the fragment with a script of the service's own.
            let landing = Self.text(try await client.execute(uri: "/verify", method: .get))
            #expect(landing.contains(#"<script src="/static/verify-qr.js"></script>"#))
            #expect(landing.contains(#"<label for="code">"#))
        }
    }

    @Test func theJSONAPIGivesTheSameVerdicts() async throws {
        let world = try await World()
        try await world.test { client in
            let byID = try await client.execute(uri: "/api/v1/certificates/\(world.id)", method: .get)
            #expect(byID.status == .ok)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: byID.body)) as? [String: Any])
            #expect(object["verdict"] as? String == "valid")
            #expect(object["certificateID"] as? String == world.id)
            let pdf = try await client.execute(uri: "/api/v1/verify", method: .post, headers: [.contentType: "application/pdf"],
                                               body: ByteBuffer(bytes: world.bytes))
            #expect(String(buffer: pdf.body).contains(#""verdict":"valid""#))
            let wrongType = try await client.execute(uri: "/api/v1/verify", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x"))
            #expect(wrongType.status == .unsupportedMediaType)
            #expect(wrongType.headers[.contentType] == "application/problem+json")
            let qr = try await client.execute(uri: "/api/v1/verify/qr", method: .post, headers: [.contentType: "application/json"],
                                              body: ByteBuffer(data: try JSONEncoder().encode(["code": try #require(world.qrText)])))
            #expect(String(buffer: qr.body).contains(#""verdict":"valid""#))
            let notJSON = try await client.execute(uri: "/api/v1/verify/qr", method: .post, body: ByteBuffer(string: "{"))
            #expect(notJSON.status == .unprocessableContent)
            let unknown = try await client.execute(uri: "/api/v1/certificates/ZZZZZ-ZZZZZ-Z", method: .get)
            #expect(unknown.status == .notFound)
            #expect(String(buffer: unknown.body).contains(#""verdict":"unknown""#))
        }
    }

    @Test func verificationsAreLimitedPerAddress() async throws {
        let world = try await World(verificationsPerMinute: 3)
        try await world.test { client in
            for _ in 0..<3 { #expect(try await client.execute(uri: "/verify/\(world.id)", method: .get).status == .ok) }
            let refused = try await client.execute(uri: "/verify/\(world.id)", method: .get)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "60")
            // The home page is not a verification.
            #expect(try await client.execute(uri: "/", method: .get).status == .ok)
        }
    }

    /// Behind a trusted reverse proxy, each client is counted by the address the proxy
    /// appended, and what a client writes into X-Forwarded-For itself is not believed.
    @Test func behindATrustedProxyEachClientHasItsOwnLimit() async throws {
        let world = try await World(verificationsPerMinute: 2, trustedProxies: ["127.0.0.1"])
        try await world.test(.live) { client in
            var statuses: [HTTPResponse.Status] = []
            for forwarded in ["203.0.113.5", "198.51.100.1, 203.0.113.5", "203.0.113.5", "203.0.113.6"] {
                statuses.append(try await client.execute(uri: "/verify/\(world.id)", method: .get,
                                                         headers: [HTTPFields.Element.Name("X-Forwarded-For")!: forwarded]).status)
            }
            // The second is the same client (a spoofed first entry changes nothing); the fourth another.
            #expect(statuses == [.ok, .ok, .tooManyRequests, .ok])
        }
    }

    /// The same router behind a real socket: the headers a browser sees, a PDF uploaded over HTTP.
    @Test func aRunningServerAnswersOverHTTP() async throws {
        let world = try await World()
        try await world.test(.live) { client in
            let page = try await client.execute(uri: "/verify/\(world.id)", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: page.body).contains("<strong>VALID</strong>"))
            let upload = try await client.execute(uri: "/verify/upload", method: .post,
                                                  headers: [.contentType: "multipart/form-data; boundary=XyZ"], body: Self.multipart(world.bytes))
            #expect(String(buffer: upload.body).contains("<strong>content unchanged</strong>"))
            let missing = try await client.execute(uri: "/no-such-page", method: .get)
            #expect(missing.status == .notFound)
        }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Headers every response carries: a strict content policy (scripts and styles only from
/// the service itself, no frames, forms only to itself), no sniffing, no referrer beyond
/// the origin, and no caching of pages that may show a learner's records.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicyName] = "same-origin"
        response.headers[.frameOptions] = "DENY"
        response.headers[.openerPolicy] = "same-origin"
        response.headers[.permissionsPolicy] = "camera=(), microphone=(), geolocation=()"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// Counts requests per key in fixed one-minute windows: enough to stop a script that
/// tries ids or floods uploads, cheap enough for thousands of verifications a second.
final class RateLimiter: Sendable {
    private struct Window {
        var start: ContinuousClock.Instant
        var count: Int
    }

    private let limit: Int
    private let windows = Mutex<[String: Window]>([:])

    init(perMinute limit: Int) {
        self.limit = limit
    }

    /// Whether one more request under `key` is allowed now.
    func allow(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        windows.withLock { windows in
            if windows.count > 100_000 { windows = windows.filter { now - $0.value.start < .seconds(60) } }
            var window = windows[key] ?? Window(start: now, count: 0)
            if now - window.start >= .seconds(60) { window = Window(start: now, count: 0) }
            window.count += 1
            windows[key] = window
            return window.count <= limit
        }
    }
}

/// Whom a request comes from, for rate limits: the connection's address, or, when that is
/// a reverse proxy the service is told to trust, the client address the proxy appended to
/// `X-Forwarded-For` (the rightmost one not itself a trusted proxy; what a client wrote
/// there itself is never believed).
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    func of<Context: RemoteAddressRequestContext>(_ request: Request, context: Context) -> String {
        let peer = context.remoteAddress?.ipAddress ?? "unknown"
        guard trustedProxies.contains(peer) else { return peer }
        let forwarded = request.headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return forwarded.last { !trustedProxies.contains($0) && !$0.isEmpty } ?? peer
    }
}

/// Refuses a client that asked for more than its share of verifications this minute.
struct RateLimitMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let limiter: RateLimiter
    let address: ClientAddress

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let key = address.of(request, context: context)
        guard limiter.allow(key) else {
            var headers = HTTPFields()
            headers[.retryAfter] = "60"
            headers[.contentType] = "text/plain; charset=utf-8"
            return Response(status: .tooManyRequests, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: "Too many checks from this address; try again in a minute.\n")))
        }
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    // Names swift-http-types does not spell; each is a valid token, so the initialiser succeeds.
    static let referrerPolicyName = HTTPField.Name("Referrer-Policy")!
    static let frameOptions = HTTPField.Name("X-Frame-Options")!
    static let openerPolicy = HTTPField.Name("Cross-Origin-Opener-Policy")!
    static let permissionsPolicy = HTTPField.Name("Permissions-Policy")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

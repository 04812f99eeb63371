import CreditRecords
import Foundation
import Hummingbird
import Mustache

/// The service's pages: Mustache templates in `Templates/web/`, which a provider restyles
/// as it does certificate layouts. Every value is HTML-escaped by `{{…}}`.
public struct Pages: Sendable {
    private let library: MustacheLibrary

    public init(resources: Resources) async throws {
        let folder = resources.root.appendingPathComponent("Templates/web").path
        library = try await MustacheLibrary(directory: folder)
    }

    /// The page `name` filled with `values`, as bytes.
    func html(_ name: String, _ values: [String: Any]) -> [UInt8] {
        Array((library.render(values, withTemplate: name) ?? "the page template \(name) is missing").utf8)
    }

    /// The page `name` saying a rate limit was reached: 429, to be tried again in a minute
    /// (the limiters count per minute).
    func tooManyRequests(_ name: String, _ values: [String: Any]) -> Response {
        var response = page(name, values, status: .tooManyRequests)
        response.headers[.retryAfter] = "60"
        return response
    }

    /// The page `name` filled with `values`, as a response with `status`.
    public func page(_ name: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        guard let html = library.render(values, withTemplate: name) else {
            return Response(status: .internalServerError, headers: [.contentType: "text/plain; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(string: "the page template \(name) is missing")))
        }
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

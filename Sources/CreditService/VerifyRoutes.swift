import CreditRecords
import CreditTrust
import CreditUpload
import Foundation
import Hummingbird
import NIOCore

/// The pages and API for anyone holding a certificate: a licensing board's clerk with a PDF,
/// a phone that read the QR code, someone with the id printed on it.
struct VerifyRoutes {
    let service: VerificationService
    let pages: Pages
    let maximumUpload: Int

    func add(to router: Router<ServiceContext>, limiter: RateLimiter, address: ClientAddress) {
        router.get("/") { _, _ in pages.page("home", [:]) }
        router.get("/health") { _, _ in "ok\n" }
        let checks = router.group().add(middleware: RateLimitMiddleware(limiter: limiter, address: address))
        // The QR code's address: the page reads the payload from the fragment (which never
        // reaches the server) and posts it; without script, the code can be pasted.
        checks.get("/verify") { request, _ in
            if let id = request.uri.queryParameters["id"].map(String.init), !id.isEmpty {
                return Response(status: .seeOther, headers: [.location: "/verify/\(Self.escape(CertificateID.normalise(id) ?? id))"])
            }
            return pages.page("verify-qr", [:])
        }
        checks.post("/verify/qr") { request, context in
            let form = try await Self.form(request, context: context)
            guard let code = form["code"], !code.isEmpty else {
                return pages.page("verify-qr", ["problem": "Paste the text of the QR code, or the address it opens."], status: .unprocessableContent)
            }
            return Self.result(await service.view(qr: code), pages: pages)
        }
        checks.get("/verify/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return Self.response(await service.rendering(id: id, format: "html") { view in
                VerificationService.Rendering(status: view.verdict == .unknown ? 404 : 200, contentType: "text/html; charset=utf-8",
                                              body: pages.html("verify-result", view.templateValues))
            })
        }
        checks.post("/verify/upload") { request, context in
            switch await Self.uploadedPDF(request, context: context, limit: maximumUpload) {
            case .failure(let problem):
                return pages.page("home", ["problem": problem.message], status: problem.status)
            case .success(let bytes):
                return Self.result(await service.view(pdf: bytes), pages: pages)
            }
        }

        let api = checks.group("api/v1")
        api.get("certificates/:id") { _, context in
            Self.response(await service.rendering(id: context.parameters.get("id") ?? "", format: "json") { view in
                VerificationService.Rendering(status: view.verdict == .unknown ? 404 : 200, contentType: "application/json", body: Self.jsonBytes(view))
            })
        }
        api.post("verify") { request, context in
            var request = request
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/pdf") == true else {
                return Self.problem("send the PDF itself as the body, with Content-Type: application/pdf", status: .unsupportedMediaType)
            }
            do {
                let body = try await request.collectBody(upTo: maximumUpload)
                return Self.json(await service.view(pdf: Array(buffer: body)))
            } catch {
                return Self.problem("the PDF is larger than \(ByteCount.text(UInt64(maximumUpload)))", status: .contentTooLarge)
            }
        }
        api.post("verify/qr") { request, context in
            struct Body: Decodable { var code: String }
            var request = request
            guard let data = try? await request.collectBody(upTo: 16_384),
                  let body = try? JSONDecoder().decode(Body.self, from: Data(buffer: data)) else {
                return Self.problem("send {\"code\": \"the QR code's text\"} as JSON", status: .unprocessableContent)
            }
            return Self.json(await service.view(qr: body.code))
        }
    }

    /// The result page, with the status a program reading it expects: 404 for an id never
    /// issued, 200 otherwise (the page itself says VALID or why not).
    static func result(_ view: VerificationView, pages: Pages) -> Response {
        pages.page("verify-result", view.templateValues, status: view.verdict == .unknown ? .notFound : .ok)
    }

    static func json(_ view: VerificationView) -> Response {
        Response(status: view.verdict == .unknown ? .notFound : .ok, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: jsonBytes(view))))
    }

    static func jsonBytes(_ view: VerificationView) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array((try? encoder.encode(view)) ?? Data("{}".utf8))
    }

    /// A kept rendering as a response.
    static func response(_ rendering: VerificationService.Rendering) -> Response {
        Response(status: HTTPResponse.Status(code: rendering.status), headers: [.contentType: rendering.contentType],
                 body: .init(byteBuffer: ByteBuffer(bytes: rendering.body)))
    }


    /// RFC 9457 problem details.
    static func problem(_ detail: String, status: HTTPResponse.Status) -> Response {
        let object = ["type": "about:blank", "title": status.reasonPhrase, "status": "\(status.code)", "detail": detail]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/problem+json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An `application/x-www-form-urlencoded` body as fields (the first of each name).
    static func form(_ request: Request, context: ServiceContext) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first, fields[name] == nil { fields[name] = parts.count > 1 ? parts[1] : "" }
        }
        return fields
    }

    struct UploadProblem: Error {
        var message: String
        var status: HTTPResponse.Status
    }

    /// The `pdf` part of a multipart upload, read up to `limit` bytes.
    static func uploadedPDF(_ request: Request, context: ServiceContext, limit: Int) async -> Result<[UInt8], UploadProblem> {
        var request = request
        let type = request.headers[.contentType] ?? ""
        guard UploadForm.boundary(contentType: type) != nil else {
            return .failure(UploadProblem(message: "Choose the certificate's PDF file, then press Check.", status: .unprocessableContent))
        }
        let tooLarge = UploadProblem(message: "The file is larger than \(ByteCount.text(UInt64(limit))); a certificate is far smaller. Is it the right file?",
                                     status: .contentTooLarge)
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: limit + 64 * 1024)
        } catch {
            return .failure(tooLarge)
        }
        switch UploadForm.file("pdf", in: Array(buffer: body), contentType: type, limit: limit) {
        case .success(let bytes): return .success(bytes)
        case .failure(.tooLarge): return .failure(tooLarge)
        case .failure: return .failure(UploadProblem(message: "No file arrived. Choose the certificate's PDF file, then press Check.", status: .unprocessableContent))
        }
    }

    /// A path segment as it may be put in a Location header.
    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-"))) ?? ""
    }
}

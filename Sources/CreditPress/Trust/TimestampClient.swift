import Crypto
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SwiftASN1

/// Asks an RFC 3161 time-stamp authority for a token over a signature value (PAdES B-T).
public struct TimestampClient: Sendable {
    public let url: URL
    public var timeout: TimeInterval = 20

    public init(url: URL) { self.url = url }

    /// The DER TimeStampToken (a CMS ContentInfo) for the SHA-256 of `signatureValue`.
    public func token(for signatureValue: Data) throws -> Data {
        var nonce = (0..<8).map { _ in UInt8.random(in: 0...255) }
        // A minimal positive DER INTEGER: top bit clear, first byte not zero.
        nonce[0] = nonce[0] & 0x7F | 0x01
        let request = try Self.request(imprint: Array(SHA256.hash(data: signatureValue)), nonce: nonce)
        var urlRequest = URLRequest(url: url, timeoutInterval: timeout)
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("application/timestamp-query", forHTTPHeaderField: "Content-Type")
        urlRequest.httpBody = Data(request)
        let response = try Self.send(urlRequest)
        return Data(try Self.token(fromResponse: Array(response), url: url))
    }

    /// TimeStampReq: version 1, SHA-256 message imprint, a nonce, and the TSA's certificate asked for.
    static func request(imprint: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { request in
            try request.serialize(1)
            try request.appendConstructedNode(identifier: .sequence) { messageImprint in
                try messageImprint.appendConstructedNode(identifier: .sequence) { algorithm in
                    try algorithm.serialize(OIDs.sha256)
                }
                try messageImprint.serialize(ASN1OctetString(contentBytes: imprint[...]))
            }
            request.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: nonce) }
            try request.serialize(true)
        }
        return serializer.serializedBytes
    }

    /// The token out of a TimeStampResp, refusing any status but granted (0) or granted with mods (1).
    static func token(fromResponse bytes: [UInt8], url: URL) throws -> [UInt8] {
        let root = try DER.parse(bytes)
        guard case .constructed(let parts) = root.content else { throw TimestampError(url: url, "the answer is not a time-stamp response") }
        var iterator = parts.makeIterator()
        guard let statusInfo = iterator.next(), case .constructed(let statusParts) = statusInfo.content,
              let statusNode = statusParts.first(where: { _ in true }), case .primitive(let status) = statusNode.content else {
            throw TimestampError(url: url, "the answer has no status")
        }
        guard status.count == 1, status.first! <= 1 else {
            throw TimestampError(url: url, "the authority refused the request (status \(status.map(String.init).joined()))")
        }
        guard let token = iterator.next() else { throw TimestampError(url: url, "the answer carries no token") }
        return Array(token.encodedBytes)
    }

    private static func send(_ request: URLRequest) throws -> Data {
        final class Box: @unchecked Sendable { var data: Data?; var error: String? }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let task = URLSession.shared.dataTask(with: request) { data, response, error in
            if let error {
                box.error = error.localizedDescription
            } else if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                box.error = "HTTP status \(http.statusCode)"
            } else {
                box.data = data
            }
            done.signal()
        }
        task.resume()
        done.wait()
        guard let data = box.data else {
            throw TimestampError(url: request.url!, box.error ?? "no answer")
        }
        return data
    }
}

/// The time-stamp authority could not give a token.
public struct TimestampError: Error, CustomStringConvertible {
    public let url: URL
    public let reason: String
    init(url: URL, _ reason: String) {
        self.url = url
        self.reason = reason
    }
    public var description: String { "time-stamp authority \(url.absoluteString): \(reason)" }
}

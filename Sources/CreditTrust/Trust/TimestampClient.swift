import CCurl
import CreditRecords
import Crypto
import Foundation
import SwiftASN1

/// Asks an RFC 3161 time-stamp authority for a token over a signature value (PAdES B-T).
public struct TimestampClient: Sendable {
    public let url: URL
    public var timeout: TimeInterval = 20

    public init(url: URL) { self.url = url }

    /// Consecutive failures in this process, by address. After three, a batch's remaining rows are
    /// refused at once (and retried by the next run) instead of each waiting for the timeout.
    private static let failures = FailureCount()

    /// The DER TimeStampToken (a CMS ContentInfo) for the SHA-256 of `signatureValue`.
    public func token(for signatureValue: Data) throws -> Data {
        if let last = Self.failures.tripped(url, after: 3) {
            throw TimestampError(url: url, "not asked: it failed three times in a row (last: \(last)); run again once it answers")
        }
        do {
            let token = try request(for: signatureValue)
            Self.failures.reset(url)
            return token
        } catch let error as TimestampError {
            Self.failures.record(url, error.reason)
            throw error
        }
    }

    private func request(for signatureValue: Data) throws -> Data {
        var nonce = (0..<8).map { _ in UInt8.random(in: 0...255) }
        // A minimal positive DER INTEGER: top bit clear, first byte not zero.
        nonce[0] = nonce[0] & 0x7F | 0x01
        let request = try Self.request(imprint: Array(SHA256.hash(data: signatureValue)), nonce: nonce)
        let response = try post(request, contentType: "application/timestamp-query")
        return Data(try Self.token(fromResponse: response, url: url))
    }

    /// TimeStampReq: version 1, SHA-256 message imprint, a nonce, and the TSA's certificate asked for.
    package static func request(imprint: [UInt8], nonce: [UInt8]) throws -> [UInt8] {
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
    package static func token(fromResponse bytes: [UInt8], url: URL) throws -> [UInt8] {
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

    /// POSTs `body` with libcurl and returns the answer's body; any status but 2xx fails.
    private func post(_ body: [UInt8], contentType: String) throws -> [UInt8] {
        guard let curl = creditpress_curl()?.pointee else {
            throw TimestampError(url: url, "libcurl (libcurl.so.4) is not installed; install it (Debian: libcurl4) to use a time-stamp authority")
        }
        guard let handle = curl.start() else { throw TimestampError(url: url, "libcurl could not start") }
        defer { curl.cleanup(handle) }
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        let box = Unmanaged.passRetained(sink)
        defer { box.release() }
        let headers: UnsafeMutablePointer<curl_slist>? = curl.slist_append(nil, "Content-Type: \(contentType)")
        defer { curl.slist_free_all(headers) }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let result: CURLcode = body.withUnsafeBufferPointer { buffer in
            url.absoluteString.withCString { address in
                errorBuffer.withUnsafeMutableBufferPointer { errors in
                    creditpress_curl_set_pointer(handle, CURLOPT_URL, address)
                    creditpress_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
                    creditpress_curl_set_pointer(handle, CURLOPT_HTTPHEADER, headers)
                    creditpress_curl_set_long(handle, CURLOPT_POST, 1)
                    creditpress_curl_set_pointer(handle, CURLOPT_POSTFIELDS, buffer.baseAddress)
                    creditpress_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, buffer.count)
                    creditpress_curl_set_long(handle, CURLOPT_TIMEOUT, Int(timeout))
                    creditpress_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
                    creditpress_curl_set_pointer(handle, CURLOPT_WRITEDATA, box.toOpaque())
                    creditpress_curl_set_write(handle) { data, size, count, context in
                        guard let data, let context else { return 0 }
                        let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                        data.withMemoryRebound(to: UInt8.self, capacity: size * count) {
                            sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: size * count))
                        }
                        return size * count
                    }
                    return curl.perform(handle)
                }
            }
        }
        guard result == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw TimestampError(url: url, detail.isEmpty ? curl.strerror(result).map { String(cString: $0) } ?? "error \(result.rawValue)" : detail)
        }
        var status = 0
        creditpress_curl_response_code(handle, &status)
        guard (200..<300).contains(status) else { throw TimestampError(url: url, "HTTP status \(status)") }
        return sink.bytes
    }
}

/// Consecutive failures by address, shared by the threads of a process.
private final class FailureCount: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [URL: (count: Int, last: String)] = [:]

    func record(_ url: URL, _ reason: String) {
        lock.lock(); defer { lock.unlock() }
        failures[url] = ((failures[url]?.count ?? 0) + 1, reason)
    }

    func reset(_ url: URL) {
        lock.lock(); defer { lock.unlock() }
        failures[url] = nil
    }

    /// The last failure's reason once `limit` failures came in a row.
    func tripped(_ url: URL, after limit: Int) -> String? {
        lock.lock(); defer { lock.unlock() }
        guard let entry = failures[url], entry.count >= limit else { return nil }
        return entry.last
    }
}

extension TimestampError: DiagnosticConvertible {
    public var diagnostics: [Diagnostic] { [Diagnostic(kind: .signing, file: url.absoluteString, message: reason)] }
}

/// The time-stamp authority could not give a token.
public struct TimestampError: Error, CustomStringConvertible {
    public let url: URL
    public let reason: String
    package init(url: URL, _ reason: String) {
        self.url = url
        self.reason = reason
    }
    public var description: String { "time-stamp authority \(url.absoluteString): \(reason)" }
}

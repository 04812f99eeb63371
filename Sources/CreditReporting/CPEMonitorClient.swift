import AsyncHTTPClient
import CreditRecords
import Foundation
import NIOCore

/// Sends CPE Monitor records to ACPE's web service, one HTTP GET per record, and reads its
/// answer (JSON: a status and a message). The address and the credentials come from the
/// configuration; the credentials are never written to a log, a message or an error — a
/// failure names the service's host only.
public struct CPEMonitorClient: Sendable {
    /// The query parameter names and the statuses that mean accepted: unverified, so
    /// settings, with these defaults.
    public struct Parameters: Sendable {
        public var providerID = "providerID"
        public var ePID = "ePID"
        public var birth = "dob"
        public var uan = "uan"
        public var participationDate = "participationDate"
        public var action = "action"
        public var user = "userID"
        public var password = "password"
        public var accepted: Set<String> = ["accepted", "success", "ok"]

        public init() {}
    }

    public struct Credentials: Sendable, CustomStringConvertible {
        public let user: String
        let password: String
        public init(user: String, password: String) { (self.user, self.password) = (user, password) }
        /// Never the password.
        public var description: String { "user \(user)" }
    }

    /// What the service said of one record.
    public enum Answer: Sendable, Equatable {
        case accepted(String)
        case rejected(String)
        /// Not answered (the service was unreachable, or failed): nothing is recorded, the
        /// record is sent again next time.
        case notSent(String)
    }

    public let url: URL
    public let credentials: Credentials
    public var names = Parameters()
    /// How long one request may take.
    public var timeout: TimeAmount = .seconds(30)
    static let maximumAnswer = 64 << 10

    public init(url: URL, credentials: Credentials) {
        (self.url, self.credentials) = (url, credentials)
    }

    public func send(_ submission: CPEMonitorExport.Submission) async -> Answer {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return .notSent("the service address is not a URL") }
        components.queryItems = (components.queryItems ?? []) + [
            URLQueryItem(name: names.providerID, value: submission.providerID),
            URLQueryItem(name: names.ePID, value: submission.ePID),
            URLQueryItem(name: names.birth, value: submission.birthMMDD),
            URLQueryItem(name: names.uan, value: submission.uan),
            URLQueryItem(name: names.participationDate, value: submission.participationDate),
            URLQueryItem(name: names.action, value: submission.actionCode),
            URLQueryItem(name: names.user, value: credentials.user),
            URLQueryItem(name: names.password, value: credentials.password),
        ]
        // "+" is a space to many servers reading a query: it is escaped too.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        let host = url.host ?? "the service"
        guard let address = components.url?.absoluteString else { return .notSent("the request to \(host) could not be made") }
        var request = HTTPClientRequest(url: address)
        request.method = .GET
        request.headers.add(name: "Accept", value: "application/json")
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: Self.maximumAnswer)
            let answer = Self.read(Data(buffer: body))
            guard (200..<500).contains(Int(response.status.code)), let answer else {
                return .notSent("\(host) answered HTTP \(response.status.code)\(answer.map { ": \($0.message)" } ?? "")")
            }
            return names.accepted.contains(answer.status.lowercased()) ? .accepted(answer.message) : .rejected(answer.message.isEmpty ? answer.status : answer.message)
        } catch {
            // The error may hold the address, and so the password: only its kind is said.
            return .notSent("\(host) could not be reached (\(type(of: error)))")
        }
    }

    /// The status and message of an answer, whatever the case of their names.
    static func read(_ data: Data) -> (status: String, message: String)? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        let lowered = Dictionary(object.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        func text(_ keys: [String]) -> String? {
            for key in keys {
                if let value = lowered[key] as? String { return value }
                if let value = lowered[key] as? NSNumber { return value.stringValue }
            }
            return nil
        }
        guard let status = text(["status", "statuscode", "result"]) else { return nil }
        return (status, text(["message", "errormessage", "error", "statusmessage"]) ?? "")
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self = Data(buffer.getBytes(at: buffer.readerIndex, length: buffer.readableBytes) ?? [])
    }
}

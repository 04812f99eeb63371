import CreditRecords
import CreditRegistry
import Foundation
import Logging
import ServiceLifecycle

/// Mail leaves through the outbox: a request adds a message in the same step as what it is
/// about, and a drainer hands messages on — in development into a folder of `.eml` files,
/// in production to an SMTP server. A message the server refuses stays in the outbox and is
/// tried again later, with the reason kept.
protocol MailDrainer: Sendable {
    /// Hands on every message that is due; how many went.
    @discardableResult
    func drain() async throws -> Int
}

/// A message as it travels (RFC 5322): headers, a blank line, the text in UTF-8.
enum MailText {
    static func render(_ mail: OutgoingMail, from: String) -> Data {
        let text = """
            Message-ID: <\(mail.id)@creditpress>\r
            Date: \(rfc5322Date(mail.createdAt))\r
            From: \(from)\r
            To: \(mail.recipient)\r
            Subject: \(encodedWord(mail.subject))\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            \(mail.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n"))\r

            """
        return Data(text.utf8)
    }

    /// `Tue, 01 Dec 2026 21:39:41 +0000`
    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// A header text outside ASCII as an RFC 2047 encoded word.
    static func encodedWord(_ text: String) -> String {
        text.allSatisfy(\.isASCII) ? text : "=?utf-8?B?\(Data(text.utf8).base64EncodedString())?="
    }
}

/// Development: writes every unsent message as `ID.eml` into a folder.
struct FolderMailDrainer: MailDrainer {
    let store: any ServiceStore
    let folder: URL
    let clock: any CreditClock

    @discardableResult
    func drain() async throws -> Int {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written = 0
        for mail in try await store.unsentMail(limit: 100, at: clock.now()) {
            try AtomicFile.write(MailText.render(mail, from: "CreditPress <no-reply@localhost>"),
                                 to: folder.appendingPathComponent("\(mail.id).eml"), durable: true)
            try await store.markSent(id: mail.id, at: clock.now())
            written += 1
        }
        return written
    }
}

/// Where mail is sent and as whom.
public struct SMTPSettings: Sendable {
    public enum Security: String, Sendable, CaseIterable {
        /// Plain SMTP (a relay on the same host or a test server).
        case none
        /// Plain at first, then TLS after STARTTLS (port 587).
        case starttls
        /// TLS from the first byte (port 465).
        case tls
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var user: String?
    /// Never logged nor passed on a command line.
    public var password: String?
    /// The sender, `CME Office <cme@example.org>`.
    public var from: String

    public init(host: String, port: Int, security: Security, user: String? = nil, password: String? = nil, from: String) {
        (self.host, self.port, self.security, self.user, self.password, self.from) = (host, port, security, user, password, from)
    }

    /// The address part of `from`.
    var fromAddress: String {
        if let open = from.lastIndex(of: "<"), let close = from.lastIndex(of: ">"), open < close {
            return String(from[from.index(after: open)..<close])
        }
        return from
    }
}

/// Sends over SMTP with msmtp (Debian's `msmtp`), a well-kept client that speaks
/// STARTTLS, TLS and AUTH: one run per message, the message on its standard input, the
/// password through its environment (never an argument). A refusal is kept with the
/// message (addresses taken out) and tried again after 1, 2, 4… minutes, at most an hour.
struct SMTPMailDrainer: MailDrainer {
    let store: any ServiceStore
    let settings: SMTPSettings
    let clock: any CreditClock
    let logger: Logger
    var program = "/usr/bin/msmtp"

    @discardableResult
    func drain() async throws -> Int {
        var sent = 0
        for mail in try await store.unsentMail(limit: 100, at: clock.now()) {
            switch await send(mail) {
            case .success:
                try await store.markSent(id: mail.id, at: clock.now())
                sent += 1
            case .failure(let refusal):
                let reason = refusal.reason
                let delay = min(3600, 60 * pow(2, Double(min(mail.attempts, 10))))
                try await store.markFailed(id: mail.id, reason: reason, retryAt: clock.now().addingTimeInterval(delay))
                logger.warning("mail \(mail.id) was not delivered (attempt \(mail.attempts + 1)): \(reason); trying again in \(Int(delay / 60)) min")
            }
        }
        return sent
    }

    struct Refusal: Error { let reason: String }

    func arguments(recipient: String) -> [String] {
        var arguments = ["--file=/dev/null", "--host=\(settings.host)", "--port=\(settings.port)", "--from=\(settings.fromAddress)",
                         "--timeout=30", "--tls=\(settings.security == .none ? "off" : "on")",
                         "--tls-starttls=\(settings.security == .starttls ? "on" : "off")"]
        if settings.security != .none { arguments.append("--tls-trust-file=system") }
        if let user = settings.user {
            arguments += ["--auth=on", "--user=\(user)", #"--passwordeval=printf '%s' "$CREDITPRESS_SMTP_PASSWORD""#]
        } else {
            arguments.append("--auth=off")
        }
        return arguments + ["--", recipient]
    }

    private func send(_ mail: OutgoingMail) async -> Result<Void, Refusal> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments(recipient: mail.recipient)
        var environment = ["PATH": "/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path]
        if let password = settings.password { environment["CREDITPRESS_SMTP_PASSWORD"] = password }
        process.environment = environment
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        let finished: Int32 = await withCheckedContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(returning: -1)
                return
            }
            input.fileHandleForWriting.write(MailText.render(mail, from: settings.from))
            try? input.fileHandleForWriting.close()
        }
        guard finished != 0 else { return .success(()) }
        if finished == -1 { return .failure(Refusal(reason: "\(program) cannot be run; install Debian's msmtp")) }
        let said = String(decoding: (try? errors.fileHandleForReading.readToEnd()) ?? Data(), as: UTF8.self)
        return .failure(Refusal(reason: Self.redacted("msmtp exit status \(finished): " + said.split(separator: "\n").prefix(2).joined(separator: " "))))
    }

    /// The reason without any address in it: logs and the outbox keep no personal data.
    static func redacted(_ text: String) -> String {
        text.replacing(/[^\s<>"']+@[^\s<>"']+/, with: "<address>").prefix(300).description
    }
}

/// The application's housekeeping service: drains the outbox (when a drainer is set up)
/// when asked — a message was just added — and once a minute, which also retries refused
/// messages; and removes expired sign-in links and sessions, drainer or not.
final class MailDelivery: ServiceLifecycle.Service, Sendable {
    let drainer: (any MailDrainer)?
    let store: any ServiceStore
    let clock: any CreditClock
    let logger: Logger
    private let kicks: AsyncStream<Void>
    private let kicker: AsyncStream<Void>.Continuation

    init(drainer: (any MailDrainer)?, store: any ServiceStore, clock: any CreditClock, logger: Logger) {
        (self.drainer, self.store, self.clock, self.logger) = (drainer, store, clock, logger)
        (kicks, kicker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a drain soon, without waiting for it.
    func kick() { kicker.yield() }

    func run() async throws {
        let ticker = Task { [kicker] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                kicker.yield()
            }
        }
        defer { ticker.cancel() }
        kicker.yield()
        await withGracefulShutdownHandler {
            for await _ in kicks {
                do {
                    try await drainer?.drain()
                    _ = try await store.pruneExpired(at: clock.now())
                } catch {
                    logger.error("the outbox could not be drained: \(error)")
                }
            }
        } onGracefulShutdown: { [kicker] in
            kicker.finish()
        }
    }
}

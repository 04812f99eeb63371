import CreditRecords
import CreditRegistry
import CreditService
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// A real SMTP server on loopback (aiosmtpd, `Tests/Support/smtp-sink.py`), started for the
/// test and stopped by closing its standard input.
final class SMTPSink: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let folder: URL
    let port: Int

    init() throws {
        folder = try Fixture.temporaryFolder().appendingPathComponent("smtp")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixture.root.appendingPathComponent("Tests/Support/smtp-sink.py").path, folder.path]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // Its first line says the port it listens on (the server is up by then).
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        let text = String(decoding: line, as: UTF8.self)
        guard let port = text.split(separator: " ").last.flatMap({ Int($0) }), text.hasPrefix("PORT") else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the SMTP sink did not start (is aiosmtpd installed? scripts/setup.sh --test): \(text)"])
        }
        self.port = port
    }

    /// Messages received, in order.
    func messages() throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
            .sorted { Int($0.dropLast(4)) ?? 0 < Int($1.dropLast(4)) ?? 0 }
        return try names.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
    }

    func refuse(_ address: String) throws {
        try Data("\(address)\n".utf8).write(to: folder.appendingPathComponent("refuse"))
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// Mail leaves the outbox over SMTP (msmtp), to a real server; a refusal is kept and retried.
struct ServiceMailTests {
    @Test func signInLinksGoOutOverSMTPAndARefusalIsRetriedLater() async throws {
        let sink = try SMTPSink()
        let folder = try Fixture.temporaryFolder()
        let registry = try SQLiteRegistry(file: folder.appendingPathComponent("registry.sqlite"))
        let clock = TestClock(Date(timeIntervalSince1970: 1_800_000_000))
        let environment = CreditEnvironment(resources: Fixture.resources, clock: clock, actor: "service", cacheFolder: nil)
        var configuration = ServiceConfiguration(registry: registry.file, trustRoots: [], signers: [], resources: Fixture.resources,
                                                 publicURL: "https://cme.example.org")
        configuration.smtp = SMTPSettings(host: "127.0.0.1", port: sink.port, security: .none, from: "CME Office <cme@example.org>")
        let service = try await Service(configuration: configuration, environment: environment, registry: registry)
        try sink.refuse("gone@example.org")
        try await Application(router: buildRouter(service)).test(.router) { client in
            for email in ["mai.nguyen@example.org", "gone@example.org"] {
                let asked = try await client.execute(uri: "/sign-in", method: .post, headers: ServiceLearnerTests.form,
                                                     body: ServiceLearnerTests.encoded([("email", email)]))
                #expect(asked.status == .ok)
            }
            #expect(try await service.drainOutbox() == 1)
            let messages = try sink.messages()
            #expect(messages.count == 1)
            let message = try #require(messages.first)
            #expect(message.contains("To: mai.nguyen@example.org\r\n"))
            #expect(message.contains("From: CME Office <cme@example.org>\r\n"))
            #expect(message.contains("Subject: Your sign-in link\r\n"))
            #expect(message.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000\r\n"))
            let link = try #require(message.firstMatch(of: /https:\/\/cme\.example\.org(\/sign-in\/[A-Za-z0-9_-]+)/).map { String($0.1) })
            #expect(try await client.execute(uri: link, method: .get).status == .seeOther)
            // The refused one waits, with the reason and no address kept, and is not tried again at once.
            let waiting = try await registry.unsentMail(limit: 10, at: clock.now().addingTimeInterval(61))
            #expect(waiting.map(\.recipient) == ["gone@example.org"])
            #expect(waiting.first?.attempts == 1)
            #expect(try await registry.unsentMail(limit: 10, at: clock.now()).isEmpty)
            #expect(try await service.drainOutbox() == 0)
            // Once the server takes it, the next attempt delivers it.
            try FileManager.default.removeItem(at: sink.folder.appendingPathComponent("refuse"))
            clock.advance(61)
            #expect(try await service.drainOutbox() == 1)
            #expect(try sink.messages().last?.contains("To: gone@example.org\r\n") == true)
        }
    }
}

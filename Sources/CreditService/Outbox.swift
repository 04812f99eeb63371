import CreditRecords
import CreditRegistry
import Foundation
import Logging

/// Mail leaves through the outbox: a request adds a message in the same step as what it is
/// about, and a drainer hands messages on. In development the drainer writes each as an
/// `.eml` file into a folder (and the sign-in link is printed in the log); SMTP delivery is
/// a drainer of its own, to come.
struct FolderMailDrainer: Sendable {
    let store: any ServiceStore
    let folder: URL
    let clock: any CreditClock

    /// Writes every unsent message as `ID.eml`; the number written.
    @discardableResult
    func drain() async throws -> Int {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var written = 0
        for mail in try await store.unsentMail(limit: 100) {
            let text = """
                To: \(mail.recipient)\r
                From: CreditPress <no-reply@localhost>\r
                Subject: \(mail.subject)\r
                Date: \(ISODate.string(mail.createdAt))\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: 8bit\r
                \r
                \(mail.body.replacingOccurrences(of: "\n", with: "\r\n"))\r

                """
            try AtomicFile.write(Data(text.utf8), to: folder.appendingPathComponent("\(mail.id).eml"), durable: true)
            try await store.markSent(id: mail.id, at: clock.now())
            written += 1
        }
        return written
    }
}

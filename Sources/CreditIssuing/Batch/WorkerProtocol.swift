import CreditRecords
import CreditRegistry
import Foundation

/// The messages between a batch and its drawing processes: one JSON object a line.
///
/// Each drawing process has its own Cairo, Pango and FreeType state. Cairo's FreeType
/// backend shares open font faces between threads and closes the least recently used when
/// more than ten are open, which can crash or blank the text of a certificate drawn on
/// another thread; separate processes cannot interfere with each other.
package enum WorkerMessage {
    /// The first line a drawing process reads: what every job shares.
    package struct Setup: Codable {
        package var activity: String
        package var layout: String?
        package var creationDate: String
        package var output: String
        package var resources: String
        /// The environment's cache folder, if it has one.
        package var cache: String?
        /// The signing folder, when certificates are signed.
        package var signing: String?
        package var certify: Bool?
    }

    /// One certificate to draw: the learner as the batch read and checked it, so that the
    /// drawing process need not read the row again.
    package struct Job: Codable {
        package var row: Int
        package var learner: Learner
        package var id: String
        /// What the registry holds for this id, to reproduce it exactly.
        package var stored: IssuedRecord?
    }

    /// What became of it.
    package struct Result: Codable {
        package var row: Int
        package var sha: String?
        package var problems: [Reported]?
        package var material: IssueMaterial?
    }

    /// A problem, as it crosses the pipe.
    package struct Reported: Codable {
        package var file: String
        package var field: String
        package var learnerID: String?
        package var message: String
        package var hint: String?

        package init(_ problem: Problem) {
            (file, field, learnerID, message, hint) = (problem.file, problem.field, problem.learnerID, problem.message, problem.hint)
        }

        package func problem(row: Int) -> Problem {
            Problem(file: file, row: row, field: field, learnerID: learnerID, message: message, hint: hint)
        }
    }

    package static func encode<T: Encodable>(_ value: T) -> Data {
        var data = (try? JSONEncoder().encode(value)) ?? Data()
        data.append(0x0A)
        return data
    }
}

/// What the registry needs of a drawn certificate beyond its hash, from whichever drawer
/// made it (this process or a drawing process).
package struct IssueMaterial: Codable, Sendable {
    package var qr: String?
    /// The signature's CMS, base 64, its room and its `/M`.
    package var signature: String?
    package var signatureRoom: Int?
    package var signedAt: Date?
    package var certified: Bool
    package var layoutName: String
    package var layoutVersion: Int
    package var statementVersions: String
}

/// A certificate drawn and finished: its bytes, their SHA-256 and what the registry keeps.
package struct DrawnCertificate: Sendable {
    package var bytes: [UInt8]
    package var sha256: String
    package var material: IssueMaterial
}

/// Reads newline-terminated lines from a file descriptor.
package final class LineReader {
    private let descriptor: Int32
    private var buffer = Data()

    package init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next line without its newline, or nil at the end of the stream.
    package func next() -> Data? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                return Data(line)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = read(descriptor, &chunk, chunk.count)
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}

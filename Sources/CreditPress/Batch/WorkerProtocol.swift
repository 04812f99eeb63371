import Foundation

/// The messages between a batch and its drawing processes: one JSON object a line.
///
/// Each drawing process has its own Cairo, Pango and FreeType state. Cairo's FreeType
/// backend shares open font faces between threads and closes the least recently used when
/// more than ten are open, which can crash or blank the text of a certificate drawn on
/// another thread; separate processes cannot interfere with each other.
enum WorkerMessage {
    /// The first line a drawing process reads: what every job shares.
    struct Setup: Codable {
        var activity: String
        var layout: String?
        var creationDate: String
        var output: String
        var resources: String
        /// The signing folder, when certificates are signed.
        var signing: String?
        var certify: Bool?
    }

    /// One certificate to draw: the learner as the batch read and checked it, so that the
    /// drawing process need not read the row again.
    struct Job: Codable {
        var row: Int
        var learner: Learner
        var id: String
        /// What the registry holds for this id, to reproduce it exactly.
        var stored: IssuedRecord?
    }

    /// What became of it.
    struct Result: Codable {
        var row: Int
        var sha: String?
        var problems: [Reported]?
        var material: IssueMaterial?
    }

    /// A problem, as it crosses the pipe.
    struct Reported: Codable {
        var file: String
        var field: String
        var learnerID: String?
        var message: String
        var hint: String?

        init(_ problem: Problem) {
            (file, field, learnerID, message, hint) = (problem.file, problem.field, problem.learnerID, problem.message, problem.hint)
        }

        func problem(row: Int) -> Problem {
            Problem(file: file, row: row, field: field, learnerID: learnerID, message: message, hint: hint)
        }
    }

    static func encode<T: Encodable>(_ value: T) -> Data {
        var data = (try? JSONEncoder().encode(value)) ?? Data()
        data.append(0x0A)
        return data
    }
}

/// What the registry needs of a drawn certificate beyond its hash.
struct IssueMaterial: Codable, Sendable {
    var qr: String?
    /// The signature's CMS, base 64, its room and its `/M`.
    var signature: String?
    var signatureRoom: Int?
    var signedAt: Date?
    var certified: Bool
    var layout: String
    var statementVersions: String
}

/// Reads newline-terminated lines from a file descriptor.
final class LineReader {
    private let descriptor: Int32
    private var buffer = Data()

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next line without its newline, or nil at the end of the stream.
    func next() -> Data? {
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

import CreditRecords
import CreditRegistry
import Foundation

/// One certificate for a render pool to draw: the learner as read and checked, the id, what
/// the registry holds for it (to reproduce it exactly), and where to write the PDF (nil:
/// the bytes come back with the outcome). `tag` names the job in its outcome.
package struct RenderJob: Codable, Sendable {
    package var tag: Int
    package var learner: Learner
    package var id: String
    package var stored: IssuedRecord?
    package var file: String?

    package init(tag: Int, learner: Learner, id: String, stored: IssuedRecord?, file: String?) {
        (self.tag, self.learner, self.id, self.stored, self.file) = (tag, learner, id, stored, file)
    }
}

/// What a render pool made of a job: the drawn certificate (without its bytes when they
/// went to the job's file), or the diagnostics that refused it.
package enum RenderOutcome: Sendable {
    case drawn(tag: Int, DrawnCertificate)
    case refused(tag: Int, [Diagnostic])

    package var tag: Int {
        switch self {
        case .drawn(let tag, _), .refused(let tag, _): return tag
        }
    }
}

/// The messages between a render pool and its drawing processes: one JSON object a line.
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
        package var resources: String
        /// The environment's cache folder, if it has one.
        package var cache: String?
        /// The signing folder, when certificates are signed.
        package var signing: String?
        package var certify: Bool?
        /// Where to add each certificate's page to the merged PDF, when the batch makes one.
        package var merged: MergedPages.Setup?

        package init(activity: String, layout: String?, creationDate: String, resources: String, cache: String?, signing: String?, certify: Bool?) {
            self.activity = activity
            self.layout = layout
            self.creationDate = creationDate
            self.resources = resources
            self.cache = cache
            self.signing = signing
            self.certify = certify
        }
    }

    /// What became of a job, as it crosses the pipe.
    package struct Result: Codable {
        package var tag: Int
        package var sha: String?
        /// The PDF, base 64, when the job named no file to write it to.
        package var bytes: String?
        package var diagnostics: [Diagnostic]?
        package var material: IssueMaterial?
        package var page: MergedPages.Place?

        package init(_ outcome: RenderOutcome) {
            switch outcome {
            case .drawn(let tag, let drawn):
                (self.tag, sha, material, page) = (tag, drawn.sha256, drawn.material, drawn.mergedPage)
                bytes = drawn.bytes.isEmpty ? nil : Data(drawn.bytes).base64EncodedString()
            case .refused(let tag, let diagnostics):
                (self.tag, self.diagnostics) = (tag, diagnostics)
            }
        }

        package var outcome: RenderOutcome {
            guard let sha, let material else { return .refused(tag: tag, diagnostics ?? []) }
            let pdf = bytes.flatMap { Data(base64Encoded: $0) }.map(Array.init) ?? []
            return .drawn(tag: tag, DrawnCertificate(bytes: pdf, sha256: sha, material: material, mergedPage: page))
        }
    }

    /// The last line a drawing process writes, once its input has closed: the parts of the
    /// merged PDF it completed, with their number of pages.
    package struct Closing: Codable {
        package var parts: [String: Int]
        /// The CPU time the process spent on those parts' pages, in seconds.
        package var seconds: Double?
    }

    /// Slashes left as they are: each escaped one (a QR text's address has four) sends the
    /// reader's string scan down its slow path.
    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }

    package static func encode<T: Encodable>(_ value: T) -> Data {
        var data = (try? encoder.encode(value)) ?? Data()
        data.append(0x0A)
        return data
    }
}

/// What the registry needs of a drawn certificate beyond its hash, from whichever drawer
/// made it (this process or a drawing process).
package struct IssueMaterial: Codable, Sendable {
    package var qr: String?
    /// The QR code's modules as drawn, `VERSION:BASE64` of `QRMatrix.packed`: a batch keeps
    /// them for its merged PDF. Not recorded in the registry.
    package var qrModules: String?
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
    /// Where the drawing process added its page to the merged PDF, when it did.
    package var mergedPage: MergedPages.Place?
}

/// Reads newline-terminated lines from a file descriptor.
package final class LineReader {
    private let descriptor: Int32
    /// Bytes read and not yet returned start at `start`; those before `scanned` hold no newline.
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0
    private var chunk = [UInt8](repeating: 0, count: 65536)

    package init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// The next line without its newline, or nil at the end of the stream.
    package func next() -> Data? {
        while true {
            if let newline = buffer[scanned...].firstIndex(of: 0x0A) {
                let line = Data(buffer[start..<newline])
                start = newline + 1
                scanned = start
                return line
            }
            scanned = buffer.count
            // Drop what was returned before growing, so the buffer holds about one line.
            if start > 0 {
                buffer.removeFirst(start)
                scanned -= start
                start = 0
            }
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }
}

import CreditLayout
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation

/// Draws certificates for a batch: the work one thread or one drawing process does.
package struct DrawingWorker {
    package let renderer: CertificateRenderer
    package let activity: Activity
    package let layout: String?
    package let creationDate: Date
    package let output: URL
    package var signing: SigningIdentity?
    package var certify = false

    /// Draws one certificate and writes it under its id; the outcome names the row.
    /// `stored` reproduces a certificate the registry already holds, or refuses the row.
    package func draw(learner: Learner, row: Int, id: String, stored: IssuedRecord? = nil) -> BatchRunner.Outcome {
        do {
            let (_, drawn) = try renderer.draw(activity: activity, learner: learner, layoutName: layout, creationDate: creationDate,
                                               id: id, stored: stored, signing: signing, certify: certify)
            if let stored, stored.pdfSHA256 != drawn.sha256 {
                return .refused(row: row, [Problem(
                    file: "", row: row, field: "", learnerID: learner.id,
                    message: "certificate \(id) was issued on \(ISODate.string(stored.issuedAt)) and is frozen, but this row or the templates now give a different file",
                    hint: "correct it with `creditpress reissue --id \(id) --reason …`, or restore the row as it was issued")])
            }
            try AtomicFile.write(Data(drawn.bytes), to: output.appendingPathComponent("certificates/\(id).pdf"), durable: false)
            return .issued(row: row, sha: drawn.sha256, material: drawn.material)
        } catch let error as InputError {
            return .refused(row: row, error.problems)
        } catch let error as LayoutError {
            let column = error.block == "name" || error.block == "qr" ? "professional_name" : "layout"
            return .refused(row: row, [Problem(file: error.file, row: row, field: column,
                                               learnerID: learner.id, message: error.message)])
        } catch {
            return .refused(row: row, [Problem(file: "", row: row, field: "", learnerID: learner.id, message: "\(error)")])
        }
    }

    /// The drawing-process side of the protocol: reads the setup, then jobs, from standard
    /// input until it closes, answering each on standard output.
    /// The setup names the resources and cache folder; the rest of `environment` (the clock,
    /// the actor) is the drawing process's own.
    package static func serve(environment: CreditEnvironment, input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) throws {
        let lines = LineReader(descriptor: input)
        guard let first = lines.next() else { return }
        let setup = try JSONDecoder().decode(WorkerMessage.Setup.self, from: first)
        var environment = environment
        environment.resources = Resources(root: URL(fileURLWithPath: setup.resources))
        environment.cacheFolder = setup.cache.map { URL(fileURLWithPath: $0) }
        let renderer = try CertificateRenderer(environment: environment)
        let activity = try renderer.readActivity(URL(fileURLWithPath: setup.activity), displayName: setup.activity)
        guard let date = ISO8601DateFormatter().date(from: setup.creationDate) else { return }
        var worker = DrawingWorker(renderer: renderer, activity: activity, layout: setup.layout,
                                   creationDate: date, output: URL(fileURLWithPath: setup.output))
        worker.signing = try setup.signing.map { try SigningIdentity.load(from: URL(fileURLWithPath: $0)) }
        worker.certify = setup.certify ?? false
        let decoder = JSONDecoder()
        while let line = lines.next() {
            let job = try decoder.decode(WorkerMessage.Job.self, from: line)
            let outcome = worker.draw(learner: job.learner, row: job.row, id: job.id, stored: job.stored)
            let result: WorkerMessage.Result
            switch outcome {
            case .issued(let row, let sha, let material): result = .init(row: row, sha: sha, problems: nil, material: material)
            case .refused(let row, let problems): result = .init(row: row, sha: nil, problems: problems.map(WorkerMessage.Reported.init))
            }
            let data = WorkerMessage.encode(result)
            _ = data.withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
        }
    }
}

/// The entry point of a drawing process, for the command line's hidden `batch-worker`.
public enum BatchWorker {
    public static func serve(environment: CreditEnvironment) throws {
        try DrawingWorker.serve(environment: environment)
    }
}

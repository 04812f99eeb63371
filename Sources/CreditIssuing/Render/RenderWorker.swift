import CreditLayout
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation

/// Draws certificates: the work one thread or one drawing process of a render pool does.
package struct RenderWorker {
    package let renderer: CertificateRenderer
    package let activity: Activity
    package let layout: String?
    package let creationDate: Date
    package var signing: SigningIdentity?
    package var certify = false
    /// Where each certificate drawn also goes as a page of the merged PDF (a batch's drawing process).
    package var merged: MergedPages?

    package init(renderer: CertificateRenderer, activity: Activity, layout: String?, creationDate: Date,
                 signing: SigningIdentity? = nil, certify: Bool = false) {
        (self.renderer, self.activity, self.layout, self.creationDate) = (renderer, activity, layout, creationDate)
        (self.signing, self.certify) = (signing, certify)
    }

    /// The worker a drawing process's setup describes.
    package init(setup: WorkerMessage.Setup, clock: any CreditClock, actor: String) throws {
        let environment = CreditEnvironment(resources: Resources(root: URL(fileURLWithPath: setup.resources)), clock: clock,
                                            actor: actor, cacheFolder: setup.cache.map { URL(fileURLWithPath: $0) })
        let renderer = try CertificateRenderer(environment: environment)
        let activity = try renderer.readActivity(URL(fileURLWithPath: setup.activity), displayName: setup.activity)
        guard let date = ISO8601DateFormatter().date(from: setup.creationDate) else {
            throw RenderError(file: "", message: "the creation date '\(setup.creationDate)' is not a date")
        }
        self.init(renderer: renderer, activity: activity, layout: setup.layout, creationDate: date)
        signing = try setup.signing.map { try SigningIdentity.load(from: URL(fileURLWithPath: $0)) }
        certify = setup.certify ?? false
        merged = setup.merged.map { MergedPages(setup: $0, creationDate: date) }
    }

    /// Draws one job through the renderer's single draw step; writes it to the job's file
    /// when it names one. A reproduction whose bytes differ from the record is refused.
    package func render(_ job: RenderJob) -> RenderOutcome {
        let learner = job.learner
        do {
            var (certificate, drawn) = try renderer.draw(activity: activity, learner: learner, layoutName: layout, creationDate: creationDate,
                                               id: job.id, stored: job.stored, signing: signing, certify: certify)
            if let stored = job.stored, stored.pdfSHA256 != drawn.sha256 {
                return .refused(tag: job.tag, [Diagnostic(
                    kind: .registry, file: "", learnerID: learner.id,
                    message: "certificate \(job.id) was issued on \(ISODate.string(stored.issuedAt)) and is frozen, but this row or the templates now give a different file",
                    hint: "correct it with `creditpress reissue --id \(job.id) --reason \"…\" --activity ACTIVITY --roster THIS-ROSTER --batch THIS-FOLDER` (a new id that supersedes it), or restore the row as it was issued")])
            }
            if let file = job.file {
                try AtomicFile.write(Data(drawn.bytes), to: URL(fileURLWithPath: file), durable: false)
                drawn.bytes = []
            }
            drawn.mergedPage = merged?.add(certificate.page)
            return .drawn(tag: job.tag, drawn)
        } catch {
            var diagnostics = Diagnostic.of(error)
            for index in diagnostics.indices where diagnostics[index].learnerID == nil { diagnostics[index].learnerID = learner.id }
            return .refused(tag: job.tag, diagnostics)
        }
    }

    /// The drawing-process side of the protocol: reads the setup, then jobs, from standard
    /// input until it closes, answering each on standard output; then completes its part of
    /// the merged PDF, if any, and says which parts it completed.
    /// The setup names the resources and the cache folder; the clock and the actor are the
    /// drawing process's own.
    package static func serve(clock: any CreditClock, actor: String, input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) throws {
        let lines = LineReader(descriptor: input)
        guard let first = lines.next() else { return }
        let setup = try JSONDecoder().decode(WorkerMessage.Setup.self, from: first)
        let worker = try RenderWorker(setup: setup, clock: clock, actor: actor)
        let decoder = JSONDecoder()
        while let line = lines.next() {
            let job = try decoder.decode(RenderJob.self, from: line)
            let data = WorkerMessage.encode(WorkerMessage.Result(worker.render(job)))
            _ = data.withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
        }
        guard let merged = worker.merged else { return }
        // A part that cannot be completed is left out: the batch draws its pages again.
        try? merged.finish()
        let data = WorkerMessage.encode(WorkerMessage.Closing(parts: merged.finished, seconds: merged.seconds))
        _ = data.withUnsafeBytes { write(output, $0.baseAddress, $0.count) }
    }
}

/// The entry point of a render pool's drawing process, for the command line's hidden `batch-worker`.
public enum BatchWorker {
    public static func serve(clock: any CreditClock, actor: String) throws {
        try RenderWorker.serve(clock: clock, actor: actor)
    }

    /// A process writing a part of a merged PDF (`batch-worker --merged-part`).
    public static func serveMergedPart(clock: any CreditClock, actor: String) {
        MergedPart.serve(clock: clock, actor: actor)
    }
}

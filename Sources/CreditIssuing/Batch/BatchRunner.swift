import CreditLayout
import CreditRecords
import CreditRegistry
import Foundation

/// Issues every certificate of a roster: one PDF per accepted row (in parallel), a merged
/// print-ready PDF, a manifest and a rejects report. Rows are streamed; a bad row is
/// reported and never stops the run; a killed run is finished by running it again.
public final class BatchRunner {
    package let options: BatchOptions
    package let environment: CreditEnvironment
    package var resources: Resources { environment.resources }
    package let fonts: FontLibrary
    package let renderer: CertificateRenderer
    /// The issuing path every certificate of the batch goes through.
    package let issuer: CertificateIssuer
    package let activity: Activity
    package let activityHash: String
    package let activityText: String
    package let state: BatchState
    package var summary: BatchSummary

    /// What the user should know before the run: how its input was read.
    public var notices: [String] { summary.notices }
    package let reports: ReportStream
    /// The first failure to write a report, raised when the run ends.
    package var failures = FirstFailure()
    /// Set when the system refused a write: the run stops reading rows and ends with it.
    package var stop: BatchStopped?
    package var spool: RowSpool
    package var learnerRows: [String: Int] = [:]
    /// The name and email of each row being settled, for the rejects report.
    private var people: [Int: (name: String, email: String)] = [:]
    package let progress: BatchProgress
    package let roster: RosterReader

    /// A certificate for a worker to draw.
    package struct Job: Sendable {
        package var row: RosterRow
        package var learner: Learner
        package var id: String
        package var input: String
        package var kind: CertificateKind
        /// The registry's record of this id, when it was issued before.
        package var stored: IssuedRecord?
    }

    /// What every row's input hash starts with: the activity, layout and creation date.
    package lazy var inputPrefix = ["v1", activityHash, options.layout ?? "", ISODate.string(state.creationDate)].joined(separator: "\u{1F}")

    /// Jobs handed to the drawers and not yet answered, by row.
    package var pendingJobs: [Int: Job] = [:]
    /// The merged PDF's parts the drawing processes completed, with their number of pages.
    package var drawnParts: [String: Int] = [:]

    public init(options: BatchOptions, environment: CreditEnvironment, fonts: FontLibrary) throws {
        self.options = options
        self.environment = environment
        self.fonts = fonts
        renderer = try CertificateRenderer(environment: environment, fonts: fonts)
        issuer = CertificateIssuer(renderer: renderer, idKey: options.idKey, signing: options.signing, registry: options.registry)
        issuer.certify = options.certify
        activity = try renderer.readActivity(options.activity, displayName: options.activity.relativePath)
        let activityData = try Data(contentsOf: options.activity)
        activityHash = Hex.sha256(activityData)
        activityText = String(decoding: activityData, as: UTF8.self)
        if let layout = options.layout { _ = try renderer.layout(named: layout) }
        // A broken statement template stops the run here, not every row.
        _ = try renderer.catalog
        // The roster's header is checked before anything is written to the output folder.
        roster = try RosterReader(url: options.roster, displayName: options.roster.relativePath, encoding: options.encoding, mapping: options.mapping)
        state = try BatchState(folder: options.output, activityHash: activityHash, requestedDate: options.creationDate,
                               now: environment.clock.now())
        spool = try RowSpool(folder: options.output)
        reports = try ReportStream(folder: options.output, activity: activity.id, creationDate: ISODate.string(state.creationDate),
                                   delimiter: roster.delimiter, creditCodes: Self.creditCodes(activity))
        summary = BatchSummary(output: options.output)
        summary.notices += roster.notices
        progress = BatchProgress(enabled: options.showProgress)
    }

    /// Runs the batch to the end.
    public func run() async throws -> BatchSummary {
        let started = ContinuousClock.now
        func seconds() -> Double { Double((ContinuousClock.now - started) / .microseconds(1)) / 1_000_000 }
        let pool = makePool()
        while stop == nil, let row = roster.next() {
            progress.total += 1
            reports.expect(row: row.number)
            if let job = await accept(row, reader: roster) {
                pendingJobs[job.row.number] = job
                pool.jobs.put(renderJob(job))
            }
            while let outcome = pool.outcomes.poll() { await handle(outcome, pool: pool) }
            progress.report(done: summary.accepted + summary.rejected)
        }
        if let problem = roster.stoppedEarly {
            reports.expect(row: problem.row ?? 0)
            reject(problem.row ?? 0, learnerID: nil, InputError([problem]))
        }
        while !pendingJobs.isEmpty, let outcome = pool.outcomes.take() { await handle(outcome, pool: pool) }
        pool.finish()
        drawnParts = pool.mergedParts
        summary.mergedAlongsideSeconds = pool.mergedSeconds
        progress.finish(done: summary.accepted + summary.rejected)
        if var stop {
            discardDrawnParts()
            // The rows never read have no certificate either; the finished ones are kept.
            while let row = roster.next() { stop.unwritten.append(row.number) }
            try? state.commit()
            stop.finished = summary.accepted
            throw stop
        }
        do { try state.commit() } catch { throw BatchStopped(error, row: nil, finished: summary.accepted) }
        summary.drawSeconds = seconds()
        if options.merged {
            try writeMerged()
        } else {
            discardDrawnParts()
            // The spool only orders the merged PDF's pages: without one it is not kept.
            spool.remove()
        }
        summary.mergeSeconds = seconds() - summary.drawSeconds
        try failures.raise()
        try reports.finish()
        try writeSummary()
        if options.zip { try writeZip() }
        summary.seconds = seconds()
        return summary
    }

    /// Checks a row; returns the job to draw it, or nil when it is refused or already issued.
    private func accept(_ row: RosterRow, reader: RosterReader) async -> Job? {
        // Who the row names, for the rejects report: as far as its fields say, never too long.
        func short(_ text: String?) -> String {
            guard let text, !text.unicodeScalars.contains(where: FieldMapping.isControl) else { return "" }
            return text.unicodeScalars.count > 200 ? "" : text
        }
        people[row.number] = (short(reader.columns.value("professional_name", in: row)), short(reader.columns.field("email", in: row)))
        let learner: Learner
        switch reader.learner(from: row) {
        case .failure(let error):
            reject(row.number, learnerID: reader.columns.learnerID(in: row), error)
            return nil
        case .success(let value):
            learner = value
        }
        if let first = learnerRows[learner.id] {
            reject(row.number, learnerID: learner.id, InputError([Problem(
                file: reader.file, row: row.number, field: "id", learnerID: learner.id,
                message: "the learner id is already on row \(first)", hint: "keep one row per learner")]))
            return nil
        }
        learnerRows[learner.id] = row.number
        let kind: CertificateKind
        do {
            kind = try CertificateRequest.check(activity: activity, learner: learner, claimTime: state.creationDate).kind
        } catch {
            reject(row.number, learnerID: learner.id, reader.relabel(error, row: row))
            return nil
        }
        let id: String
        var stored: IssuedRecord?
        do {
            switch try await issuer.plan(activityID: activity.id, learnerID: learner.id) {
            case .new(let new): id = new
            case .reproduce(let record):
                (id, stored) = (record.id, record)
                // Reissued since an earlier run into this folder: the superseded PDF leaves certificates/.
                if let old = record.supersedes, BatchFolder(options.output).moveAside(old) {
                    summary.movedAside.append(old)
                }
            }
        } catch let error as RegistryError {
            // Revoked or superseded: the message says what to do.
            reject(row.number, learnerID: learner.id, InputError([Problem(
                file: reader.file, row: row.number, field: "id", learnerID: learner.id, message: error.description)]))
            return nil
        } catch {
            reject(row.number, learnerID: learner.id, InputError([Problem(file: options.registry?.location ?? "", row: row.number, field: "",
                                                                          learnerID: learner.id, message: "the registry cannot be read: \(error)")]))
            return nil
        }
        let input = Hex.sha256(Data(([inputPrefix] + row.fields).joined(separator: "\u{1F}").utf8))
        let job = Job(row: row, learner: learner, id: id, input: input, kind: kind, stored: stored)
        // A certificate an earlier run finished is kept only if the file still holds what
        // was journalled; an emptied or altered one is drawn again.
        if let done = state.finished[id], done.input == input,
           let bytes = FileManager.default.contents(atPath: file(for: id).path), Hex.sha256(bytes) == done.sha {
            summary.reused += 1
            issue(job, sha: done.sha, qr: nil)
            return nil
        }
        return job
    }

    package func file(for id: String) -> URL {
        options.output.appendingPathComponent("certificates/\(id).pdf")
    }

    /// The render pool's job for a row: drawn straight into the certificates folder.
    private func renderJob(_ job: Job) -> RenderJob {
        RenderJob(tag: job.row.number, learner: job.learner, id: job.id, stored: job.stored, file: file(for: job.id).path)
    }

    private func handle(_ outcome: RenderOutcome, pool: RenderPool) async {
        switch outcome {
        case .drawn(let row, let drawn):
            guard var job = pendingJobs.removeValue(forKey: row) else { return }
            let sha = drawn.sha256
            // The registry first: a run killed in between redraws the row, and the
            // registry's record makes that redraw identical.
            if let registry = options.registry, job.stored == nil {
                do {
                    let record = issuer.record(id: job.id, kind: job.kind, activity: activity, activitySHA256: activityHash,
                                               learner: job.learner, learnerInput: roster.inputJSON(of: job.row), drawn: drawn,
                                               issuedAt: state.creationDate, revision: 1)
                    if case .existing(let first) = try await registry.recordOrFetch(record, activityText: activityText, actor: environment.actor),
                       first.pdfSHA256 != sha {
                        // Recorded first by a run at the same time: draw that certificate again, as recorded.
                        job.stored = first
                        pendingJobs[row] = job
                        pool.jobs.put(renderJob(job))
                        return
                    }
                } catch {
                    learnerRows[job.learner.id] = nil
                    reject(row, learnerID: job.learner.id, InputError([Problem(file: registry.location, row: row, field: "",
                                                                               learnerID: job.learner.id, message: "could not be recorded in the registry: \(error)")]))
                    return
                }
            }
            do {
                try state.record(id: job.id, input: job.input, sha: sha)
            } catch {
                halt(error.diagnostics[0], row: row)
                return
            }
            summary.rendered += 1
            issue(job, sha: sha, qr: drawn.material.qr.map { ($0, drawn.material.qrModules) }, page: drawn.mergedPage)
        case .refused(let row, let diagnostics):
            guard let job = pendingJobs.removeValue(forKey: row) else { return }
            learnerRows[job.learner.id] = nil
            if let storage = diagnostics.first(where: { $0.kind == .storage }) {
                halt(storage, row: row)
                return
            }
            let error = InputError(diagnostics.map { Self.problem($0, row: row, learnerID: job.learner.id) })
            reject(row, learnerID: job.learner.id, roster.relabel(error, row: job.row))
        }
    }

    /// Several drawing processes when there is a command to start them and more than one
    /// job is asked for; otherwise one drawing thread in this process.
    /// A row's problem as the rejects report names it: a name that does not fit the layout
    /// is the `professional_name` column's, other layout problems the `layout`'s.
    static func problem(_ diagnostic: Diagnostic, row: Int, learnerID: String) -> Problem {
        var field = diagnostic.field
        if diagnostic.kind == .layout { field = diagnostic.block == "name" || diagnostic.block == "qr" ? "professional_name" : "layout" }
        var problem = Problem(file: diagnostic.file, line: diagnostic.line, field: field, learnerID: diagnostic.learnerID ?? learnerID,
                              message: diagnostic.message, hint: diagnostic.hint)
        problem.row = row
        return problem
    }

    private func makePool() -> RenderPool {
        if options.jobs > 1, let command = options.workerCommand {
            var setup = WorkerMessage.Setup(
                activity: options.activity.path, layout: options.layout, creationDate: ISODate.string(state.creationDate),
                resources: resources.root.path, cache: environment.cacheFolder?.path,
                signing: options.signingFolder?.path, certify: options.certify)
            // Each drawing process adds the certificates it draws to parts of the merged PDF.
            setup.merged = options.merged ? MergedPages.Setup(folder: options.output.path, partPages: options.mergedPartPages) : nil
            return RenderPool(processes: options.jobs, command: command, setup: setup)
        }
        let (environment, fonts, activity, layout, date) = (environment, fonts, activity, options.layout, state.creationDate)
        let (signing, certify) = (options.signing, options.certify)
        return RenderPool(thread: {
            var worker = RenderWorker(renderer: try CertificateRenderer(environment: environment, fonts: fonts), activity: activity,
                                      layout: layout, creationDate: date)
            worker.signing = signing
            worker.certify = certify
            return worker
        })
    }

    private func issue(_ job: Job, sha: String, qr: (text: String, modules: String?)?, page: MergedPages.Place? = nil) {
        summary.accepted += 1
        people[job.row.number] = nil
        summary.kinds[job.kind.rawValue, default: 0] += 1
        var amounts: [String: Double] = [:]
        for claim in job.learner.claims {
            let amount = Double(claim.amount.description) ?? 0
            amounts[claim.code, default: 0] += amount
            let sofar = summary.credits[claim.code] ?? (0, 0)
            summary.credits[claim.code] = (sofar.count + 1, sofar.total + amount)
        }
        settle(row: job.row.number) { try reports.issued(ManifestEntry(
            row: job.row.number, learnerID: job.learner.id, name: job.learner.professionalName, email: job.learner.email,
            certificateID: job.id, kind: job.kind.rawValue, credits: BatchRunner.credits(job.learner), amounts: amounts,
            file: "certificates/\(job.id).pdf", sha256: sha)) }
        settle(row: job.row.number) { try spool.add(job.row, learner: job.learner, id: job.id, qr: qr, page: page, order: options.order) }
    }

    /// Runs a write of the reports or the spool: a write the system refuses stops the run,
    /// any other failure is raised when it ends.
    private func settle(row: Int, _ body: () throws -> Void) {
        do {
            try body()
        } catch {
            if let storage = Diagnostic.of(error).first(where: { $0.kind == .storage }) {
                halt(storage, row: row)
            } else {
                failures.record { throw error }
            }
        }
    }

    /// The system refused a write: no more rows are read, and the run ends with the first such failure.
    private func halt(_ diagnostic: Diagnostic, row: Int?) {
        if stop == nil { stop = BatchStopped(failure: diagnostic, total: 0) }
        if let row { stop?.unwritten.append(row) }
    }

    private func reject(_ row: Int, learnerID: String?, _ error: InputError) {
        summary.rejected += 1
        let person = people[row]
        people[row] = nil
        let entries = error.problems.map { problem in
            RejectEntry(row: row, learnerID: learnerID ?? "", name: person?.name ?? "", email: person?.email ?? "", column: problem.field,
                        reason: problem.message + (problem.hint.map { " — \($0)" } ?? ""))
        }
        settle(row: row) { try reports.rejected(row: row, entries) }
    }

    /// The manifest's credit columns: each designation's, and hours of participation, which
    /// any activity may give.
    static func creditCodes(_ activity: Activity) -> [String] {
        var codes = activity.designations.map { designation in designation.board.map { "\(designation.type.rawValue):\($0.id)" } ?? designation.type.rawValue }
        if !codes.contains(CreditType.participation.rawValue) { codes.append(CreditType.participation.rawValue) }
        return codes
    }

    /// "24.5 ama-pra-category-1; 20 moc:abim"
    package static func credits(_ learner: Learner) -> String {
        learner.claims.map { claim in
            "\(claim.amount) \(claim.code)"
        }.joined(separator: "; ")
    }
}

/// A batch the system stopped by refusing a write: the failure, and the rows it cost.
package struct BatchStopped: Error, DiagnosticConvertible {
    package var failure: Diagnostic
    package var total: Int
    /// Rows with no certificate because of it (and the rows never read).
    package var unwritten: [Int] = []
    package var finished = 0

    package init(failure: Diagnostic, total: Int) {
        self.failure = failure
        self.total = total
    }

    package init(_ error: RenderError, row: Int?, finished: Int) {
        self.init(failure: error.diagnostics[0], total: 0)
        self.finished = finished
        if let row { unwritten.append(row) }
    }

    package var diagnostics: [Diagnostic] {
        var diagnostic = failure
        let rows = unwritten.sorted()
        let cost = rows.isEmpty ? "" : "; \(rows.count) \(rows.count == 1 ? "row has" : "rows have") no certificate yet (\(Self.ranges(rows)))"
        diagnostic.message += cost
        diagnostic.hint = (failure.hint ?? "fix the output folder, then run the same command again")
            + (finished == 0 ? "" : "; the \(finished) certificates finished are kept and the rerun draws only the rest")
        diagnostic.learnerID = nil
        diagnostic.row = nil
        return [diagnostic]
    }

    /// "rows 3, 5–9 and 12", at most eight ranges and a count of the rest.
    static func ranges(_ rows: [Int]) -> String {
        var spans: [(Int, Int)] = []
        for row in rows {
            if let last = spans.last, row <= last.1 + 1 { spans[spans.count - 1].1 = max(last.1, row) } else { spans.append((row, row)) }
        }
        var parts = spans.prefix(8).map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)–\($0.1)" }
        if spans.count > 8 { parts.append("\(spans.count - 8) more ranges") }
        let text = parts.count == 1 ? parts[0] : parts.dropLast().joined(separator: ", ") + " and " + (parts.last ?? "")
        return (rows.count == 1 ? "row " : "rows ") + text
    }
}

/// Keeps the first error of calls that cannot throw where they are made.
package struct FirstFailure {
    private var error: Error?

    package mutating func record(_ body: () throws -> Void) {
        do { try body() } catch { if self.error == nil { self.error = error } }
    }

    package func raise() throws {
        if let error { throw error }
    }
}

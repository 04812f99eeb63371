import Foundation

extension BatchRunner {
    /// A worker thread with its own renderer (Pango objects are per thread).
    final class Worker: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)

        init(resources: Resources, fonts: FontLibrary, activity: Activity, layout: String?, creationDate: Date,
             output: URL, jobs: WorkQueue<Job>, outcomes: WorkQueue<Outcome>) {
            let thread = Thread { [done] in
                defer { done.signal() }
                guard let renderer = try? CertificateRenderer(resources: resources, fonts: fonts) else { return }
                while let job = jobs.take() {
                    outcomes.put(Worker.draw(job, renderer: renderer, activity: activity, layout: layout,
                                             creationDate: creationDate, output: output))
                }
            }
            thread.stackSize = 4 << 20
            thread.start()
        }

        func wait() { done.wait() }

        private static func draw(_ job: Job, renderer: CertificateRenderer, activity: Activity, layout: String?,
                                 creationDate: Date, output: URL) -> Outcome {
            do {
                let certificate = try renderer.prepare(activity: activity, learner: job.learner, layoutName: layout,
                                                       creationDate: creationDate)
                let data = try PDFWriter.data([certificate.page], metadata: certificate.metadata)
                try AtomicFile.write(data, to: output.appendingPathComponent("certificates/\(job.id).pdf"), durable: false)
                return .issued(job, sha: BatchState.sha256(data))
            } catch let error as InputError {
                return .refused(job, error)
            } catch let error as LayoutError {
                let column = error.block == "name" ? "professional_name" : "layout"
                return .refused(job, InputError([Problem(file: error.file, row: job.row.number, field: column,
                                                         learnerID: job.learner.id, message: error.message)]))
            } catch {
                return .refused(job, InputError([Problem(file: "", row: job.row.number, field: "",
                                                         learnerID: job.learner.id, message: "\(error)")]))
            }
        }
    }

    func startWorkers(jobs: WorkQueue<Job>, outcomes: WorkQueue<Outcome>) -> [Worker] {
        (0..<max(1, options.jobs)).map { _ in
            Worker(resources: resources, fonts: fonts, activity: activity, layout: options.layout,
                   creationDate: state.creationDate, output: options.output, jobs: jobs, outcomes: outcomes)
        }
    }
}

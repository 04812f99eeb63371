import CreditRecords
import Foundation

/// Where certificates are drawn: one thread in this process, or several drawing processes
/// (each with its own Cairo, Pango and memory, so a crash costs one job). A batch puts jobs
/// into `jobs` and reads `outcomes` as they come; a server awaits `render(_:)` for each
/// request instead. A pool is used one way or the other, not both.
package final class RenderPool: @unchecked Sendable {
    package let jobs = WorkQueue<RenderJob>(capacity: 16)
    package let outcomes = WorkQueue<RenderOutcome>()
    private var finished: [DispatchSemaphore] = []
    private var slots: [ProcessSlot] = []
    private let waiters = NSLock()
    private var waiting: [Int: CheckedContinuation<RenderOutcome, Never>] = [:]
    private var nextTag = 0
    private var delivering = false

    /// One drawing thread in this process.
    package init(thread worker: @escaping @Sendable () throws -> RenderWorker) {
        let done = DispatchSemaphore(value: 0)
        finished = [done]
        let jobs = self.jobs, outcomes = self.outcomes
        let thread = Thread {
            defer { done.signal() }
            do {
                let worker = try worker()
                while let job = jobs.take() { outcomes.put(worker.render(job)) }
            } catch {
                while let job = jobs.take() { outcomes.put(.refused(tag: job.tag, Diagnostic.of(error))) }
            }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// `count` drawing processes, each started with `command` and fed `setup` first.
    package init(processes count: Int, command: [String], setup: WorkerMessage.Setup) {
        // A drawing process that dies closes its pipe; writing to it must fail, not kill us.
        signal(SIGPIPE, SIG_IGN)
        for _ in 0..<count {
            let done = DispatchSemaphore(value: 0)
            finished.append(done)
            let slot = ProcessSlot(command: command, setup: setup)
            slots.append(slot)
            let jobs = self.jobs, outcomes = self.outcomes
            let thread = Thread {
                defer { done.signal() }
                while let job = jobs.take() { outcomes.put(slot.render(job)) }
                slot.close()
            }
            thread.start()
        }
    }

    /// Draws `job` (its tag is replaced by one of the pool's own) and gives its outcome,
    /// suspending the caller, not a thread, while it waits.
    package func render(_ job: RenderJob) async -> RenderOutcome {
        var job = job
        let outcome = await withCheckedContinuation { continuation in
            waiters.withLock {
                nextTag += 1
                job.tag = nextTag
                waiting[nextTag] = continuation
                if !delivering {
                    delivering = true
                    startDelivering()
                }
            }
            jobs.put(job)
        }
        return outcome
    }

    /// Hands each outcome to the caller of `render` waiting for it, on a thread of its own.
    private func startDelivering() {
        let thread = Thread { [self] in
            while let outcome = outcomes.take() {
                waiters.withLock { waiting.removeValue(forKey: outcome.tag) }?.resume(returning: outcome)
            }
        }
        thread.start()
    }

    /// No more jobs; waits until every drawer has stopped.
    package func finish() {
        jobs.close()
        for done in finished { done.wait() }
        outcomes.close()
    }

    /// The parts of the merged PDF the drawing processes completed, with their number of
    /// pages (`WorkerMessage.Setup.merged`); known once the pool has finished.
    package var mergedParts: [String: Int] {
        slots.reduce(into: [:]) { parts, slot in parts.merge(slot.mergedParts) { first, _ in first } }
    }

    /// The CPU time the drawing processes spent on those parts, in seconds.
    package var mergedSeconds: Double { slots.reduce(0) { $0 + $1.mergedSeconds } }
}

/// One drawing process, restarted (up to three times) if it dies.
package final class ProcessSlot: @unchecked Sendable {
    private let command: [String]
    private let setup: WorkerMessage.Setup
    private var process: Process?
    private var input: FileHandle?
    private var lines: LineReader?
    private var restarts = 0
    /// The merged PDF's parts its processes completed; a process that died completed none.
    package private(set) var mergedParts: [String: Int] = [:]
    package private(set) var mergedSeconds: Double = 0

    package init(command: [String], setup: WorkerMessage.Setup) {
        self.command = command
        self.setup = setup
        start()
    }

    private func start() {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let toWorker = Pipe(), fromWorker = Pipe()
        process.standardInput = toWorker
        process.standardOutput = fromWorker
        do {
            try process.run()
        } catch {
            self.process = nil
            return
        }
        self.process = process
        input = toWorker.fileHandleForWriting
        lines = LineReader(descriptor: fromWorker.fileHandleForReading.fileDescriptor)
        try? input?.write(contentsOf: WorkerMessage.encode(setup))
    }

    package func render(_ job: RenderJob) -> RenderOutcome {
        func failed(_ message: String) -> RenderOutcome {
            .refused(tag: job.tag, [Diagnostic(kind: .render, file: "", learnerID: job.learner.id, message: message,
                                               hint: "run the batch again to retry this row")])
        }
        guard process != nil, let input, let lines else {
            return failed("no drawing process could be started (\(command[0]))")
        }
        do {
            try input.write(contentsOf: WorkerMessage.encode(job))
        } catch {
            return restart(after: failed("the drawing process stopped before drawing this certificate"))
        }
        guard let line = lines.next(), let result = try? JSONDecoder().decode(WorkerMessage.Result.self, from: line) else {
            process?.waitUntilExit()
            let status = process?.terminationStatus ?? -1
            return restart(after: failed("the drawing process stopped (status \(status)) while drawing this certificate"))
        }
        return result.outcome
    }

    private func restart(after outcome: RenderOutcome) -> RenderOutcome {
        try? input?.close()
        process = nil
        if restarts < 3 {
            restarts += 1
            start()
        }
        return outcome
    }

    package func close() {
        try? input?.close()
        let closing = setup.merged == nil ? nil : lines?.next().flatMap { try? JSONDecoder().decode(WorkerMessage.Closing.self, from: $0) }
        process?.waitUntilExit()
        if let closing, process?.terminationStatus == 0 {
            mergedParts.merge(closing.parts) { first, _ in first }
            mergedSeconds += closing.seconds ?? 0
        }
    }
}

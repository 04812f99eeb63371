import CreditRecords
import Foundation

/// Where a batch's certificates are drawn: one thread in this process, or several drawing
/// processes. Jobs go in through `jobs`; outcomes come back through `outcomes`.
package final class DrawingPool: @unchecked Sendable {
    package let jobs = WorkQueue<BatchRunner.Job>(capacity: 16)
    package let outcomes = WorkQueue<BatchRunner.Outcome>()
    private var finished: [DispatchSemaphore] = []

    /// One drawing thread in this process.
    package init(thread worker: @escaping @Sendable () throws -> DrawingWorker) {
        let done = DispatchSemaphore(value: 0)
        finished = [done]
        let jobs = self.jobs, outcomes = self.outcomes
        let thread = Thread {
            defer { done.signal() }
            do {
                let worker = try worker()
                while let job = jobs.take() {
                    outcomes.put(worker.draw(learner: job.learner, row: job.row.number, id: job.id, stored: job.stored))
                }
            } catch {
                while let job = jobs.take() {
                    outcomes.put(.refused(row: job.row.number, [Problem(file: "", row: job.row.number, field: "",
                                                                        learnerID: job.learner.id, message: "\(error)")]))
                }
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
            let jobs = self.jobs, outcomes = self.outcomes
            let thread = Thread {
                defer { done.signal() }
                while let job = jobs.take() { outcomes.put(slot.draw(job)) }
                slot.close()
            }
            thread.start()
        }
    }

    /// No more jobs; waits until every drawer has stopped.
    package func finish() {
        jobs.close()
        for done in finished { done.wait() }
    }
}

/// One drawing process, restarted (up to three times) if it dies.
package final class ProcessSlot: @unchecked Sendable {
    private let command: [String]
    private let setup: WorkerMessage.Setup
    private var process: Process?
    private var input: FileHandle?
    private var lines: LineReader?
    private var restarts = 0

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

    package func draw(_ job: BatchRunner.Job) -> BatchRunner.Outcome {
        let row = job.row.number
        func failed(_ message: String) -> BatchRunner.Outcome {
            .refused(row: row, [Problem(file: "", row: row, field: "", learnerID: job.learner.id, message: message,
                                        hint: "run the batch again to retry this row")])
        }
        guard process != nil, let input, let lines else {
            return failed("no drawing process could be started (\(command[0]))")
        }
        let message = WorkerMessage.Job(row: row, learner: job.learner, id: job.id, stored: job.stored)
        do {
            try input.write(contentsOf: WorkerMessage.encode(message))
        } catch {
            return restart(after: failed("the drawing process stopped before drawing this certificate"))
        }
        guard let line = lines.next(), let result = try? JSONDecoder().decode(WorkerMessage.Result.self, from: line) else {
            process?.waitUntilExit()
            let status = process?.terminationStatus ?? -1
            return restart(after: failed("the drawing process stopped (status \(status)) while drawing this certificate"))
        }
        if let sha = result.sha { return .issued(row: row, sha: sha, material: result.material) }
        return .refused(row: row, (result.problems ?? []).map { $0.problem(row: row) })
    }

    private func restart(after outcome: BatchRunner.Outcome) -> BatchRunner.Outcome {
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
        process?.waitUntilExit()
    }
}

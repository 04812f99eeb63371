import ArgumentParser
import CreditIssuing
import CreditRecords

/// `creditpress batch-worker`: a drawing process of `creditpress batch`; reads jobs on
/// standard input and answers on standard output. Not for use by hand.
struct BatchWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-worker", abstract: "A drawing process of `creditpress batch` (internal).",
        shouldDisplay: false)

    func run() throws {
        try BatchWorker.serve(clock: SystemClock(), actor: Live.actor)
    }
}

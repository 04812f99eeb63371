import ArgumentParser
import CreditIssuing
import CreditRecords

/// `creditpress batch-worker`: a drawing process of `creditpress batch`; reads jobs on
/// standard input and answers on standard output. Not for use by hand.
struct BatchWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-worker", abstract: "A drawing process of `creditpress batch` (internal).",
        shouldDisplay: false)

    @Flag(name: .customLong("merged-part"), help: "Write a part of the merged PDF instead.")
    var mergedPart = false

    func run() throws {
        if mergedPart {
            BatchWorker.serveMergedPart(clock: SystemClock(), actor: Live.actor)
        } else {
            try BatchWorker.serve(clock: SystemClock(), actor: Live.actor)
        }
    }
}

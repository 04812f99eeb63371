import ArgumentParser
import CreditPress
import Foundation

/// The `creditpress` command line: thin commands over the CreditPress library.
@main
struct CreditPressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "creditpress",
        abstract: "Turns CME activity and learner data into PDF certificates.",
        subcommands: [CertificateCommand.self, StatementsCommand.self, BatchCommand.self, TranscriptCommand.self, BenchCommand.self, BenchTranscriptCommand.self, BatchWorkerCommand.self])
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The CreditPress folder holding Templates/ and Fonts/ (default: $CREDITPRESS_HOME, the working folder, or the one the program was built in).")
    var resources: String?
}

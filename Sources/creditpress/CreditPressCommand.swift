import ArgumentParser
import CreditRecords
import CreditTrust
import Foundation

/// The `creditpress` command line: thin commands over the CreditPress library.
@main
struct CreditPressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "creditpress",
        abstract: "Turns CME activity and learner data into PDF certificates.",
        discussion: """
            Examples:
              creditpress certificate --activity Examples/asco-2018/activity.yaml --learner Examples/asco-2018/learners/physician.yaml --out certificate.pdf
              creditpress batch --activity Examples/asco-2018/activity.yaml --roster Examples/asco-2018/roster.csv --out issued/
              creditpress verify certificate.pdf --trust keys/ca.cert.pem --registry registry.sqlite
              creditpress COMMAND --help   (each command's options and examples)
            """,
        version: CreditPressVersion.text,
        subcommands: [CertificateCommand.self, StatementsCommand.self, BatchCommand.self, TranscriptCommand.self, BenchCommand.self, BenchTranscriptCommand.self, KeysCommand.self, VerifyCommand.self, PreviewCommand.self, ReissueCommand.self, ReprintCommand.self, RevokeCommand.self, ServeCommand.self, ExportCommand.self, EnrolCommand.self, SignInLinkCommand.self, BatchWorkerCommand.self])
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The CreditPress folder holding Templates/ and Fonts/ (default: $CREDITPRESS_HOME, the working folder, or the one the program was built in).")
    var resources: String?
}

/// Options of the commands that sign what they issue.
struct SigningOptions: ParsableArguments {
    @Option(help: "The folder with signing.key.pem and signing.cert.pem (and chain.pem, tsa.url) to sign with (default: $CREDITPRESS_SIGNING; unsigned when neither is set).")
    var signing: String?

    @Flag(help: "Make the signature a certification (DocMDP, form filling and further signatures allowed).")
    var certify = false

    func identity() throws -> SigningIdentity? {
        guard let folder = Live.signingFolder(explicit: signing) else { return nil }
        return try SigningIdentity.load(from: folder)
    }
}

/// How every command reports failure: each diagnostic on its own line on standard error
/// (`DiagnosticFormatter`), then what became of the output; the exit status is the first
/// diagnostic's kind's (65 for refused input, 1 for anything else).
enum Failure {
    static func report(_ lines: [String], closing: String?) {
        for line in lines {
            FileHandle.standardError.write(Data("error: \(line)\n".utf8))
        }
        if let closing { FileHandle.standardError.write(Data("\(closing)\n".utf8)) }
    }

    static func reporting<T>(closing: String?, refusedClosing: String? = nil, storageClosing: String? = nil,
                             _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            return try reporting(closing: closing, refusedClosing: refusedClosing, storageClosing: storageClosing) { () throws -> T in throw error }
        }
    }

    /// `refusedClosing` follows refused input, `storageClosing` a write the system refused
    /// (whose hint already says what to do), `closing` anything else.
    static func reporting<T>(closing: String?, refusedClosing: String? = nil, storageClosing: String? = nil,
                             _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            let diagnostics = Diagnostic.of(error)
            let kind = diagnostics.first?.kind ?? .internal
            let said = switch kind {
            case .input: refusedClosing ?? closing
            case .storage: storageClosing ?? closing
            default: closing
            }
            report(diagnostics.map(DiagnosticFormatter.line), closing: said)
            throw ExitCode(kind.exitStatus)
        }
    }
}

/// The release, as `creditpress --version` prints it.
enum CreditPressVersion {
    static let number = "0.16.0"
    static var text: String { "CreditPress \(number)" }
}

import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation

/// What a batch run is asked to do.
public struct BatchOptions: Sendable {
    /// How the merged PDF orders its pages.
    public enum Order: String, CaseIterable, Sendable {
        case roster, lastName = "last-name", certificateID = "certificate-id"
    }

    public var activity: URL
    public var roster: URL
    /// How the roster's text is read (default: found from its bytes).
    public var encoding: RosterEncoding = .automatic
    /// How the roster's columns map to CreditPress's (`--columns`, `--date-format`).
    public var mapping = RosterMapping()
    public var output: URL
    public var layout: String?
    public var jobs: Int
    public var order: Order = .lastName
    /// Fixed by the first run into an output folder; later runs reuse it.
    public var creationDate: Date?
    public var idKey: IssuerKey
    public var showProgress = false
    /// Write the merged, print-ready PDF.
    public var merged = true
    /// Also `certificates.zip` of every certificate; entries named by id or by learner.
    public var zip = false
    public var fileNames: FileNames = .id

    public enum FileNames: String, Sendable, CaseIterable {
        case id, name
    }
    /// How to start a drawing process (`creditpress batch-worker`); without it, or with one
    /// job, certificates are drawn on one thread of this process.
    public var workerCommand: [String]?
    /// From how many pages the merged pass draws those the drawing processes did not add
    /// (certificates an earlier run finished) in parts, by `jobs` processes at once.
    public var mergedPartsFrom = 1_000
    /// How many pages a part holds at most (about 8 MiB of a signed merged PDF).
    public var mergedPartPages = 4_000
    /// Sign every certificate (and seal its QR code) with this identity, read from `signingFolder`.
    public var signing: SigningIdentity?
    public var signingFolder: URL?
    public var certify = false
    /// Record every certificate in this registry; certificates it already holds are
    /// reproduced byte for byte, or their rows refused.
    public var registry: (any CertificateRegistry)?

    public init(activity: URL, roster: URL, output: URL, jobs: Int, idKey: IssuerKey) {
        self.activity = activity
        self.roster = roster
        self.output = output
        self.jobs = jobs
        self.idKey = idKey
    }
}

/// What a batch run did.
public struct BatchSummary: Sendable {
    public var accepted = 0
    public var rejected = 0
    /// Certificates drawn on this run; the rest were already finished by an earlier one.
    public var rendered = 0
    public var reused = 0
    public var mergedPages = 0
    /// How many parts the merged PDF was joined from (0: drawn in one go).
    public var mergedParts = 0
    /// How many of its pages the drawing processes added as they drew the certificates,
    /// and the CPU time they spent on them, in seconds, all processes together.
    public var mergedAlongside = 0
    public var mergedAlongsideSeconds: Double = 0
    /// Why the merged PDF was not drawn in parts when it was meant to be.
    public var mergedPartsFailure: String?
    public var seconds: Double = 0
    /// Time spent reading the roster and drawing the separate PDFs.
    public var drawSeconds: Double = 0
    /// Time spent on the merged PDF.
    public var mergeSeconds: Double = 0
    public var output: URL
    /// What the user should know about how the run read its input (a roster read as Windows-1252).
    public var notices: [String] = []
    /// Certificates issued per kind, and credit issued per credit code (count, total).
    public var kinds: [String: Int] = [:]
    public var credits: [String: (count: Int, total: Double)] = [:]
    /// The credit codes in the order the summary lists them.
    public var creditOrder: [String] = []
    /// Superseded certificates whose PDFs this run moved from certificates/ to superseded/.
    public var movedAside: [String] = []
}

/// One issued certificate, as the manifest lists it.
public struct ManifestEntry: Codable, Sendable {
    /// The row as a spreadsheet shows it (the header is row 1).
    public var row: Int
    public var learnerID: String
    /// The name as printed, and the email when the row has one.
    public var name: String
    public var email: String?
    public var certificateID: String
    public var kind: String
    public var credits: String
    /// The amount of each credit claimed, by code (`ama-pra-category-1`, `moc:abim`), as numbers.
    public var amounts: [String: Double]
    public var file: String
    public var sha256: String
}

/// One refused row, as the rejects report lists it.
public struct RejectEntry: Sendable {
    public var row: Int
    public var learnerID: String
    /// The row's name and email, as far as the row gives them, to find the person.
    public var name: String
    public var email: String
    public var column: String
    public var reason: String
}

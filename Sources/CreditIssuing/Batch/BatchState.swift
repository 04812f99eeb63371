import CreditRecords
import Crypto
import Foundation

/// What an output folder remembers between runs, so that a killed run can be finished:
/// the creation date every certificate carries, and a journal of finished certificates.
package final class BatchState {
    package let folder: URL
    package let creationDate: Date
    /// Certificate id → (input hash, SHA-256 of the PDF) for every finished certificate.
    private(set) var finished: [String: (input: String, sha: String)] = [:]
    private let journal: OutputFile
    /// Finished certificates not yet journalled: they are journalled once they are on the disk.
    private var unsynced: [String] = []
    /// Held for as long as this run writes into the folder.
    private let lock: OutputLock

    package var stateFile: URL { folder.appendingPathComponent("batch-state.json") }
    package static func journalFile(_ folder: URL) -> URL { folder.appendingPathComponent(".journal") }

    /// Opens the folder's state, or starts it; refuses a folder started for another activity.
    package init(folder: URL, activityHash: String, requestedDate: Date?, now: Date) throws {
        self.folder = folder
        let certificates = folder.appendingPathComponent("certificates")
        do {
            try FileManager.default.createDirectory(at: certificates, withIntermediateDirectories: true)
        } catch {
            throw RenderError(file: certificates.path, "cannot create the folder",
                              WriteFailure(path: certificates.path, error: error) ?? WriteFailure(path: certificates.path, errno: EIO))
        }
        // Before anything in the folder is read or cleaned: another run may be writing it.
        lock = try OutputLock(folder: folder, now: now)
        let stateURL = folder.appendingPathComponent("batch-state.json")
        if let data = try? Data(contentsOf: stateURL),
           let state = try? JSONSerialization.jsonObject(with: data) as? [String: String],
           let date = state["creationDate"].flatMap({ ISO8601DateFormatter().date(from: $0) }) {
            guard state["activitySHA256"] == activityHash else {
                throw InputError([Problem(file: folder.path, field: "", message: "holds a run for a different activity file",
                                          hint: "use a new output folder for this activity, or restore the activity file")])
            }
            if let requestedDate, abs(requestedDate.timeIntervalSince(date)) >= 1 {
                throw InputError([Problem(file: folder.path, field: "", message: "was started with creation date \(ISODate.string(date))",
                                          hint: "rerun with that date (or without --creation-date), or use a new output folder")])
            }
            creationDate = date
        } else {
            creationDate = Date(timeIntervalSince1970: (requestedDate ?? now).timeIntervalSince1970.rounded(.down))
            let state = ["activitySHA256": activityHash, "creationDate": ISODate.string(creationDate)]
            try AtomicFile.write(try JSONSerialization.data(withJSONObject: state, options: [.sortedKeys, .prettyPrinted]),
                                 to: stateURL, durable: true)
        }
        let journalURL = Self.journalFile(folder)
        if let text = try? String(contentsOf: journalURL, encoding: .utf8) {
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "\t")
                // A line cut short by a kill has fewer parts or a short hash; it is ignored.
                guard parts.count == 3, parts[2].count == 64 else { continue }
                finished[String(parts[0])] = (String(parts[1]), String(parts[2]))
            }
        }
        journal = try OutputFile(url: journalURL, truncate: false)
        Self.removeTemporaryFiles(in: folder)
        Self.removeTemporaryFiles(in: folder.appendingPathComponent("certificates"))
    }

    /// Notes a finished certificate. It is journalled by `commit()`, after its file is on the
    /// disk; a line is written whole or, if the run is killed, ignored. Only the journal keeps
    /// it: `finished` holds what earlier runs finished.
    package func record(id: String, input: String, sha: String) throws(RenderError) {
        unsynced.append("\n\(id)\t\(input)\t\(sha)\n")
        if unsynced.count >= Self.commitEvery { try commit() }
    }

    /// How many finished certificates wait for one flush of the disk.
    static let commitEvery = 1024

    /// Flushes the certificates written so far to the disk, then journals them: a power loss
    /// never leaves a journalled certificate that is not whole on the disk.
    package func commit() throws(RenderError) {
        guard !unsynced.isEmpty else { return }
        // One flush of the file system for the lot, rather than one per file.
        try AtomicFile.syncFolder(folder.appendingPathComponent("certificates"), wholeFileSystem: true)
        let lines = unsynced.joined()
        unsynced.removeAll(keepingCapacity: true)
        try journal.append(Data(lines.utf8))
    }

    /// Files a killed run left under temporary names.
    private static func removeTemporaryFiles(in folder: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            unlink(folder.appendingPathComponent(name).path)
        }
    }
}

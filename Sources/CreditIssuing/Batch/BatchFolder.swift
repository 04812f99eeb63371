import CreditRecords
import Foundation

/// A batch's output folder, for the corrections made to it after the run: a superseded
/// certificate's PDF leaves `certificates/` for `superseded/`, and `corrections.csv` lists
/// every reissue (a spreadsheet row each, with the old and the new id).
public struct BatchFolder {
    public let folder: URL

    public init(_ folder: URL) {
        self.folder = folder
    }

    public var superseded: URL { folder.appendingPathComponent("superseded") }
    public var corrections: URL { folder.appendingPathComponent("corrections.csv") }

    /// Moves `certificates/OLD.pdf` aside (nil when the batch has no such file) and notes the
    /// correction. The move is a rename within the folder, and the list is replaced whole:
    /// each is in its old state or its new one, never half of either.
    @discardableResult
    public func supersede(_ oldID: String, by newID: String, learner: Learner, reason: String, at time: Date) throws -> URL? {
        let moved = try move(oldID)
        // The whole list written again, atomically: a kill mid-write never leaves half a row.
        var text = (try? Data(contentsOf: corrections)) ?? Data()
        if text.isEmpty {
            text = Data([0xEF, 0xBB, 0xBF]) + (try CSVFile.line(["date", "superseded_id", "new_id", "learner_id", "name", "reason"]))
        }
        text += try CSVFile.line([ISODate.string(time), oldID, newID, learner.id, learner.professionalName, reason])
        try AtomicFile.write(text, to: corrections, durable: true)
        return moved
    }

    /// Moves aside the PDF of `oldID` when the batch still holds it (a rerun after a reissue
    /// made elsewhere); says whether it did.
    public func moveAside(_ oldID: String) -> Bool {
        ((try? move(oldID)) ?? nil) != nil
    }

    /// Renames `certificates/ID.pdf` to `superseded/ID.pdf` (replacing an older copy there
    /// in the same step); nil when there is no such file.
    private func move(_ id: String) throws -> URL? {
        let old = folder.appendingPathComponent("certificates/\(id).pdf")
        guard FileManager.default.fileExists(atPath: old.path) else { return nil }
        try FileManager.default.createDirectory(at: superseded, withIntermediateDirectories: true)
        let target = superseded.appendingPathComponent("\(id).pdf")
        guard rename(old.path, target.path) == 0 else {
            throw RenderError(file: target.path, message: "cannot move the superseded certificate here (\(String(cString: strerror(errno))))")
        }
        return target
    }
}

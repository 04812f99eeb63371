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
    /// correction. The move is a rename within the folder: the file is in one place or the
    /// other, never half in both.
    @discardableResult
    public func supersede(_ oldID: String, by newID: String, learner: Learner, reason: String, at time: Date) throws -> URL? {
        let manager = FileManager.default
        let old = folder.appendingPathComponent("certificates/\(oldID).pdf")
        var moved: URL?
        if manager.fileExists(atPath: old.path) {
            try manager.createDirectory(at: superseded, withIntermediateDirectories: true)
            let target = superseded.appendingPathComponent("\(oldID).pdf")
            if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
            try manager.moveItem(at: old, to: target)
            moved = target
        }
        let isNew = !manager.fileExists(atPath: corrections.path)
        var text = isNew ? Data([0xEF, 0xBB, 0xBF]) + (try CSVFile.line(["date", "superseded_id", "new_id", "learner_id", "name", "reason"])) : Data()
        text += try CSVFile.line([ISODate.string(time), oldID, newID, learner.id, learner.professionalName, reason])
        let handle: FileHandle
        if !isNew {
            handle = try FileHandle(forWritingTo: corrections)
            try handle.seekToEnd()
        } else {
            guard manager.createFile(atPath: corrections.path, contents: nil) else {
                throw RenderError(file: corrections.path, message: "cannot create the file")
            }
            handle = try FileHandle(forWritingTo: corrections)
        }
        defer { try? handle.close() }
        try handle.write(contentsOf: text)
        try handle.synchronize()
        return moved
    }

    /// Moves aside the PDF of `oldID` when the batch still holds it (a rerun after a reissue
    /// made elsewhere); says whether it did.
    public func moveAside(_ oldID: String) -> Bool {
        let manager = FileManager.default
        let old = folder.appendingPathComponent("certificates/\(oldID).pdf")
        guard manager.fileExists(atPath: old.path) else { return false }
        try? manager.createDirectory(at: superseded, withIntermediateDirectories: true)
        let target = superseded.appendingPathComponent("\(oldID).pdf")
        try? manager.removeItem(at: target)
        return (try? manager.moveItem(at: old, to: target)) != nil
    }
}

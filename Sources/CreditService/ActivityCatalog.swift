import CreditIssuing
import CreditRecords
import Foundation

/// The activities the service offers, read from their files at start-up and read again
/// when a file changes, so staff can correct an activity without restarting the service.
/// A certificate already issued keeps the activity text it was issued from (the registry
/// holds it).
final class ActivityCatalog: @unchecked Sendable {
    struct Entry: Sendable {
        let activity: Activity
        let text: String
        let file: URL
        let modified: Date?
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private let boards: BoardCatalog

    /// Reads every file; refuses two files with one id and any file with a problem.
    init(files: [URL], boards: BoardCatalog) throws {
        self.boards = boards
        var problems: [Problem] = []
        for file in files {
            do {
                let entry = try Self.read(file, boards: boards)
                if let other = entries[entry.activity.id] {
                    problems.append(Problem(file: file.path, field: "id", message: "'\(entry.activity.id)' is also the id of \(other.file.path)",
                                            hint: "give each activity its own id"))
                }
                entries[entry.activity.id] = entry
            } catch {
                problems += error.problems
            }
        }
        if !problems.isEmpty { throw InputError(problems) }
    }

    private static func read(_ file: URL, boards: BoardCatalog) throws(InputError) -> Entry {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw InputError([Problem(file: file.path, field: "", message: "cannot be read", hint: "check the path and permissions")])
        }
        let activity = try ActivityReader.read(data, displayName: file.path, directory: file.deletingLastPathComponent(), boards: boards)
        return Entry(activity: activity, text: String(decoding: data, as: UTF8.self), file: file,
                     modified: Self.modified(file))
    }

    private static func modified(_ file: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date
    }

    /// The activity `id`, read again if its file changed since; a changed file that no
    /// longer reads keeps the last good version (the problem is logged by the caller).
    func entry(_ id: String) -> Entry? {
        lock.lock()
        let found = entries[id]
        lock.unlock()
        guard let found else { return nil }
        guard Self.modified(found.file) != found.modified, let fresh = try? Self.read(found.file, boards: boards),
              fresh.activity.id == id else { return found }
        lock.withLock { entries[id] = fresh }
        return fresh
    }

    /// Every activity, by title.
    var all: [Entry] {
        lock.withLock { Array(entries.values) }.sorted { ($0.activity.startDate, $0.activity.title) > ($1.activity.startDate, $1.activity.title) }
    }
}

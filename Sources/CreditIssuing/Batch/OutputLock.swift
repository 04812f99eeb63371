import CreditRecords
import Foundation

/// An exclusive claim on a batch's output folder (`flock` on `.lock`): a second run into the
/// folder refuses at once, naming the run that holds it. The kernel drops the claim when its
/// process ends, even by `kill -9`, so a killed run never leaves a stale lock behind.
package final class OutputLock {
    private let descriptor: Int32

    package init(folder: URL, now: Date) throws {
        let file = folder.appendingPathComponent(".lock")
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw RenderError(file: file.path, "cannot lock the output folder for this run", .current(path: file.path))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            // The holder names itself just after it takes the lock: a run that starts in the
            // same instant may look before it has, so it looks again for a moment.
            var holder = ""
            for _ in 0..<40 {
                holder = (try? String(contentsOf: file, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                if !holder.isEmpty { break }
                usleep(5_000)
            }
            close(descriptor)
            throw InputError([Problem(file: folder.path, field: "",
                                      message: "is being written by another run (\(holder.isEmpty ? "a process that has not said which" : holder))",
                                      hint: "wait for that run to finish, or give this one another output folder")])
        }
        let holder = Data("process \(getpid()), started \(ISODate.string(now))\n".utf8)
        ftruncate(descriptor, 0)
        _ = holder.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}

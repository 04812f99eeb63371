import Foundation

/// One lock for everything in this process that reads font files through Cairo.
///
/// Cairo's FreeType backend shares its open font faces among all threads and closes the
/// least recently used one when more than ten are open; a thread laying out or embedding
/// text while another does can then read a closed face (a crash, or a PDF whose text is
/// silently missing). Threads therefore take turns; a batch runs its drawing in separate
/// processes to use every core.
package enum FontAccess {
    private static let lock = NSRecursiveLock()
    /// How many threads wait for `lock` in `serialized`; guarded by `counter`.
    nonisolated(unsafe) private static var waiting = 0
    private static let counter = NSLock()

    package static func serialized<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        // Counted as waiting only when the lock is taken: the common case costs one try.
        if !lock.try() {
            counter.withLock { waiting += 1 }
            lock.lock()
            counter.withLock { waiting -= 1 }
        }
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body` with the lock unless another thread is waiting for it, and says whether
    /// it ran: for work that only makes later work faster, which must never hold up work
    /// that is wanted now.
    package static func ifUnwanted(_ body: () -> Void) -> Bool {
        guard counter.withLock({ waiting == 0 }), lock.try() else { return false }
        defer { lock.unlock() }
        body()
        return true
    }
}

import Foundation

/// One lock for everything in this process that reads font files through Cairo.
///
/// Cairo's FreeType backend shares its open font faces among all threads and closes the
/// least recently used one when more than ten are open; a thread laying out or embedding
/// text while another does can then read a closed face (a crash, or a PDF whose text is
/// silently missing). Threads therefore take turns; a batch runs its drawing in separate
/// processes to use every core.
enum FontAccess {
    private static let lock = NSRecursiveLock()

    static func serialized<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

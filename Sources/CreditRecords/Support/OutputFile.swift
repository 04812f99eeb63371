import Foundation

/// A file a run appends to (a journal, a report, a spool), through its descriptor: every
/// write is whole or fails with its cause, never a trap, whatever the disk does.
package final class OutputFile {
    package let url: URL
    private var descriptor: Int32
    /// Where the next append goes.
    package private(set) var size: UInt64

    /// Opens `url` for reading and appending, creating it; emptied first when `truncate`.
    package init(url: URL, truncate: Bool) throws(RenderError) {
        self.url = url
        descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0o644)
        guard descriptor >= 0 else {
            throw RenderError(file: url.path, "cannot create the file", .current(path: url.path))
        }
        let end = lseek(descriptor, 0, SEEK_END)
        size = end > 0 ? UInt64(end) : 0
    }

    deinit { if descriptor >= 0 { Foundation.close(descriptor) } }

    /// Appends `data` at the end of the file.
    package func append(_ data: Data) throws(RenderError) {
        if let failure = AtomicFile.writeAll(data, to: descriptor, path: url.path) {
            // A part of the bytes may have reached the file: the next append starts after them,
            // and readers of a journal or spool ignore a cut line.
            let end = lseek(descriptor, 0, SEEK_END)
            size = end > 0 ? UInt64(end) : size
            throw RenderError(file: url.path, "cannot write the file", failure)
        }
        size += UInt64(data.count)
    }

    /// `count` bytes from `offset`, or nil when the file cannot give them.
    package func read(at offset: UInt64, count: Int) -> Data? {
        var data = Data(count: count)
        let read = data.withUnsafeMutableBytes { buffer in
            pread(descriptor, buffer.baseAddress, count, off_t(offset))
        }
        return read == count ? data : nil
    }

    /// Flushes what was appended to the disk.
    package func sync() throws(RenderError) {
        guard fsync(descriptor) == 0 else {
            throw RenderError(file: url.path, "cannot flush the file to disk", .current(path: url.path))
        }
    }

    package func close() {
        if descriptor >= 0 { Foundation.close(descriptor) }
        descriptor = -1
    }
}

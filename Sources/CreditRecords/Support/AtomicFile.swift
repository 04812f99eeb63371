import Foundation

/// Writes a file under a temporary name beside its final one, then renames it into place,
/// so that a failure or a kill never leaves a partial file under the final name. Every
/// failure the system reports carries its cause (`WriteFailure`).
package enum AtomicFile {
    package static func write(to url: URL, durable: Bool = true,
                      _ body: (URL) throws(RenderError) -> Void) throws(RenderError) {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            let failure = WriteFailure(path: folder.path, error: error) ?? WriteFailure(path: folder.path, errno: EIO)
            throw RenderError(file: url.path, "cannot create the folder \(folder.path)", failure)
        }
        let temporary = temporaryURL(for: url)
        do throws(RenderError) {
            try body(temporary)
            if durable { try sync(temporary, reportAs: url) }
            guard rename(temporary.path, url.path) == 0 else {
                throw RenderError(file: url.path, "cannot move the finished file into place", .current(path: url.path))
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
    }

    /// A name beside `url` that no other writer uses, hidden and ending in `.tmp`, so that
    /// a run can clear what a killed one left.
    package static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
    }

    /// Writes `data` to `url` atomically.
    package static func write(_ data: Data, to url: URL, durable: Bool) throws(RenderError) {
        try write(to: url, durable: durable) { temporary throws(RenderError) in
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw RenderError(file: url.path, "cannot create the file", .current(path: url.path))
            }
            defer { close(descriptor) }
            if let failure = writeAll(data, to: descriptor, path: url.path) {
                throw RenderError(file: url.path, "cannot write the file", failure)
            }
        }
    }

    /// Writes every byte of `data`, retrying short writes; the failure when the system refuses.
    package static func writeAll(_ data: Data, to descriptor: Int32, path: String) -> WriteFailure? {
        data.withUnsafeBytes { buffer -> WriteFailure? in
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let count = Foundation.write(descriptor, base + offset, buffer.count - offset)
                if count < 0, errno == EINTR { continue }
                // A write of nothing with no error set is how a full disk shows on some systems.
                if count <= 0 { return WriteFailure(path: path, errno: count == 0 ? ENOSPC : errno) }
                offset += count
            }
            return nil
        }
    }

    /// Flushes a written file to the disk.
    package static func sync(_ url: URL, reportAs final: URL) throws(RenderError) {
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RenderError(file: final.path, "cannot reopen the written file", .current(path: final.path))
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw RenderError(file: final.path, "cannot flush the file to disk", .current(path: final.path))
        }
    }

    /// Flushes a folder's entries (names renamed into it) to the disk; with
    /// `wholeFileSystem`, everything written to the disk holding it (syncfs), which is one
    /// flush for the many files a batch wrote there.
    package static func syncFolder(_ folder: URL, wholeFileSystem: Bool = false) throws(RenderError) {
        let descriptor = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RenderError(file: folder.path, "cannot open the folder to flush it", .current(path: folder.path))
        }
        defer { close(descriptor) }
        guard (wholeFileSystem ? systemSyncfs(descriptor) : fsync(descriptor)) == 0 else {
            throw RenderError(file: folder.path, "cannot flush \(wholeFileSystem ? "what was written" : "the folder") to disk",
                              .current(path: folder.path))
        }
    }
}

/// glibc's syncfs(2): Swift's Glibc module leaves it out, as the header declares it only
/// for _GNU_SOURCE.
@_silgen_name("syncfs") private func systemSyncfs(_ descriptor: Int32) -> Int32

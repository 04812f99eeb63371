import Foundation

/// Writes a file under a temporary name beside its final one, then renames it into place,
/// so that a failure or a kill never leaves a partial file under the final name.
package enum AtomicFile {
    package static func write(to url: URL, durable: Bool = true,
                      _ body: (URL) throws(RenderError) -> Void) throws(RenderError) {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw RenderError(file: url.path, message: "cannot create the folder \(folder.path): \(error.localizedDescription)")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do throws(RenderError) {
            try body(temporary)
            if durable { try sync(temporary) }
            guard rename(temporary.path, url.path) == 0 else {
                throw RenderError(file: url.path, message: "cannot move the finished file into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary.path)
            throw error
        }
    }

    /// Writes `data` to `url` atomically.
    package static func write(_ data: Data, to url: URL, durable: Bool) throws(RenderError) {
        try write(to: url, durable: durable) { temporary throws(RenderError) in
            let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw RenderError(file: url.path, message: "cannot create the file: \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            let written = data.withUnsafeBytes { buffer -> Int in
                var offset = 0
                while offset < buffer.count {
                    let count = Foundation.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    if count <= 0 { return -1 }
                    offset += count
                }
                return offset
            }
            guard written == data.count else {
                throw RenderError(file: url.path, message: "cannot write the file: \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func sync(_ url: URL) throws(RenderError) {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw RenderError(file: url.path, message: "cannot reopen the written file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw RenderError(file: url.path, message: "cannot flush the file to disk: \(String(cString: strerror(errno)))")
        }
    }
}

import CPangoCairo
import CreditRecords
import Crypto
import Foundation

/// Prepared drawings kept on disk between runs (see `PreparedDrawings`): the PDF page Cairo
/// drew an activity's artwork and unchanging paragraphs on, under a digest of everything
/// that drawing depends on. A learner's certificate in a new process then copies the forms
/// from that page instead of drawing them again.
///
/// The digest covers the drawn items (each image file's bytes and size; each paragraph's
/// markup, style, size and box), the bundled fonts (name, size and time of each file), and
/// the program, the libraries it started with and librsvg (path, size, time and inode of each
/// file), so a change to any of them makes a new entry; the same inputs give the same bytes
/// whether drawn now or read back. A page that cannot be read back is drawn again.
package struct DrawingCache: Sendable {
    package let folder: URL

    package init(folder: URL) {
        self.folder = folder
    }
    /// At most this many pages are kept; the least recently written go first.
    package static let limit = 200


    package func file(for key: String) -> URL {
        folder.appendingPathComponent("\(key).pdf")
    }

    package func read(_ key: String) -> [UInt8]? {
        guard let data = FileManager.default.contents(atPath: file(for: key).path), !data.isEmpty else { return nil }
        return Array(data)
    }

    /// Keeps `page` under `key`; a cache that cannot be written is only a cache.
    package func write(_ page: [UInt8], for key: String) {
        let manager = FileManager.default
        try? AtomicFile.write(Data(page), to: file(for: key), durable: false)
        guard let names = try? manager.contentsOfDirectory(atPath: folder.path), names.count > Self.limit else { return }
        let pages = names.filter { $0.hasSuffix(".pdf") }.map { folder.appendingPathComponent($0) }
        let dated = pages.map { url in
            (url, (try? manager.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .distantPast)
        }
        for (url, _) in dated.sorted(by: { $0.1 < $1.1 }).prefix(max(0, pages.count - Self.limit)) {
            try? manager.removeItem(at: url)
        }
    }

    /// The digest of `items` drawn in this process with the fonts in the folders `fonts`.
    package static func key(for items: [String], fonts: [URL]) -> String {
        var hash = SHA256()
        for part in [environment(fonts: fonts)] + items {
            hash.update(data: Array(part.utf8))
            hash.update(data: [0])
        }
        return Hex.string(hash.finalize())
    }

    /// The files whose contents decide what Cairo draws: the program and the libraries it
    /// started with, librsvg (opened only when an SVG is decoded, so named by its file beside
    /// Cairo's whether or not it is loaded yet), and the fonts.
    package static func environment(fonts folders: [URL]) -> String {
        var lines = ["creditpress prepared drawings 2"]
        for path in startupFiles { lines.append(identity(of: path)) }
        lines.append(librsvg)
        let manager = FileManager.default
        for fonts in folders {
            for name in ((try? manager.contentsOfDirectory(atPath: fonts.path)) ?? []).sorted() {
                lines.append(identity(of: fonts.appendingPathComponent(name).path))
            }
        }
        return lines.joined(separator: "\n")
    }

    /// librsvg's file beside Cairo's, named whether or not it is loaded yet (it is opened
    /// only when an SVG is decoded).
    package static let librsvg: String = {
        guard let cairo = startupFiles.first(where: { URL(fileURLWithPath: $0).lastPathComponent.hasPrefix("libcairo.so") }) else {
            return "librsvg not found beside Cairo"
        }
        return identity(of: URL(fileURLWithPath: cairo).deletingLastPathComponent().appendingPathComponent("librsvg-2.so.2").path)
    }()

    /// The program's file and the libraries loaded with it, as they were when first asked
    /// for (a renderer asks when it is made, before it opens any library itself).
    package static let startupFiles = loadedFiles()

    /// The program's file and the files of the shared libraries loaded in this process.
    package static func loadedFiles() -> [String] {
        var capacity = 8192
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let length = creditpress_loaded_objects(&buffer, capacity)
            guard length > capacity else {
                let names = String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return [Resources.executablePath] + names.split(separator: "\n").map(String.init).sorted()
            }
            capacity = length
        }
    }

    package static func identity(of path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "\(path) missing" }
        return "\(path) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec) \(info.st_ino)"
    }
}

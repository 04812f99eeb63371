import Foundation

/// Recognises artwork files by their first bytes, not their names.
package enum ArtworkFile {
    package enum Kind { case png, svg }

    package static func kind(of url: URL) -> Kind? {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 1024), !head.isEmpty else { return nil }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        let text = String(decoding: head, as: UTF8.self)
        return text.contains("<svg") ? .svg : nil
    }
}

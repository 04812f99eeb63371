import Foundation

/// A font as Pango loads it for a paragraph: family, weight, slant and size.
///
/// The first paragraph Pango sets in a font costs it a fontconfig sort (on two threads it
/// starts for the purpose), the font's metrics (for which it shapes a sample sentence) and
/// HarfBuzz's shaping plan: about half a millisecond each, most of the time one
/// certificate spends setting its text in a new process.
struct FontKey: Hashable, Sendable {
    var family: String
    var weight: Int
    var italic: Bool
    var size: Double
}

/// The fonts recent certificates were set in, kept beside fontconfig's cache of the
/// bundled fonts, so that a new process can load them on a spare core while it reads its
/// inputs. Only a hint: a missing, stale or unreadable list costs speed, never output.
enum RecentFonts {
    /// At most this many fonts per font folder are remembered (a bundled layout uses
    /// about a dozen; the bundled layouts together about twenty).
    static let limit = 24

    static func file(in cacheDirectory: URL) -> URL {
        cacheDirectory.appendingPathComponent("recent-fonts.tsv")
    }

    /// The fonts remembered for `fonts`' folder, most recently used first.
    static func read(for fonts: FontLibrary) -> [FontKey] {
        read(in: fonts.cacheDirectory, folder: fonts.directory.path)
    }

    static func remember(_ used: [FontKey], for fonts: FontLibrary) {
        remember(used, in: fonts.cacheDirectory, folder: fonts.directory.path)
    }

    /// The fonts remembered in `cacheDirectory` for the font folder `folder`.
    static func read(in cacheDirectory: URL, folder: String) -> [FontKey] {
        entries(in: file(in: cacheDirectory)).filter { $0.folder == folder }.map(\.key)
    }

    /// Puts `used` first in the list for `folder`, keeping older entries after them up to
    /// `limit`; the file is rewritten only when that changes it.
    static func remember(_ used: [FontKey], in cacheDirectory: URL, folder: String) {
        guard !used.isEmpty else { return }
        let url = file(in: cacheDirectory)
        let old = entries(in: url)
        var mine = used
        for entry in old where entry.folder == folder && !mine.contains(entry.key) { mine.append(entry.key) }
        let others = old.filter { $0.folder != folder }
        let all = mine.prefix(limit).map { (folder: folder, key: $0) } + others.prefix(4 * limit)
        guard all.map(line) != old.map(line) else { return }
        let text = "# CreditPress: fonts recent certificates were set in (folder, family, weight, italic, size)\n"
            + all.map { line($0) + "\n" }.joined()
        try? FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        try? AtomicFile.write(Data(text.utf8), to: url, durable: false)
    }

    private static func line(_ entry: (folder: String, key: FontKey)) -> String {
        [entry.folder, entry.key.family, String(entry.key.weight), entry.key.italic ? "1" : "0", String(entry.key.size)]
            .joined(separator: "\t")
    }

    private static func entries(in url: URL) -> [(folder: String, key: FontKey)] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 5, let weight = Int(fields[2]), let size = Double(fields[4]),
                  (100...1000).contains(weight), size > 0, size < 1000 else { return nil }
            return (String(fields[0]), FontKey(family: String(fields[1]), weight: weight, italic: fields[3] == "1", size: size))
        }
    }
}

import CreditRecords
import Foundation

/// A font as Pango loads it for a run of text, in Pango's words ("Noto Serif Bold Italic
/// 11.5"): family, weight, slant and size.
///
/// The first run Pango sets in a font costs it a fontconfig sort (on two threads it starts
/// for the purpose), the font's metrics (for which it shapes a sample sentence) and
/// HarfBuzz's shaping plan: about half a millisecond each, most of the time one
/// certificate spends setting its text in a new process.
package struct FontKey: Hashable, Sendable {
    package var description: String

    package init(description: String) {
        self.description = description
    }
}

/// The fonts recent certificates were set in, kept beside fontconfig's cache of the
/// bundled fonts, so that a new process can load them on a spare core while it reads its
/// inputs. Only a hint: a missing, stale or unreadable list costs speed, never output.
package enum RecentFonts {
    /// At most this many fonts per font folder are remembered (a bundled layout uses
    /// about fifteen; the bundled layouts together about twenty-five).
    package static let limit = 32

    package static func file(in cacheDirectory: URL) -> URL {
        cacheDirectory.appendingPathComponent("recent-fonts.tsv")
    }

    /// The fonts remembered for `fonts`' folder, most recently used first.
    package static func read(for fonts: FontLibrary) -> [FontKey] {
        guard let cache = fonts.cacheDirectory else { return [] }
        return read(in: cache, folder: fonts.directory.path)
    }

    package static func remember(_ used: [FontKey], for fonts: FontLibrary) {
        guard let cache = fonts.cacheDirectory else { return }
        remember(used, in: cache, folder: fonts.directory.path)
    }

    /// The fonts remembered in `cacheDirectory` for the font folder `folder`.
    package static func read(in cacheDirectory: URL, folder: String) -> [FontKey] {
        entries(in: file(in: cacheDirectory)).filter { $0.folder == folder }.map(\.key)
    }

    /// Puts `used` first in the list for `folder`, keeping older entries after them up to
    /// `limit`; the file is rewritten only when that changes it.
    package static func remember(_ used: [FontKey], in cacheDirectory: URL, folder: String) {
        guard !used.isEmpty else { return }
        let url = file(in: cacheDirectory)
        let old = entries(in: url)
        var mine = used
        for entry in old where entry.folder == folder && !mine.contains(entry.key) { mine.append(entry.key) }
        let others = old.filter { $0.folder != folder }
        let all = mine.prefix(limit).map { (folder: folder, key: $0) } + others.prefix(4 * limit)
        guard all.map(line) != old.map(line) else { return }
        let text = "# CreditPress: fonts recent certificates were set in (font folder, Pango font description)\n"
            + all.map { line($0) + "\n" }.joined()
        try? AtomicFile.write(Data(text.utf8), to: url, durable: false)
    }

    private static func line(_ entry: (folder: String, key: FontKey)) -> String {
        "\(entry.folder)\t\(entry.key.description)"
    }

    private static func entries(in url: URL) -> [(folder: String, key: FontKey)] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 2, !fields[1].isEmpty, fields[1].count < 200 else { return nil }
            return (String(fields[0]), FontKey(description: String(fields[1])))
        }
    }
}

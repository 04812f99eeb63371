import Foundation

/// Where CreditPress finds its `Templates/` and `Fonts/` folders.
public struct Resources: Sendable {
    public let root: URL

    public var templates: URL { root.appendingPathComponent("Templates") }
    public var fonts: URL { root.appendingPathComponent("Fonts") }
    public var statements: URL { templates.appendingPathComponent("statements") }
    public var certificateLayouts: URL { templates.appendingPathComponent("certificates") }
    public var boards: URL { templates.appendingPathComponent("rules/boards.yaml") }
    public var transcriptLayouts: URL { templates.appendingPathComponent("transcripts") }

    public init(root: URL) {
        self.root = root
    }

    /// The folder given, else `home` (the program's `$CREDITPRESS_HOME`), else the working
    /// folder or one above the executable that holds both `Templates/` and `Fonts/`.
    public static func locate(explicit: String? = nil, home: String? = nil,
                              executable: String = Resources.executablePath) throws(FontError) -> Resources {
        var candidates: [URL] = []
        if let explicit { candidates.append(URL(fileURLWithPath: explicit)) }
        if let home, !home.isEmpty {
            candidates.append(URL(fileURLWithPath: home))
        }
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        var folder = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder)
            folder = folder.deletingLastPathComponent()
        }
        if explicit != nil { candidates = [candidates[0]] }
        for candidate in candidates where isResourceFolder(candidate) {
            return Resources(root: candidate.standardizedFileURL)
        }
        throw FontError(message: "cannot find the Templates/ and Fonts/ folders (looked in \(candidates.map(\.path).joined(separator: ", "))); run from the CreditPress folder, pass --resources DIR or set CREDITPRESS_HOME")
    }

    /// This program's own file, however it was started (by path, or found on PATH).
    public static var executablePath: String {
        let link = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if link != "/proc/self/exe", FileManager.default.isExecutableFile(atPath: link) { return link }
        if let path = Bundle.main.executablePath { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
    }

    private static func isResourceFolder(_ url: URL) -> Bool {
        let manager = FileManager.default
        return manager.fileExists(atPath: url.appendingPathComponent("Templates/statements/catalog.yaml").path)
            && manager.fileExists(atPath: url.appendingPathComponent("Fonts").path)
    }
}

import CPangoCairo
import CreditRecords
import Foundation

/// The bundled fonts, loaded through a private fontconfig configuration.
///
/// Only the files in `Fonts/` are visible, whatever the machine has installed, so the
/// same input gives the same PDF everywhere; a layout folder's own `fonts/` (a brand
/// font) is added when the layout is read (`addFonts(in:)`). The configuration may be
/// shared by all workers; each worker makes its own `TextEngine` from it. It changes only
/// under the font lock (`FontAccess`), which every use of it takes.
public final class FontLibrary: @unchecked Sendable {
    public let directory: URL
    /// The family names the fonts provide (bundled and added).
    public var families: Set<String> { state.withLock { inventory.families } }
    /// The folders added to the bundled one, in the order they were added.
    public var addedDirectories: [URL] { state.withLock { added } }
    /// Counts the additions: an engine made before one tells Pango the fonts changed.
    package var generation: Int { state.withLock { added.count } }
    /// Where fontconfig keeps its cache of these fonts (and the engine its list of the
    /// fonts recently used); nil keeps nothing between processes.
    package let cacheDirectory: URL?
    package let config: OpaquePointer
    private var inventory: (families: Set<String>, coverage: OpaquePointer)
    private var added: [URL] = []
    private let state = NSLock()

    /// The fonts of the environment's `Fonts/` folder, cached in its cache folder.
    public convenience init(environment: CreditEnvironment) throws(FontError) {
        try self.init(directory: environment.resources.fonts, cacheDirectory: environment.fontCacheFolder)
    }

    /// The fonts in `directory`; fontconfig's cache of them in `cacheDirectory`, if given.
    public init(directory: URL, cacheDirectory: URL?) throws(FontError) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw FontError(message: "the font folder \(directory.path) does not exist; pass --resources or set CREDITPRESS_HOME to the CreditPress folder")
        }
        guard let config = FcConfigCreate() else { throw FontError(message: "fontconfig could not start") }
        let xml = FontLibrary.configuration(fontDirectory: directory, cacheDirectory: cacheDirectory)
        guard FcConfigParseAndLoadFromMemory(config, xml, 1) != 0, FcConfigBuildFonts(config) != 0 else {
            FcConfigDestroy(config)
            throw FontError(message: "fontconfig could not load the fonts in \(directory.path)")
        }
        let (families, coverage) = FontLibrary.inventory(config)
        guard let coverage, !families.isEmpty else {
            FcConfigDestroy(config)
            throw FontError(message: "no font files were found in \(directory.path)")
        }
        // Pango's font map starts a thread that loads fontconfig's default configuration
        // (the system's fonts.conf, every installed font's cache, and some forty files of
        // example rules it reads for their descriptions) unless a default is already set:
        // this configuration is made the default, so that thread has nothing to do.
        FcConfigSetCurrent(config)
        self.directory = directory
        self.cacheDirectory = cacheDirectory
        self.config = config
        self.inventory = (families, coverage)
    }

    deinit {
        FcCharSetDestroy(inventory.coverage)
        FcConfigDestroy(config)
    }

    /// Adds the font files in `folder` (a layout's own `fonts/`) to the fonts every engine
    /// made from this library can use; a folder added before is not read again. Throws when
    /// the folder holds no font fontconfig can read.
    public func addFonts(in folder: URL) throws(FontError) {
        let folder = folder.standardizedFileURL
        guard FontLibrary.holdsFontFiles(folder) else {
            throw FontError(message: "\(folder.path) holds no font files (.ttf, .otf, .ttc)")
        }
        try FontAccess.serialized { () throws(FontError) in
            guard !state.withLock({ added.contains(folder) }) else { return }
            guard FcConfigAppFontAddDir(config, folder.path) != 0 else {
                throw FontError(message: "the fonts in \(folder.path) could not be read")
            }
            let (families, coverage) = FontLibrary.inventory(config)
            guard let coverage else { throw FontError(message: "fontconfig could not list the fonts after reading \(folder.path)") }
            state.withLock {
                FcCharSetDestroy(inventory.coverage)
                inventory = (families, coverage)
                added.append(folder)
            }
        }
    }

    /// Whether `folder` holds a file named like a font (`.ttf`, `.otf`, `.ttc`, `.otc`).
    package static func holdsFontFiles(_ folder: URL) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.contains { ["ttf", "otf", "ttc", "otc"].contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
    }

    /// The characters of `text` that no bundled font can draw (spaces and invisible
    /// formatting characters such as ZWJ or bidi marks are not counted).
    public func missingCharacters(in text: String) -> [Unicode.Scalar] {
        // One lock for the whole text: this runs for every learner's name.
        state.withLock {
            var missing: [Unicode.Scalar] = []
            for scalar in text.unicodeScalars where !FontLibrary.isInvisible(scalar) {
                if FcCharSetHasChar(inventory.coverage, scalar.value) == 0 && !missing.contains(scalar) {
                    missing.append(scalar)
                }
            }
            return missing
        }
    }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
        default: return scalar.properties.isVariationSelector
        }
    }

    /// `U+1F600 (😀), U+0378` — how missing characters are named in messages.
    public static func describe(_ scalars: [Unicode.Scalar]) -> String {
        scalars.map { scalar in
            // Shown beside its code point only when it is a visible character: a control,
            // an unassigned code point or a private-use one is never echoed to a terminal.
            let visible: Bool
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator: visible = false
            default: visible = !scalar.properties.isNoncharacterCodePoint
            }
            return String(format: "U+%04X", scalar.value) + (visible ? " (\(Character(scalar)))" : "")
        }.joined(separator: ", ")
    }

    /// The whole private configuration: our folder only, plus the two synthesis rules a
    /// system configuration would have given (bold and oblique for faces that lack them).
    package static func configuration(fontDirectory: URL, cacheDirectory: URL?) -> String {
        func escape(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        }
        return """
        <?xml version="1.0"?>
        <!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
        <fontconfig>
          <dir>\(escape(fontDirectory.path))</dir>
          \(cacheDirectory.map { "<cachedir>\(escape($0.path))</cachedir>" } ?? "<!-- no cache -->")
          <match target="font">
            <test name="weight" compare="less_eq"><const>medium</const></test>
            <test target="pattern" name="weight" compare="more_eq"><const>bold</const></test>
            <edit name="embolden" mode="assign"><bool>true</bool></edit>
            <edit name="weight" mode="assign"><const>bold</const></edit>
          </match>
          <match target="font">
            <test name="slant" compare="eq"><const>roman</const></test>
            <test target="pattern" name="slant" compare="not_eq"><const>roman</const></test>
            <edit name="matrix" mode="assign">
              <times><name>matrix</name><matrix><double>1</double><double>0.2</double><double>0</double><double>1</double></matrix></times>
            </edit>
            <edit name="slant" mode="assign"><const>oblique</const></edit>
          </match>
        </fontconfig>
        """
    }

    /// Lists the families and the union of the character sets of every font in `config`.
    private static func inventory(_ config: OpaquePointer) -> (Set<String>, OpaquePointer?) {
        guard let pattern = FcPatternCreate(), let objects = FcObjectSetCreate() else { return ([], nil) }
        defer { FcPatternDestroy(pattern); FcObjectSetDestroy(objects) }
        FcObjectSetAdd(objects, FC_FAMILY)
        FcObjectSetAdd(objects, FC_CHARSET)
        guard let set = FcFontList(config, pattern, objects) else { return ([], nil) }
        defer { FcFontSetDestroy(set) }
        guard let union = FcCharSetCreate() else { return ([], nil) }
        var families: Set<String> = []
        for index in 0..<Int(set.pointee.nfont) {
            guard let font = set.pointee.fonts[index] else { continue }
            var name: UnsafeMutablePointer<FcChar8>?
            var family = 0 as Int32
            while FcPatternGetString(font, FC_FAMILY, family, &name) == FcResultMatch, let name {
                families.insert(String(cString: name))
                family += 1
            }
            var charset: OpaquePointer?
            if FcPatternGetCharSet(font, FC_CHARSET, 0, &charset) == FcResultMatch, let charset {
                FcCharSetMerge(union, charset, nil)
            }
        }
        return (families, union)
    }
}

import CPangoCairo
import CreditLayout
import CreditPDF
import CreditRecords
import CreditRegistry
import CreditRender
import CreditStatements
import CreditTrust
import Foundation

/// The whole pipeline for one learner: checked records → statements → layout → PDF.
///
/// Holds Pango objects, so one renderer belongs to one thread. Renderers on several
/// threads take turns (see `FontAccess`); a batch draws in several processes instead.
public final class CertificateRenderer {
    public let environment: CreditEnvironment
    public var resources: Resources { environment.resources }
    public let fonts: FontLibrary
    public let boards: BoardCatalog
    /// Layouts read, by name, with the bytes of the files each was read from and the
    /// activity read (`generation`) when those were last compared with the files.
    private var layouts: [String: (spec: LayoutSpec, sources: [Data], checked: Int)] = [:]
    /// Counts the activities read: what was read from files is checked again once per activity.
    private var generation = 0
    var statements = StatementCache()
    package let preparedDrawings: PreparedDrawings
    private let images: ImageCache
    private var catalogLoad: BackgroundLoad<StatementCatalog>
    private let engineLoad: BackgroundLoad<EngineBox>
    private var madeLayouter: Layouter?
    /// Guards the caches above: threads take turns preparing certificates, and the font
    /// lock is taken only to set text.
    let state = NSRecursiveLock()

    /// The prescribed statements. They are read on a thread of their own while the caller
    /// reads its inputs (a tenth of one certificate's start-up); an error in them is thrown
    /// here, on first use.
    public var catalog: StatementCatalog {
        get throws { try state.withLock { catalogLoad }.value() }
    }

    /// Lays out pages. Its Pango font map is made on a thread of its own, which then loads
    /// the fonts recent certificates were set in (`RecentFonts`) while the caller reads its
    /// inputs, until the caller first sets text. A font map that cannot be made is
    /// reported here.
    public var layouter: Layouter {
        get throws {
            state.lock()
            defer { state.unlock() }
            if let madeLayouter { return madeLayouter }
            let layouter = Layouter(engine: try engineLoad.value().engine, images: images)
            madeLayouter = layouter
            return layouter
        }
    }

    /// A renderer for `environment`, with `fonts` when they are loaded already (a batch's
    /// drawing threads share them). Prepared drawings are kept in the environment's cache.
    public convenience init(environment: CreditEnvironment, fonts: FontLibrary? = nil) throws {
        try self.init(environment: environment, fonts: fonts, drawingCache: environment.drawingCacheFolder)
    }

    /// `drawingCache` keeps prepared drawings between runs (nil: drawn in every process).
    public init(environment: CreditEnvironment, fonts: FontLibrary?, drawingCache: URL?) throws {
        self.environment = environment
        let resources = environment.resources
        let fonts = try fonts ?? FontLibrary(environment: environment)
        self.fonts = fonts
        preparedDrawings = PreparedDrawings(disk: drawingCache.map(DrawingCache.init), fonts: fonts)
        images = ImageCache(sizes: drawingCache.map(ArtworkSizes.init))
        if drawingCache != nil { _ = DrawingCache.startupFiles }
        let directory = resources.statements
        catalogLoad = BackgroundLoad { try StatementCatalog(directory: directory) }
        engineLoad = BackgroundLoad({ EngineBox(engine: try TextEngine(fonts: fonts)) },
                                    then: { box in
                                        creditpress_lower_thread_priority()
                                        box.engine.warmUp(RecentFonts.read(for: fonts))
                                    })
        self.boards = try BoardCatalog(file: resources.boards)
    }

    /// Reads an activity file, knowing the configured certifying boards, and starts
    /// loading its artwork (logo, signature) on threads of their own.
    public func readActivity(_ url: URL, displayName: String? = nil) throws(InputError) -> Activity {
        let activity = try ActivityReader.read(url, displayName: displayName, boards: boards)
        prepareFor(activity)
        return activity
    }

    /// Reads an activity from its bytes (an upload, say); artwork paths are relative to `directory`.
    public func readActivity(_ data: Data, displayName: String, directory: URL) throws(InputError) -> Activity {
        let activity = try ActivityReader.read(data, displayName: displayName, directory: directory, boards: boards)
        prepareFor(activity)
        return activity
    }

    /// Starts loading the activity's artwork, first forgetting artwork and statement
    /// templates whose files have changed since they were read (in a long-running process).
    private func prepareFor(_ activity: Activity) {
        state.withLock { generation += 1 }
        let artwork = [activity.logo, activity.signatory?.signatureImage].compactMap { $0 }
        images.forgetChanged(artwork)
        images.preload(artwork)
        refreshCatalogIfChanged()
    }

    /// Reads the statement templates again when their files changed since the catalog in
    /// use was read; filled statements made from the old ones are dropped with it.
    private func refreshCatalogIfChanged() {
        state.withLock {
            guard catalogLoad.isFinished, let loaded = try? catalogLoad.value(), !loaded.isCurrent() else { return }
            let directory = loaded.directory
            catalogLoad = BackgroundLoad { try StatementCatalog(directory: directory) }
            statements = StatementCache()
        }
    }

    /// A layout by name (`physician-cme`) from `Templates/certificates/`, or by path.
    /// A layout read before is used again only while its files still hold the same bytes
    /// (compared once for each activity read, not for every certificate), so a long-running
    /// process never prints with an outdated layout.
    public func layout(named name: String) throws -> LayoutSpec {
        state.lock()
        defer { state.unlock() }
        if let cached = layouts[name] {
            if cached.checked == generation { return cached.spec }
            if cached.sources == cached.spec.sourceFiles.map({ (try? Data(contentsOf: $0)) ?? Data() }) {
                layouts[name]?.checked = generation
                return cached.spec
            }
        }
        let url = name.hasSuffix(".yaml") || name.contains("/")
            ? URL(fileURLWithPath: name)
            : resources.certificateLayouts.appendingPathComponent("\(name).yaml")
        guard FileManager.default.fileExists(atPath: url.path) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: resources.certificateLayouts.path)) ?? []
            throw LayoutError(file: url.path, block: nil, message: "there is no such layout; available: \(known.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted().joined(separator: ", "))")
        }
        let spec = try LayoutSpec.read(url, bundled: resources.certificateLayouts, fonts: fonts)
        layouts[name] = (spec, spec.sourceFiles.map { (try? Data(contentsOf: $0)) ?? Data() }, generation)
        return spec
    }

    /// Remembers the fonts this renderer has set text in, for the next process to load
    /// while it reads its inputs (see `RecentFonts`).
    public func rememberFontsUsed() {
        guard let madeLayouter = state.withLock({ madeLayouter }) else { return }
        RecentFonts.remember(FontAccess.serialized { madeLayouter.engine.fontsUsed }, for: fonts)
    }
}

/// A text engine handed from the thread that made it to the renderer's; Pango objects have
/// no thread of their own, and the renderer's uses of them take the font lock.
private final class EngineBox: @unchecked Sendable {
    let engine: TextEngine
    init(engine: TextEngine) { self.engine = engine }
}

import Foundation

/// Tells the time. The library never reads a clock of its own: issue times, signing times,
/// registry entries and verification all ask the environment's clock.
public protocol CreditClock: Sendable {
    func now() -> Date
}

/// The host's clock: the live implementation a program gives its environment.
public struct SystemClock: CreditClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that always says the same time, for tests and reproducible runs.
public struct FixedClock: CreditClock {
    public var date: Date
    public init(_ date: Date) { self.date = date }
    public func now() -> Date { date }
}

/// What the library takes from the program it runs in (typst's `World`): the clock, who is
/// acting, where the templates, layouts and fonts are, and where caches may go. Library
/// targets read no environment variable and no clock; the command line builds a live
/// environment from its flags and variables, a server from its configuration, and tests
/// an in-memory one.
public struct CreditEnvironment: Sendable {
    public var clock: any CreditClock
    /// Who acts, as the registry's audit trail records it: a login name on the command line,
    /// the signed-in staff member in a server.
    public var actor: String
    /// The `Templates/` and `Fonts/` folders.
    public var resources: Resources
    /// CreditPress's own cache folder (fontconfig's cache, the fonts recent certificates
    /// used, prepared drawings). It only saves time; nil keeps nothing between processes.
    public var cacheFolder: URL?

    public init(resources: Resources, clock: any CreditClock, actor: String, cacheFolder: URL?) {
        self.resources = resources
        self.clock = clock
        self.actor = actor
        self.cacheFolder = cacheFolder
    }

    /// Where fontconfig keeps its cache of the bundled fonts, if anywhere.
    package var fontCacheFolder: URL? {
        cacheFolder?.appendingPathComponent("fontconfig")
    }

    /// Where prepared drawings are kept between runs, if anywhere.
    package var drawingCacheFolder: URL? {
        cacheFolder?.appendingPathComponent("prepared")
    }
}

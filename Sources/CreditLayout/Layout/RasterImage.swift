import CPangoCairo
import CreditRecords
import Crypto
import Foundation

/// Artwork ready to draw: a PNG decoded into a Cairo image surface, or an SVG drawn once
/// into a Cairo recording surface, so that it stays vector in the PDF. Owns its surface.
///
/// Artwork whose size an earlier run recorded (`ArtworkSizes`, by the file's digest) is
/// decoded only when first drawn: a certificate whose prepared drawings come from the disk
/// cache never draws it, and never loads librsvg. Drawing code calls `load()` first, where
/// a failure can still be reported.
public final class RasterImage: @unchecked Sendable {
    /// The natural size: pixels for a PNG, CSS pixels for an SVG.
    public let pixelWidth: Int
    public let pixelHeight: Int
    public let isVector: Bool
    /// The SHA-256 of the file it was loaded from, with its kind: what its drawing depends on.
    package let digest: String
    private let url: URL
    private let sizes: ArtworkSizes?
    private var loaded: Result<OpaquePointer, TextError>?
    private let lock = NSLock()

    /// Loads `url`, a PNG or an SVG; the message says what is wrong in words a person can act on.
    public convenience init(contentsOf url: URL) throws(TextError) {
        try self.init(contentsOf: url, sizes: nil)
    }

    package init(contentsOf url: URL, sizes: ArtworkSizes?) throws(TextError) {
        let bytes = FileManager.default.contents(atPath: url.path).map(Array.init) ?? []
        let kind = ArtworkFile.kind(of: url)
        isVector = kind == .svg
        digest = "\(isVector ? "svg" : "png")-" + Hex.sha256(bytes)
        self.url = url
        self.sizes = sizes
        if let known = sizes?.size(of: digest) {
            (pixelWidth, pixelHeight) = known
            return
        }
        let surface: OpaquePointer
        (surface, pixelWidth, pixelHeight) = try RasterImage.decode(url, vector: isVector)
        loaded = .success(surface)
        sizes?.remember(digest, size: (pixelWidth, pixelHeight))
    }

    deinit {
        if case .success(let surface) = loaded { cairo_surface_destroy(surface) }
    }

    /// Decodes the artwork if it is not yet; throws what decoding it threw.
    package func load() throws(TextError) {
        lock.lock()
        defer { lock.unlock() }
        if loaded == nil {
            do throws(TextError) {
                let (surface, width, height) = try RasterImage.decode(url, vector: isVector)
                guard (width, height) == (pixelWidth, pixelHeight) else {
                    // Changed meanwhile, or a size recorded under other circumstances: not used again.
                    cairo_surface_destroy(surface)
                    sizes?.forget(digest)
                    throw TextError(message: "the image \(url.path) changed while it was being used; run again")
                }
                loaded = .success(surface)
            } catch {
                loaded = .failure(error)
            }
        }
        _ = try loaded!.get()
    }

    /// Whether the artwork has been decoded (or tried to be).
    package var isDecoded: Bool { lock.withLock { loaded != nil } }

    /// The decoded artwork; `load()` must have succeeded.
    package var surface: OpaquePointer {
        do { try load() } catch { preconditionFailure("artwork drawn though it could not be loaded: \(error)") }
        return lock.withLock { try! loaded!.get() }
    }

    private static func decode(_ url: URL, vector: Bool) throws(TextError) -> (OpaquePointer, Int, Int) {
        vector ? try loadSVG(url) : try loadPNG(url)
    }

    private static func loadPNG(_ url: URL) throws(TextError) -> (OpaquePointer, Int, Int) {
        guard let surface = cairo_image_surface_create_from_png(url.path) else {
            throw TextError(message: "cannot load image \(url.path)")
        }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            let reason = status == CAIRO_STATUS_FILE_NOT_FOUND ? "the file does not exist"
                : status == CAIRO_STATUS_READ_ERROR ? "it is not a readable PNG file"
                : String(cString: cairo_status_to_string(status))
            throw TextError(message: "cannot load image \(url.path): \(reason); images must be PNG or SVG")
        }
        return (surface, Int(cairo_image_surface_get_width(surface)), Int(cairo_image_surface_get_height(surface)))
    }

    /// Draws the SVG at its own size into a recording surface. Text inside an SVG would be
    /// set with the machine's fonts, not the bundled ones, so it is refused.
    private static func loadSVG(_ url: URL) throws(TextError) -> (OpaquePointer, Int, Int) {
        if let text = try? String(contentsOf: url, encoding: .utf8), text.contains("<text") {
            throw TextError(message: "the SVG \(url.path) contains text, which would print with whatever fonts a machine has; convert its text to outlines (paths)")
        }
        guard let rsvg = creditpress_rsvg()?.pointee else {
            throw TextError(message: "cannot draw the SVG \(url.path): librsvg 2.52 or later is not installed (Debian: apt-get install librsvg2-2), or use a PNG")
        }
        var error: UnsafeMutablePointer<GError>?
        guard let handle = rsvg.new_from_file(url.path, &error) else {
            let reason = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let error { g_error_free(error) }
            throw TextError(message: "cannot load the SVG \(url.path): \(reason)")
        }
        defer { g_object_unref(UnsafeMutableRawPointer(handle)) }
        var width = 0.0, height = 0.0
        if rsvg.get_intrinsic_size_in_pixels(handle, &width, &height) == 0 || width <= 0 || height <= 0 {
            var hasViewBox: gboolean = 0
            var viewBox = RsvgRectangle()
            rsvg.get_intrinsic_dimensions(handle, nil, nil, nil, nil, &hasViewBox, &viewBox)
            guard hasViewBox != 0, viewBox.width > 0, viewBox.height > 0 else {
                throw TextError(message: "the SVG \(url.path) has neither a width and height nor a viewBox; give it one")
            }
            (width, height) = (viewBox.width, viewBox.height)
        }
        var extents = cairo_rectangle_t(x: 0, y: 0, width: width, height: height)
        guard let surface = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents) else {
            throw TextError(message: "Cairo could not record the SVG \(url.path)")
        }
        let cairo = cairo_create(surface)
        var viewport = RsvgRectangle(x: 0, y: 0, width: width, height: height)
        let drawn = rsvg.render_document(handle, cairo, &viewport, &error)
        cairo_destroy(cairo)
        guard drawn != 0 else {
            let reason = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let error { g_error_free(error) }
            cairo_surface_destroy(surface)
            throw TextError(message: "cannot draw the SVG \(url.path): \(reason)")
        }
        return (surface, Int(width.rounded(.up)), Int(height.rounded(.up)))
    }
}

/// Decoded images by path, so that a batch decodes each logo once per worker. Images can
/// be loaded ahead on threads of their own (`preload`) while the caller does other work.
public final class ImageCache: @unchecked Sendable {
    private var images: [URL: RasterImage] = [:]
    private var loading: [URL: BackgroundLoad<LoadedImage>] = [:]
    private let lock = NSLock()
    private let sizes: ArtworkSizes?

    /// With `sizes`, artwork whose size is recorded there is decoded only when drawn.
    public init() { sizes = nil }

    package init(sizes: ArtworkSizes?) { self.sizes = sizes }

    /// Starts loading those of `urls` not loaded or loading yet, each on a thread of its
    /// own that first waits for the one before: one at a time, which leaves the other
    /// cores to the caller's own work.
    public func preload(_ urls: [URL]) {
        let sizes = self.sizes
        lock.withLock {
            var previous: BackgroundLoad<LoadedImage>?
            for url in urls where images[url] == nil && loading[url] == nil {
                let before = previous
                let load = BackgroundLoad {
                    creditpress_lower_thread_priority()
                    _ = try? before?.value()
                    return LoadedImage(image: try RasterImage(contentsOf: url, sizes: sizes))
                }
                loading[url] = load
                previous = load
            }
        }
    }

    /// Forgets those of `urls` whose files no longer hold the bytes they were decoded from,
    /// so that a long-running process draws a replaced logo as it is now.
    package func forgetChanged(_ urls: [URL]) {
        let loaded = lock.withLock { urls.compactMap { url in images[url].map { (url, $0.digest) } } }
        for (url, digest) in loaded {
            let bytes = (try? Data(contentsOf: url)) ?? Data()
            if !digest.hasSuffix("-" + Hex.sha256(bytes)) {
                lock.withLock { images[url] = nil }
            }
        }
    }

    /// Whether `url` is loaded or loading.
    package func isLoadingOrLoaded(_ url: URL) -> Bool {
        lock.withLock { images[url] != nil || loading[url] != nil }
    }

    public func image(at url: URL) throws(TextError) -> RasterImage {
        let (image, load) = lock.withLock { (images[url], loading[url]) }
        if let image { return image }
        let loaded: RasterImage
        do {
            loaded = try load.map { try $0.value().image } ?? RasterImage(contentsOf: url, sizes: sizes)
        } catch {
            // Not kept: the next use tries the file again, as if it had not been preloaded.
            lock.withLock { loading[url] = nil }
            throw error as? TextError ?? TextError(message: "cannot load image \(url.path): \(error)")
        }
        lock.withLock {
            images[url] = loaded
            loading[url] = nil
        }
        return loaded
    }
}

/// An image handed from the thread that loaded it to the one that draws it.
private final class LoadedImage: @unchecked Sendable {
    let image: RasterImage
    init(image: RasterImage) { self.image = image }
}

/// The sizes of artwork decoded before, by the digest of its file, kept beside the prepared
/// drawings: what a layout needs of an image without decoding it.
package struct ArtworkSizes: Sendable {
    package let folder: URL

    package init(folder: URL) {
        self.folder = folder
    }

    /// An SVG's size is what librsvg makes of it: recorded per librsvg file as well.
    package func file(for digest: String) -> URL {
        let reader = digest.hasPrefix("svg-")
            ? "-" + Hex.sha256(Array(DrawingCache.librsvg.utf8)).prefix(16)
            : ""
        return folder.appendingPathComponent("\(digest)\(reader).size")
    }

    package func forget(_ digest: String) {
        try? FileManager.default.removeItem(at: file(for: digest))
    }

    package func size(of digest: String) -> (Int, Int)? {
        guard let text = try? String(contentsOf: file(for: digest), encoding: .utf8) else { return nil }
        let numbers = text.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard numbers.count == 2, numbers.allSatisfy({ $0 > 0 && $0 < 1_000_000 }) else { return nil }
        return (numbers[0], numbers[1])
    }

    package func remember(_ digest: String, size: (Int, Int)) {
        try? AtomicFile.write(Data("\(size.0) \(size.1)\n".utf8), to: file(for: digest), durable: false)
    }
}

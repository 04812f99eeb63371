import CPangoCairo
import Foundation

/// A PNG decoded into a Cairo image surface, which it owns.
public final class RasterImage {
    let surface: OpaquePointer
    public let pixelWidth: Int
    public let pixelHeight: Int

    /// Decodes `url`; the message says what is wrong in words a person can act on.
    public init(contentsOf url: URL) throws(TextError) {
        guard let surface = cairo_image_surface_create_from_png(url.path) else {
            throw TextError(message: "cannot load image \(url.path)")
        }
        let status = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS else {
            cairo_surface_destroy(surface)
            let reason = status == CAIRO_STATUS_FILE_NOT_FOUND ? "the file does not exist"
                : status == CAIRO_STATUS_READ_ERROR ? "it is not a readable PNG file"
                : String(cString: cairo_status_to_string(status))
            throw TextError(message: "cannot load image \(url.path): \(reason); images must be PNG")
        }
        self.surface = surface
        pixelWidth = Int(cairo_image_surface_get_width(surface))
        pixelHeight = Int(cairo_image_surface_get_height(surface))
    }

    deinit { cairo_surface_destroy(surface) }
}

/// Decoded images by path, so that a batch decodes each logo once per worker.
public final class ImageCache {
    private var images: [URL: RasterImage] = [:]

    public init() {}

    public func image(at url: URL) throws(TextError) -> RasterImage {
        if let image = images[url] { return image }
        let image = try RasterImage(contentsOf: url)
        images[url] = image
        return image
    }
}

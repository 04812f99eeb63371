import CPangoCairo
import CreditLayout
import CreditRecords
import Foundation

/// Writes a laid-out page as a PNG preview, with the same drawing code as the PDF.
public enum PNGWriter {
    /// Writes `page` to `url` at `dpi` (72 gives one pixel per point).
    public static func write(_ page: PageFrame, dpi: Double = 100, to url: URL) throws(RenderError) {
        let scale = dpi / 72
        try page.loadArtwork(reportAs: url.path)
        try AtomicFile.write(to: url, durable: false) { temporary throws(RenderError) in
            guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32((page.width * scale).rounded()),
                                                           Int32((page.height * scale).rounded())) else {
                throw RenderError(file: url.path, message: "Cairo could not create the image")
            }
            defer { cairo_surface_destroy(surface) }
            let cairo = cairo_create(surface)
            cairo_set_source_rgb(cairo, 1, 1, 1)
            cairo_paint(cairo)
            cairo_scale(cairo, scale, scale)
            FontAccess.serialized { FrameDrawing.draw(page, on: cairo!) }
            cairo_destroy(cairo)
            let status = cairo_surface_write_to_png(surface, temporary.path)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw RenderError(file: url.path, message: "the PNG could not be written: \(String(cString: cairo_status_to_string(status)))")
            }
        }
    }
}

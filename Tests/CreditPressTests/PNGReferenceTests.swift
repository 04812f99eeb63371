import CPangoCairo
import CreditIssuing
import CreditLayout
import CreditRecords
import CreditRender
import Foundation
import Testing

/// A few certificates drawn as small PNGs and compared with reference renders in
/// `Expected/png/`, with a tolerance: anti-aliasing may differ by a shade, a moved or
/// missing line of text may not. To record new references after an intended change, delete
/// the PNG and run the test: it writes the render there and fails once, to be looked at.
struct PNGReferenceTests {
    static let folder = Fixture.root.appendingPathComponent("Tests/CreditPressTests/Expected/png")

    /// The pixels of a PNG, as Cairo decodes it: width, height, and one UInt32 (xRGB) each.
    static func pixels(_ url: URL) throws -> (Int, Int, [UInt32]) {
        guard let surface = cairo_image_surface_create_from_png(url.path), cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw RenderError(file: url.path, message: "is not a PNG Cairo can read")
        }
        defer { cairo_surface_destroy(surface) }
        let width = Int(cairo_image_surface_get_width(surface)), height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface) else { return (width, height, []) }
        var result: [UInt32] = []
        result.reserveCapacity(width * height)
        for y in 0..<height {
            data.advanced(by: y * stride).withMemoryRebound(to: UInt32.self, capacity: width) { row in
                for x in 0..<width { result.append(row[x]) }
            }
        }
        return (width, height, result)
    }

    /// The share of pixels whose brightest channel differs by more than a quarter of the range.
    static func differingShare(_ a: [UInt32], _ b: [UInt32]) -> Double {
        var differing = 0
        for (p, q) in zip(a, b) where p != q {
            var largest = 0
            for shift: UInt32 in [0, 8, 16] {
                let left = Int((p >> shift) & 0xFF), right = Int((q >> shift) & 0xFF)
                largest = max(largest, abs(left - right))
            }
            if largest > 64 { differing += 1 }
        }
        return Double(differing) / Double(max(a.count, 1))
    }

    @Test(arguments: ["physician", "arabic", "nurse", "genetic-counselor"])
    func aCertificateLooksLikeItsReferenceRender(learner: String) throws {
        let renderer = try Fixture.renderer()
        let prepared = try renderer.prepare(activity: try Fixture.activity(), learner: try Fixture.learner(learner),
                                            creationDate: Fixture.fixedDate)
        let drawn = try Fixture.temporaryFolder().appendingPathComponent("\(learner).png")
        try PNGWriter.write(prepared.page, dpi: 36, to: drawn)
        let reference = Self.folder.appendingPathComponent("asco-2018-\(learner).png")
        guard FileManager.default.fileExists(atPath: reference.path) else {
            try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: drawn, to: reference)
            Issue.record("no reference render yet: wrote \(reference.path); look at it and commit it")
            return
        }
        let (width, height, pixels) = try Self.pixels(drawn)
        let (referenceWidth, referenceHeight, referencePixels) = try Self.pixels(reference)
        #expect(width == referenceWidth && height == referenceHeight)
        let share = Self.differingShare(pixels, referencePixels)
        #expect(share < 0.002, "\(learner): \(String(format: "%.2f", share * 100)) % of the pixels differ from \(reference.lastPathComponent)")
    }

    @Test func theComparisonNoticesAMissingLineOfText() throws {
        let renderer = try Fixture.renderer()
        var learner = try Fixture.learner("physician")
        let prepared = try renderer.prepare(activity: try Fixture.activity(), learner: learner, creationDate: Fixture.fixedDate)
        learner.professionalName = "S. W."
        let other = try renderer.prepare(activity: try Fixture.activity(), learner: learner, creationDate: Fixture.fixedDate)
        let folder = try Fixture.temporaryFolder()
        try PNGWriter.write(prepared.page, dpi: 36, to: folder.appendingPathComponent("a.png"))
        try PNGWriter.write(other.page, dpi: 36, to: folder.appendingPathComponent("b.png"))
        let a = try Self.pixels(folder.appendingPathComponent("a.png")).2, b = try Self.pixels(folder.appendingPathComponent("b.png")).2
        #expect(Self.differingShare(a, b) >= 0.002)
    }
}

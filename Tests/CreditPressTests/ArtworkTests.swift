@testable import CreditPress
import Foundation
import Testing

/// Logos and signatures: SVG stays vector, PNG is embedded as an image, both fit their box.
struct ArtworkTests {
    static func certificate(logo: String) throws -> (PreparedCertificate, URL) {
        let renderer = try Fixture.renderer()
        var activity = try Fixture.activity()
        activity.logo = Fixture.example.appendingPathComponent("artwork/\(logo)")
        let certificate = try renderer.prepare(activity: activity, learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate)
        let pdf = try Fixture.temporaryFolder().appendingPathComponent("c.pdf")
        try renderer.writePDF(certificate, to: pdf)
        return (certificate, pdf)
    }

    @Test func drawsAnSVGLogoAsVectorsWithNoImageInThePDF() throws {
        let (certificate, pdf) = try Self.certificate(logo: "emblem.svg")
        let images = try runTool("pdfimages", ["-list", pdf.path]).split(separator: "\n")
        #expect(images.count == 2, "only the header lines: \(images)")
        var placed: [PageFrame.PlacedImage] = []
        for case .image(let image) in certificate.page.items { placed.append(image) }
        #expect(placed.allSatisfy { $0.image.isVector })
        // The emblem (240 × 240) fits the 80 × 56 pt logo box at [356, 46]: 56 pt square, centred.
        let logo = try #require(placed.first)
        #expect(logo.width == 56 && logo.height == 56)
        #expect(logo.x == 356 + (80 - 56) / 2 && logo.y == 46)
    }

    @Test func embedsAPNGLogoAsAnImage() throws {
        let (_, pdf) = try Self.certificate(logo: "emblem.png")
        let images = try runTool("pdfimages", ["-list", pdf.path])
        #expect(images.contains("240   240  rgb"))
    }

    @Test func refusesAnSVGWithTextInIt() throws {
        let svg = try Fixture.file("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><text x=\"0\" y=\"9\">A</text></svg>")
        #expect(throws: TextError.self) { try RasterImage(contentsOf: svg) }
        do { _ = try RasterImage(contentsOf: svg) } catch {
            #expect(error.message.hasSuffix("convert its text to outlines (paths)"))
        }
    }

    @Test func refusesAnSVGThatIsNotWellFormed() throws {
        let svg = try Fixture.file("logo.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect")
        #expect(throws: TextError.self) { try RasterImage(contentsOf: svg) }
    }
}

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

    /// Artwork is made into PDF objects once and copied into each certificate; the page must
    /// print exactly as when Cairo draws the artwork in place, pixel for pixel.
    @Test(arguments: ["emblem.svg", "emblem.png"])
    func artworkCopiedInPrintsExactlyAsArtworkDrawnInPlace(logo: String) throws {
        let renderer = try Fixture.renderer()
        var activity = try Fixture.activity()
        activity.logo = Fixture.example.appendingPathComponent("artwork/\(logo)")
        let certificate = try renderer.prepare(activity: activity, learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate)
        let copied = try renderer.finishedPDF(certificate, signing: nil)
        let drawn = try renderer.finishedPDF(certificate, artwork: nil, signing: nil, stored: nil, certify: false)
        let folder = try Fixture.temporaryFolder()
        var pixels: [Data] = []
        for (name, pdf) in [("copied", copied), ("drawn", drawn)] {
            let file = folder.appendingPathComponent("\(name).pdf")
            try Data(pdf.bytes).write(to: file)
            try runTool("qpdf", ["--check", file.path])
            try runTool("pdftoppm", ["-r", "100", "-singlefile", file.path, folder.appendingPathComponent(name).path])
            pixels.append(try Data(contentsOf: folder.appendingPathComponent("\(name).ppm")))
        }
        #expect(pixels[0] == pixels[1], "the page with copied artwork differs from the one drawn in place")
        // Really copied: the logo's form (the emblem is 240 × 240 as SVG and as PNG) carries
        // the matrix the copy writes, and the file is one revision (one cross-reference table).
        let text = String(decoding: copied.bytes, as: UTF8.self)
        #expect(text.contains("/Matrix [ 1 0 0 -1 0 240 ]"))
        #expect(text.components(separatedBy: "\nxref\n").count == 2)
        #expect(!String(decoding: drawn.bytes, as: UTF8.self).contains("/Matrix [ 1 0 0 -1 0 240 ]"))
    }

    @Test func placementRefusesAPageThatDoesNotPaintWhatWasDrawn() throws {
        let renderer = try Fixture.renderer()
        let certificate = try renderer.prepare(activity: Fixture.activity(), learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate)
        let drawn = try renderer.finishedPDF(certificate, artwork: nil, signing: nil, stored: nil, certify: false)
        let images = certificate.page.paintedArtwork
        let artwork = try images.map { try $0?.pdfArtwork() }
        // Drawn in place, the page paints the artwork's own forms, not placeholders of its size.
        var update = try PDFUpdate(base: PDFIndex(drawn.bytes))
        #expect(throws: ArtworkPlacementError.self) { try PDFArtwork.place(artwork, in: &update) }
        // One form more than the page paints.
        #expect(throws: ArtworkPlacementError.self) { try PDFArtwork.place(artwork + [nil], in: &update) }
    }
}

/// The PDF tokens CreditPress reads out of Cairo's output.
struct PDFLexerTests {
    @Test func findsReferencesButNotInsideStrings() {
        var text = "<< /Title (see 12 0 R) /Font << /f 7 0 R >> /Kids [3 0 R 4 0 R] /Hex <31 32> /N 5 >>"
        let found = text.withUTF8 { PDFLexer.references(in: $0) }.map(\.number)
        #expect(found == [7, 3, 4])
    }

    @Test func findsPaintedFormsInOrderButNotShownText() {
        let content = Array("q /x24 Do Q BT (/x9 Do) Tj [(a\\) Do)] TJ ET /Figure << /MCID 1 >> BDC /x25 Do EMC".utf8)
        #expect(PDFLexer.paintedXObjects(in: content) == ["x24", "x25"])
    }

    @Test func readsANamedSubdictionary() {
        let resources = "<< /ExtGState << /a0 << /CA 1 >> >> /XObject << /x24 24 0 R /x25 25 0 R >> >>"
        let forms = PDFLexer.subdictionary("XObject", in: resources).map(PDFLexer.namedReferences)
        #expect(forms == ["x24": 24, "x25": 25])
        #expect(PDFLexer.subdictionary("CA", in: resources) == nil)
    }
}

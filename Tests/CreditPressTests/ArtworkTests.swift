import CreditIssuing
import CreditLayout
import CreditPDF
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
        // The emblem (240 × 240) fits the 80 × 56 pt logo box at [356, 36]: 56 pt square, centred.
        let logo = try #require(placed.first)
        #expect(logo.width == 56 && logo.height == 56)
        #expect(logo.x == 356 + (80 - 56) / 2 && logo.y == 36)
    }

    @Test func embedsAPNGLogoAsAnImage() throws {
        let (_, pdf) = try Self.certificate(logo: "emblem.png")
        let images = try runTool("pdfimages", ["-list", pdf.path])
        #expect(images.contains("240   240  rgb"))
    }

    @Test func artworkLoadedAheadIsTheSameAsArtworkLoadedWhenDrawn() throws {
        let svg = Fixture.example.appendingPathComponent("artwork/emblem.svg")
        let png = Fixture.example.appendingPathComponent("artwork/emblem.png")
        let broken = try Fixture.file("broken.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\"")
        let ahead = ImageCache(), late = ImageCache()
        ahead.preload([svg, png, broken])
        #expect([svg, png, broken].allSatisfy(ahead.isLoadingOrLoaded) && !late.isLoadingOrLoaded(svg))
        for url in [svg, png] {
            let (a, b) = (try ahead.image(at: url), try late.image(at: url))
            #expect((a.pixelWidth, a.pixelHeight, a.isVector) == (b.pixelWidth, b.pixelHeight, b.isVector))
            #expect(try ahead.image(at: url) === a, "kept for the next certificate")
        }
        var messages: [String] = []
        for cache in [ahead, late, ahead] {
            do { _ = try cache.image(at: broken); Issue.record("expected a refusal") } catch { messages.append(error.message) }
        }
        #expect(Set(messages).count == 1 && messages[0].hasPrefix("cannot load the SVG \(broken.path)"), "\(messages)")
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

    /// Artwork and the paragraphs every certificate of the activity shows are made into PDF
    /// objects once and copied into each certificate; the page must print as when Cairo
    /// draws everything in place, and read the same.
    @Test(arguments: ["emblem.svg", "emblem.png"])
    func preparedFormsPrintAndReadAsDrawingInPlace(logo: String) throws {
        let renderer = try Fixture.renderer()
        var activity = try Fixture.activity()
        activity.logo = Fixture.example.appendingPathComponent("artwork/\(logo)")
        let certificate = try renderer.prepare(activity: activity, learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate)
        let copied = try renderer.finishedPDF(certificate, signing: nil)
        let drawn = try renderer.finishedPDF(certificate, preparedForms: false, signing: nil, stored: nil, certify: false)
        let folder = try Fixture.temporaryFolder()
        var pixels: [[UInt8]] = [], texts: [String] = []
        for (name, pdf) in [("copied", copied), ("drawn", drawn)] {
            let file = folder.appendingPathComponent("\(name).pdf")
            try Data(pdf.bytes).write(to: file)
            try runTool("qpdf", ["--check", file.path])
            texts.append(try runTool("pdftotext", ["-layout", file.path, "-"]))
            try runTool("pdftoppm", ["-r", "100", "-gray", "-singlefile", file.path, folder.appendingPathComponent(name).path])
            pixels.append(Array(try Data(contentsOf: folder.appendingPathComponent("\(name).pgm"))))
        }
        #expect(texts[0] == texts[1])
        // Glyph positions written relative to a paragraph's origin round differently in the
        // last decimals: a few edge pixels may differ by a shade, none by more than a quarter.
        try #require(pixels[0].count == pixels[1].count)
        let differing = zip(pixels[0], pixels[1]).filter { $0 != $1 }
        #expect(differing.count < pixels[0].count / 1000, "\(differing.count) pixels differ")
        #expect(differing.allSatisfy { abs(Int($0) - Int($1)) <= 64 })
        // Really copied: the page paints the prepared forms — the logo, the signature and the
        // activity's paragraphs — and the file is one revision (one cross-reference table).
        let text = String(decoding: copied.bytes, as: UTF8.self)
        let items = certificate.page.preparedItems
        #expect(items.count >= 8)
        #expect(text.contains("/CPForm0 ") && text.contains("/CPForm\(items.count - 1) "))
        #expect(text.components(separatedBy: "\nxref\n").count == 2)
        #expect(!String(decoding: drawn.bytes, as: UTF8.self).contains("/CPForm0"))
    }

    @Test func placementRefusesAPageWithoutRoomForTheForms() throws {
        let renderer = try Fixture.renderer()
        let certificate = try renderer.prepare(activity: Fixture.activity(), learner: Fixture.learner("physician"), creationDate: Fixture.fixedDate)
        let drawn = try renderer.finishedPDF(certificate, preparedForms: false, signing: nil, stored: nil, certify: false)
        let placements = try renderer.forms(for: certificate.page)
        #expect(!placements.isEmpty)
        // Drawn in place, the page has no empty tag for a form to go in.
        var update = try PDFUpdate(base: PDFIndex(drawn.bytes))
        #expect(throws: FormPlacementError.self) { try PreparedForm.place(placements, in: &update) }
    }

    @Test func writesContentStreamNumbersWithoutExponents() {
        #expect(PreparedForm.number(125.36621100001) == "125.3662")
        #expect(PreparedForm.number(0.233333333) == "0.2333")
        #expect(PreparedForm.number(1e-17) == "0")
        #expect(PreparedForm.number(-28) == "-28")
        #expect(PreparedForm.number(0.00005) == "0.0001")
    }
}

/// The PDF tokens CreditPress reads out of Cairo's output.
struct PDFLexerTests {
    @Test func findsReferencesButNotInsideStrings() {
        var text = "<< /Title (see 12 0 R) /Font << /f 7 0 R >> /Kids [3 0 R 4 0 R] /Hex <31 32> /N 5 >>"
        let found = text.withUTF8 { PDFLexer.references(in: $0) }.map(\.number)
        #expect(found == [7, 3, 4])
    }

    @Test func findsEmptyMarkedContentOnly() {
        let content = Array("/P << /MCID 0 >> BDC\nBT (x) Tj ET\nEMC\n/P << /MCID 1 >> BDC\nEMC\n(BDC EMC) Tj /Figure <<>> BDC EMC".utf8)
        let found = PDFLexer.emptyMarkedContent(in: content)
        #expect(found.count == 2)
        #expect(found.map { String(decoding: content[($0 - 3)..<$0], as: UTF8.self) } == ["BDC", "BDC"])
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

import CreditIssuing
import CreditLayout
import CreditRender
import Foundation
import Testing

/// Prepared drawings kept on disk: a new process copies them and writes the same bytes.
struct DrawingCacheTests {
    static func issue(cache: URL?) throws -> (bytes: [UInt8], drawn: Int) {
        let renderer = try CertificateRenderer(environment: Fixture.environment, fonts: Fixture.fonts, drawingCache: cache)
        let certificate = try renderer.prepare(activity: Fixture.activity(), learner: Fixture.learner("vietnamese"),
                                               creationDate: Fixture.fixedDate)
        return (try renderer.finishedPDF(certificate, signing: nil).bytes, renderer.preparedDrawings.drawnCount)
    }

    static func pages(in folder: URL) -> [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".pdf") }.map { folder.appendingPathComponent($0) }
    }

    @Test func aLaterRendererCopiesTheDrawingsFromDiskAndWritesTheSameBytes() throws {
        let folder = try Fixture.temporaryFolder()
        let first = try Self.issue(cache: folder)
        #expect(first.drawn == 1)
        #expect(Self.pages(in: folder).count == 1)
        let second = try Self.issue(cache: folder)
        #expect(second.drawn == 0, "found on disk, not drawn")
        #expect(second.bytes == first.bytes)
        let uncached = try Self.issue(cache: nil)
        #expect(uncached.drawn == 1 && uncached.bytes == first.bytes)
    }

    @Test func artworkOfKnownSizeIsDecodedOnlyWhenDrawn() throws {
        let folder = try Fixture.temporaryFolder()
        let first = try Self.issue(cache: folder)
        let renderer = try CertificateRenderer(environment: Fixture.environment, fonts: Fixture.fonts, drawingCache: folder)
        let certificate = try renderer.prepare(activity: Fixture.activity(), learner: Fixture.learner("vietnamese"),
                                               creationDate: Fixture.fixedDate)
        var images: [RasterImage] = []
        for case .image(let placed) in certificate.page.items { images.append(placed.image) }
        #expect(images.count == 2 && images.allSatisfy { !$0.isDecoded })
        #expect(try renderer.finishedPDF(certificate, signing: nil).bytes == first.bytes)
        #expect(images.allSatisfy { !$0.isDecoded }, "the forms came from disk")
        // A preview draws the artwork: decoded then, and drawn as a fresh renderer draws it.
        let png = folder.appendingPathComponent("late.png"), reference = folder.appendingPathComponent("early.png")
        try PNGWriter.write(certificate.page, to: png)
        #expect(images.allSatisfy { $0.isDecoded })
        let fresh = try Fixture.renderer()
        try PNGWriter.write(fresh.prepare(activity: Fixture.activity(), learner: Fixture.learner("vietnamese"),
                                          creationDate: Fixture.fixedDate).page, to: reference)
        #expect(try Data(contentsOf: png) == Data(contentsOf: reference))
    }

    @Test func artworkChangedBeforeItIsDrawnIsReported() throws {
        let folder = try Fixture.temporaryFolderWithArtwork()
        let sizes = ArtworkSizes(folder: folder.appendingPathComponent("cache"))
        let svg = folder.appendingPathComponent("artwork/emblem.svg")
        _ = try RasterImage(contentsOf: svg, sizes: sizes)
        let late = try RasterImage(contentsOf: svg, sizes: sizes)
        #expect(!late.isDecoded && late.pixelWidth == 240)
        try Data("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"20\"/>".utf8).write(to: svg)
        do { try late.load(); Issue.record("expected a refusal") } catch {
            #expect(error.message.contains("changed while it was being used"))
        }
        #expect(sizes.size(of: late.digest) == nil, "the size recorded is not trusted again")
    }

    @Test func aDamagedPageOnDiskIsDrawnAgain() throws {
        let folder = try Fixture.temporaryFolder()
        let first = try Self.issue(cache: folder)
        let page = try #require(Self.pages(in: folder).first)
        for damage in [Data("%PDF-1.7\ngarbage".utf8), Data()] {
            try damage.write(to: page)
            let again = try Self.issue(cache: folder)
            #expect(again.drawn == 1 && again.bytes == first.bytes)
        }
        #expect(try Self.issue(cache: folder).drawn == 0, "the page drawn again was kept")
    }

    @Test func keepsAtMostItsLimitDroppingTheOldest() throws {
        let cache = DrawingCache(folder: try Fixture.temporaryFolder())
        for index in 0..<(DrawingCache.limit + 3) {
            cache.write(Array("page \(index)".utf8), for: String(format: "%04d", index))
            let date = Date(timeIntervalSince1970: 1_700_000_000 + Double(index))
            try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: cache.file(for: String(format: "%04d", index)).path)
        }
        cache.write(Array("newest".utf8), for: "newest")
        let names = Set(Self.pages(in: cache.folder).map(\.lastPathComponent))
        #expect(names.count == DrawingCache.limit)
        #expect(names.contains("newest.pdf") && !names.contains("0000.pdf") && names.contains("0004.pdf"))
    }

    @Test func aParagraphsRecipeNamesEveryPropertyOfItsStyle() throws {
        // A property added to TextStyle must be added to its recipe, or cached drawings
        // would not tell two styles apart.
        #expect(Mirror(reflecting: TextStyle()).children.count == 10)
        let changes: [(inout TextStyle) -> Void] = [
            { $0.family = "Noto Serif CJK SC" }, { $0.size = 13 }, { $0.weight = 700 }, { $0.italic = true },
            { $0.color = RGBColor(red: 1, green: 0, blue: 0) }, { $0.tracking = 1 }, { $0.alignment = .center },
            { $0.justify = true }, { $0.direction = .auto }, { $0.lineHeight = 1.2 },
        ]
        var recipes: Set<String> = [TextStyle().recipe]
        for change in changes {
            var style = TextStyle()
            change(&style)
            recipes.insert(style.recipe)
        }
        #expect(recipes.count == changes.count + 1)
    }
}

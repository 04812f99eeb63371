import CreditIssuing
import CreditLayout
import CreditRecords
import Foundation
import Testing

/// A provider's own layout kept outside the install: its fonts, its artwork, `extends` by
/// name, and overrides that change only what they name (positions from the layout result).
struct BrandLayoutTests {
    static let brand = Fixture.root.appendingPathComponent("Examples/brand/certificate.yaml")

    /// A renderer with a font library of its own: a brand font added to the shared one
    /// would be there for every other test in this process.
    static func renderer() throws -> CertificateRenderer {
        try CertificateRenderer(environment: Fixture.environment, fonts: FontLibrary(environment: Fixture.environment))
    }

    static func page(layout: String?, renderer: CertificateRenderer? = nil) throws -> PageFrame {
        try (renderer ?? Self.renderer()).prepare(activity: Fixture.activity(), learner: Fixture.learner("physician"),
                                                  layoutName: layout, creationDate: Fixture.fixedDate).page
    }

    static func images(_ page: PageFrame) -> [(x: Double, y: Double, width: Double)] {
        page.items.compactMap { item in
            guard case .image(let image) = item else { return nil }
            return (image.x, image.y, image.width)
        }
    }

    @Test func aStyleOverrideChangesOnlyTheFieldsItGives() throws {
        let renderer = try Self.renderer()
        let layout = try Fixture.file("colour.yaml", """
            extends: physician-cme
            blocks:
              - id: heading
                style: { color: "#7A1F2B" }
            """, in: try Fixture.temporaryFolder())
        let bundled = try Self.page(layout: nil, renderer: renderer)
        let coloured = try Self.page(layout: layout.path, renderer: renderer)
        let before = try #require(bundled.text("heading")), after = try #require(coloured.text("heading"))
        #expect(before.shaped.fontSize == 26)
        #expect(after.shaped.fontSize == 26)
        #expect(after.y == before.y)
        #expect(after.shaped.height == before.shaped.height)
        #expect(coloured.text("name")?.y == bundled.text("name")?.y)
        let spec = try renderer.layout(named: layout.path)
        let heading = try #require(spec.blocks.first { $0.id == "heading" })
        #expect(heading.style.color == RGBColor(hex: "#7A1F2B"))
        #expect(heading.style.size == 26 && heading.minSize == 18 && heading.maxLines == 1)
    }

    @Test func theBrandExampleKeepsTheLogoAndSignatureAndAddsItsSeal() throws {
        let renderer = try Self.renderer()
        let bundled = try Self.page(layout: nil, renderer: renderer)
        let branded = try Self.page(layout: Self.brand.path, renderer: renderer)
        let spec = try renderer.layout(named: Self.brand.path)
        let heading = try #require(spec.blocks.first { $0.id == "heading" })
        #expect(heading.style.family == "DejaVu Sans" && heading.style.size == 26 && heading.style.weight == 700)
        // The wider brand face is fitted to the heading's one line, no smaller than its minSize.
        let text = try #require(branded.text("heading"))
        #expect(text.shaped.fontSize >= 18 && text.shaped.lineCount == 1)
        #expect(text.y == bundled.text("heading")?.y)
        let images = Self.images(branded)
        #expect(images.count == 3)
        #expect(Self.images(bundled).count == 2)
        #expect(images.contains { $0.x == 50 && $0.y == 468 && $0.width == 50 })
        // The logo (box 356, 36, 80 × 56) and the signature (130, 498, 180 × 36), fitted in their boxes.
        #expect(images.contains { (356...436).contains($0.x) && (36...92).contains($0.y) })
        #expect(images.contains { (130...310).contains($0.x) && (498...534).contains($0.y) })
    }

    @Test func theBrandFontInTheLayoutsFolderIsEmbeddedInThePDF() throws {
        let folder = try Fixture.temporaryFolder()
        let out = folder.appendingPathComponent("brand.pdf")
        let run = try CommandLineTests.run(["certificate", "--activity", "Examples/asco-2018/activity.yaml",
                                            "--learner", "Examples/asco-2018/learners/physician.yaml",
                                            "--layout", Self.brand.path, "--out", out.path,
                                            "--creation-date", "2018-06-05T12:00:00Z"])
        #expect(run.status == 0, "\(run.errors)")
        let fonts = try runTool("pdffonts", [out.path])
        #expect(fonts.contains("DejaVuSans-Bold"))
        #expect(fonts.contains("NotoSerif-Regular"))
        let text = try runTool("pdftotext", ["-layout", out.path, "-"])
        #expect(text.contains("Certificate of Continuing Medical Education"))
    }

    @Test func aLayoutAnywhereExtendsABundledOneByNameAndCanRemoveAnImage() throws {
        let folder = try Fixture.temporaryFolder()
        let layout = try Fixture.file("mine.yaml", """
            extends: physician-cme
            page: { margin: 90 }
            blocks:
              - id: awarded
                top: 340
            images:
              - id: signature
                remove: true
            """, in: folder)
        let page = try Self.page(layout: layout.path)
        // `top` replaces the parent's `below: dates`; the page's size stays with `margin` changed.
        #expect(page.text("awarded")?.y == 340)
        #expect(page.width == 792)
        #expect(page.text("awarded")?.x == 90)
        #expect(Self.images(page).count == 1)
        #expect(Self.images(page).contains { (356...436).contains($0.x) && (36...92).contains($0.y) })
    }

    @Test func anUnknownParentOrAFontFolderWithoutFontsIsRefusedWithTheChoices() throws {
        let folder = try Fixture.temporaryFolder()
        let unknown = try Fixture.file("mine.yaml", "extends: physician-cmee\nblocks: []\n", in: folder)
        #expect { try Self.page(layout: unknown.path) } throws: { error in
            let text = "\(error)"
            return text.contains("there is no layout 'physician-cmee' to extend") && text.contains("physician-cme, physician-cme-a4")
        }
        let other = try Fixture.temporaryFolder()
        try FileManager.default.createDirectory(at: other.appendingPathComponent("fonts"), withIntermediateDirectories: true)
        try "not a font".write(to: other.appendingPathComponent("fonts/README.txt"), atomically: true, encoding: .utf8)
        let layout = try Fixture.file("mine.yaml", "extends: nursing\n", in: other)
        #expect { try Self.page(layout: layout.path) } throws: { error in
            "\(error)".contains("holds no font files (.ttf, .otf, .ttc)")
        }
        let family = try Fixture.file("mine.yaml", """
            extends: physician-cme
            blocks:
              - id: heading
                style: { family: Brand Serif }
            """, in: try Fixture.temporaryFolder())
        #expect { try Self.page(layout: family.path) } throws: { error in
            "\(error)".contains("no font is called 'Brand Serif'") && "\(error)".contains("fonts/ folder beside the layout")
        }
    }
}

/// A certificate issued before a bundled statement or layout changed is drawn again byte for
/// byte from the versions kept in `archive/`.
struct ArchivedVersionTests {
    @Test func aCertificateIssuedBeforeAStatementAndLayoutChangedIsReprintedAsIssued() throws {
        let root = try Fixture.temporaryFolder()
        try FileManager.default.copyItem(at: Fixture.root.appendingPathComponent("Templates"), to: root.appendingPathComponent("Templates"))
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("Fonts"), withDestinationURL: Fixture.resources.fonts)
        let registry = root.appendingPathComponent("registry.sqlite"), issued = root.appendingPathComponent("issued.pdf")
        let first = try CommandLineTests.run(["certificate", "--resources", root.path, "--activity", Fixture.activityURL.path,
                                              "--learner", Fixture.example.appendingPathComponent("learners/physician-assistant.yaml").path,
                                              "--registry", registry.path, "--out", issued.path, "--creation-date", "2018-06-05T12:00:00Z"])
        #expect(first.status == 0, "\(first.errors)")
        let id = try #require(first.output.split(separator: " ").first { CertificateID.normalise(String($0.filter { $0 != "," })) != nil }
            .map { String($0.filter { $0 != "," }) })

        // An upgrade: NCCPA's line reworded (v3, v2 archived) and the participation heading changed (layout v4, v3 archived).
        let statements = root.appendingPathComponent("Templates/statements")
        try FileManager.default.moveItem(at: statements.appendingPathComponent("aapa-acceptance.mustache"),
                                         to: statements.appendingPathComponent("archive/aapa-acceptance.v2.mustache"))
        try "PAs may claim up to {{amount}} credits.".write(to: statements.appendingPathComponent("aapa-acceptance.mustache"), atomically: true, encoding: .utf8)
        let catalog = statements.appendingPathComponent("catalog.yaml")
        try String(contentsOf: catalog, encoding: .utf8).replacingOccurrences(of: "aapa-acceptance:\n  version: 2", with: "aapa-acceptance:\n  version: 3")
            .write(to: catalog, atomically: true, encoding: .utf8)
        let layouts = root.appendingPathComponent("Templates/certificates")
        try FileManager.default.createDirectory(at: layouts.appendingPathComponent("archive/v3/base"), withIntermediateDirectories: true)
        for name in ["participation.yaml", "base/letter-landscape.yaml"] {
            try FileManager.default.copyItem(at: layouts.appendingPathComponent(name), to: layouts.appendingPathComponent("archive/v3/\(name)"))
        }
        let participation = layouts.appendingPathComponent("participation.yaml")
        try String(contentsOf: participation, encoding: .utf8).replacingOccurrences(of: "version: 3", with: "version: 4")
            .replacingOccurrences(of: "Certificate of Participation", with: "Participation Certificate")
            .write(to: participation, atomically: true, encoding: .utf8)

        let copy = root.appendingPathComponent("copy.pdf")
        let reprint = ["reprint", "--resources", root.path, "--id", id, "--activity", Fixture.activityURL.path,
                       "--registry", registry.path, "--out", copy.path]
        let run = try CommandLineTests.run(reprint)
        #expect(run.status == 0, "\(run.errors)")
        #expect(try Data(contentsOf: copy) == Data(contentsOf: issued))
        // Without the archived statement the file cannot be drawn again, and says why.
        try FileManager.default.removeItem(at: statements.appendingPathComponent("archive/aapa-acceptance.v2.mustache"))
        let refused = try CommandLineTests.run(reprint)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("is frozen"), "\(refused.errors)")
    }
}

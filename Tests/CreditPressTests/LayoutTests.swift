import CPangoCairo
import CreditLayout
import CreditRecords
import CreditStatements
import Foundation
import Testing

/// Positions and sizes read from the layout result, not from pixels.
struct LayoutTests {
    /// Lays out the example activity for one of its learners with the default layout.
    static func page(for learner: String) throws -> PageFrame {
        try Fixture.renderer().prepare(activity: Fixture.activity(), learner: Fixture.learner(learner),
                                       creationDate: Fixture.fixedDate).page
    }

    @Test func placesEachBlockBelowTheOneItFollows() throws {
        let page = try Self.page(for: "physician")
        let certify = try #require(page.text("certify")), name = try #require(page.text("name"))
        // base/letter-landscape.yaml: the name goes `below: certify` with `gap: 3`.
        #expect(abs(name.y - (certify.bottom + 3)) < 0.001)
        // The provider line is placed at `top: 98`.
        #expect(page.text("provider")?.y == 98)
    }

    @Test func setsAShortNameAtFullSizeOnOneLine() throws {
        let name = try #require(Self.page(for: "physician").text("name"))
        #expect(name.shaped.fontSize == 26)
        #expect(name.shaped.lineCount == 1)
    }

    @Test func shrinksAnAbsurdlyLongNameUntilItFitsItsBox() throws {
        let name = try #require(Self.page(for: "long-name").text("name"))
        // The block is 600 pt wide (792 − 96 − 96) and allows two lines from 28 pt down to 14 pt.
        #expect(name.shaped.fontSize < 28)
        #expect(name.shaped.fontSize >= 14)
        #expect(name.shaped.lineCount <= 2)
        #expect(name.shaped.width <= 600)
        #expect(name.shaped.unknownGlyphs == 0)
    }

    @Test(arguments: ["vietnamese", "arabic", "chinese", "diacritics", "long-name"])
    func drawsEveryNameWithBundledGlyphsOnly(learner: String) throws {
        let page = try Self.page(for: learner)
        for case .text(let text) in page.items {
            #expect(text.shaped.unknownGlyphs == 0, "block \(text.id)")
            #expect(text.shaped.width <= text.width + 0.01, "block \(text.id) overflows")
        }
    }

    @Test func leavesOutAnOptionalBlockWithNothingInIt() throws {
        let renderer = try Fixture.renderer()
        var activity = try Fixture.activity()
        activity.theme = nil
        let page = try renderer.prepare(activity: activity, learner: Fixture.learner("physician"),
                                        creationDate: Fixture.fixedDate).page
        #expect(page.text("theme") == nil)
        // `when` goes 4 pt below `theme`; a left-out block takes neither room nor its own
        // 2 pt gap, so `when` sits 4 pt below the title.
        let title = try #require(page.text("title")), when = try #require(page.text("when"))
        #expect(abs(when.y - (title.bottom + 4)) < 0.001)
    }

    @Test func leavesOutTheSignatureLineWhenThereIsNoSignatory() throws {
        func lines(_ page: PageFrame) -> [Double] {
            page.items.compactMap { item in
                guard case .stroke(let stroke) = item, case .line(_, let y, _, _) = stroke.shape else { return nil }
                return y
            }
        }
        // base/letter-landscape.yaml: the signature line at y 538 goes `with: signatory`; the date line does not.
        #expect(lines(try Self.page(for: "physician")) == [538, 538])
        var activity = try Fixture.activity()
        activity.signatory = nil
        let page = try Fixture.renderer().prepare(activity: activity, learner: Fixture.learner("physician"),
                                                  creationDate: Fixture.fixedDate).page
        #expect(lines(page) == [538])
        #expect(page.text("signatory") == nil)
    }

    @Test func setsALongTitleOnUpToThreeLines() throws {
        var activity = try Fixture.activity()
        activity.title = String(repeating: "Management of Complex Multisystem Disorders in Elderly Patients ", count: 4)
        let page = try Fixture.renderer().prepare(activity: activity, learner: Fixture.learner("physician"),
                                                  creationDate: Fixture.fixedDate).page
        let title = try #require(page.text("title"))
        // 260 characters do not fit three 600 pt lines at 17 pt; they do at a smaller size, not below 10 pt.
        #expect(title.shaped.lineCount == 3)
        #expect(title.shaped.fontSize >= 10 && title.shaped.fontSize < 17)
        #expect(title.shaped.width <= 600)
    }

    @Test func refusesANameWithCharactersNoFontHas() throws {
        var learner = try Fixture.learner("physician")
        learner.professionalName = "Ada \u{20000}\u{1F600} Lovelace"
        do {
            _ = try Fixture.renderer().prepare(activity: Fixture.activity(), learner: learner, creationDate: Fixture.fixedDate)
            Issue.record("expected a refusal")
        } catch let error as InputError {
            #expect(error.problems.first?.field == "name.professional")
            #expect(error.problems.first?.learnerID == "L-2018-000101")
            #expect(error.problems.first?.message == "the name has characters no bundled font can draw: U+20000 (\u{20000}), U+1F600 (😀)")
        }
    }

    static let bundledLayouts = ((try? FileManager.default.contentsOfDirectory(
        atPath: Fixture.resources.certificateLayouts.path)) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()

    @Test func bundlesALayoutForEveryKindOfCertificate() {
        #expect(Self.bundledLayouts == ["moc.yaml", "nursing.yaml", "participation.yaml", "pharmacy.yaml", "physician-assistant.yaml", "physician-cme-a4.yaml", "physician-cme.yaml"])
    }

    @Test(arguments: bundledLayouts)
    func everyBundledLayoutFitsTheHardestExampleNames(layout: String) throws {
        let renderer = try Fixture.renderer()
        let spec = try renderer.layout(named: String(layout.dropLast(5)))
        let claim: Learner.Claim
        var profession = Profession.physician
        switch spec.kind {
        case .nursing?: (claim, profession) = (.init(type: .ancc, amount: CreditAmount(quarters: 8)), .nurse)
        case .pharmacy?: (claim, profession) = (.init(type: .acpe, amount: CreditAmount(quarters: 8)), .pharmacist)
        case .participation?, .physicianAssistant?, .moc?: (claim, profession) = (.init(type: .participation, amount: CreditAmount(quarters: 8)), .other)
        default: claim = .init(type: .amaPRACategory1, amount: CreditAmount(quarters: 8))
        }
        for name in ["long-name", "arabic", "chinese"] {
            var learner = try Fixture.learner(name)
            learner.profession = profession
            learner.degrees = profession == .physician ? ["MD"] : []
            learner.claims = [claim]
            learner.nabpEPID = "1234567"
            learner.birthMonthDay = "01-01"
            // PA and MOC layouts are checked for fit with a participation learner.
            let layoutName = [.physicianAssistant, .moc].contains(spec.kind) ? "participation" : String(layout.dropLast(5))
            let page = try renderer.prepare(activity: Fixture.activity(), learner: learner,
                                            layoutName: layoutName, creationDate: Fixture.fixedDate).page
            let placed = try #require(page.text("name"))
            #expect(placed.shaped.width <= placed.width + 0.01)
            #expect(placed.shaped.unknownGlyphs == 0)
        }
    }

    @Test func refusesALayoutMadeForAnotherKindOfCertificate() throws {
        do {
            _ = try Fixture.renderer().prepare(activity: Fixture.activity(), learner: Fixture.learner("nurse"),
                                               layoutName: "physician-cme", creationDate: Fixture.fixedDate)
            Issue.record("expected a refusal")
        } catch let error as LayoutError {
            #expect(error.learnerID == "L-2018-000102")
            #expect(error.message == "is a physician-cme layout, but this learner's certificate is nursing; choose a nursing layout")
        }
    }

    // MARK: Layout files

    static func layout(_ blocks: String, page: String = "size: a4") throws -> LayoutSpec {
        let yaml = "page:\n  \(page)\nblocks:\n" + blocks
        return try LayoutSpec.read(try Fixture.file("test-layout.yaml", yaml), fonts: Fixture.fonts)
    }

    static func lay(_ spec: LayoutSpec, name: String = "Ada Lovelace") throws -> PageFrame {
        let engine = try TextEngine(fonts: Fixture.fonts)
        return try Layouter(engine: engine).layout(spec, values: ["learner": ["name": name]])
    }

    @Test func readsPageSizeAndOrientation() throws {
        let block = "  - id: a\n    text: x\n    top: 100\n"
        #expect(try Self.layout(block).pageWidth == 595.276)
        let landscape = try Self.layout(block, page: "size: letter\n  orientation: landscape")
        #expect((landscape.pageWidth, landscape.pageHeight) == (792, 612))
    }

    @Test func refusesTextThatCannotFitEvenAtTheMinimumSize() throws {
        let spec = try Self.layout("  - id: name\n    text: \"{{learner.name}}\"\n    top: 100\n    width: 40\n    minSize: 10\n    maxLines: 1\n    style: { size: 20 }\n")
        #expect(throws: LayoutError.self) { try Self.lay(spec) }
        do { _ = try Self.lay(spec) } catch let error as LayoutError {
            #expect(error.block == "name")
            #expect(error.message.hasPrefix("the text does not fit in 1 line of 40 pt wide, even at 10.0 pt"))
        }
    }

    @Test func findsTheLargestSizeThatFitsInQuarterPoints() throws {
        let spec = try Self.layout("  - id: name\n    text: \"{{learner.name}}\"\n    top: 100\n    width: 80\n    minSize: 6\n    maxLines: 1\n    style: { size: 40 }\n")
        let name = try #require(Self.lay(spec).text("name"))
        #expect(name.shaped.width <= 80)
        #expect(name.shaped.fontSize < 40)
        // A quarter point larger would not fit on one line of 80 pt.
        let engine = try TextEngine(fonts: Fixture.fonts)
        let larger = engine.shape(try engine.parse(markup: "Ada Lovelace"), style: spec.blocks[0].style,
                                  size: name.shaped.fontSize + 0.25, width: 80)
        #expect(larger.width > 80 || larger.lineCount > 1)
    }

    @Test func refusesBlocksThatRunIntoEachOther() throws {
        let spec = try Self.layout("""
              - id: first
                text: "{{learner.name}}"
                top: 100
                style: { size: 30 }
              - id: second
                text: "Second"
                top: 110
            """ + "\n")
        do { _ = try Self.lay(spec); Issue.record("expected a refusal") } catch let error as LayoutError {
            #expect(error.block == "first")
            #expect(error.message.hasPrefix("runs into block 'second'"))
        }
    }

    @Test func refusesATemplateNameThatIsNotACertificateValue() throws {
        let spec = try Self.layout("  - id: a\n    text: \"{{learner.nmae}}\"\n    top: 100\n")
        do { _ = try Self.lay(spec); Issue.record("expected a refusal") } catch let error as LayoutError {
            #expect(error.message == "refers to {{learner.nmae}}, which is not a certificate value")
        }
    }

    @Test(arguments: [
        ("  - id: a\n    text: x\n    top: 1\n    style: { family: Comic Sans }\n", "blocks[0].style.family", "no font is called 'Comic Sans'"),
        ("  - id: a\n    text: x\n", "blocks[0]", "has no position"),
        ("  - id: a\n    text: x\n    below: b\n", "blocks[0].below", "there is no earlier block 'b'"),
        ("  - id: a\n    text: \"{{#x}}\"\n    top: 1\n", "blocks[0].text", "template syntax error"),
        ("  - id: a\n    text: x\n    top: 1\n    style: { color: blue }\n", "blocks[0].style.color", "'blue' is not a known value"),
    ])
    func refusesBadLayoutFiles(blocks: String, field: String, message: String) throws {
        do { _ = try Self.layout(blocks); Issue.record("expected a refusal") } catch let error as InputError {
            #expect(error.problems.first?.field == field)
            #expect(error.problems.first?.message.hasPrefix(message) == true, "\(error)")
        }
    }

    @Test func reusesABlocksMarkupOnlyForTheSameValues() throws {
        let spec = try Self.layout("""
              - id: name
                text: "{{learner.name}}"
                top: 100
              - id: titled
                text: "{{#learner.title}}{{learner.title}} {{/learner.title}}{{learner.name}}"
                top: 200
              - id: delimiters
                text: "{{=<% %>=}}<% learner.name %>"
                top: 300
              - id: list
                text: "{{#learner.claims}}{{learner.name}} {{/learner.claims}}"
                top: 400
            """ + "\n")
        let learners: [[String: Any]] = [
            ["name": "Ada", "title": NSNull(), "claims": [["phrase": "one"]]],
            ["name": "Ada", "title": "Dr", "claims": [["phrase": "two"]]],
            ["name": "Dr Ada", "title": NSNull(), "claims": [["phrase": "one"]]],
            ["name": "Ada", "title": "Dr", "claims": [["phrase": "three"], ["phrase": "four"]]],
            ["name": "2:Dr3:Ada", "title": NSNull(), "claims": [[String: Any]]()],
            ["name": "Ada", "title": NSNull(), "claims": [["phrase": "one"]]],
        ]
        let engine = try TextEngine(fonts: Fixture.fonts)
        let shared = Layouter(engine: engine)
        for learner in learners {
            let values: [String: Any] = ["learner": learner]
            let page = try shared.layout(spec, values: values)
            for block in spec.blocks {
                let expected = block.template.render(values).trimmed
                let markup = page.text(block.id)?.shaped.cacheKey?.split(separator: "\u{0}", omittingEmptySubsequences: false).last
                #expect(markup.map(String.init) == expected, "block \(block.id), learner \(learner["name"]!)")
            }
        }
    }

    @Test func memoisesOnlyTemplatesWhoseNamesItCanSee() {
        #expect(TemplateNames.renderPaths(in: "{{#a.b}}{{{a.b}}} x{{/a.b}}{{c}}") == [["a", "b"], ["a", "b"], ["c"]])
        #expect(TemplateNames.renderPaths(in: "plain text") == [])
        for text in ["{{=<% %>=}}<% a %>", "{{> partial}}", "{{#list}}{{.}}{{/list}}", "{{uppercased(a)}}", "{{ a }} {{"] {
            #expect(TemplateNames.renderPaths(in: text) == nil, "\(text)")
        }
        let paths = [["a"], ["b"]]
        let one = TemplateNames.renderKey(paths: paths, in: ["a": "x:", "b": "y"])
        let two = TemplateNames.renderKey(paths: paths, in: ["a": "x", "b": ":y"])
        #expect(one != nil && one != two)
        #expect(TemplateNames.renderKey(paths: paths, in: ["a": NSNull(), "b": ""]) != TemplateNames.renderKey(paths: paths, in: ["a": "", "b": ""]))
        #expect(TemplateNames.renderKey(paths: paths, in: ["a": [1, 2], "b": "y"]) == nil)
        #expect(TemplateNames.renderKey(paths: paths, in: ["a": "x"]) == nil)
    }

    @Test func refusesMarkupThatDoesNotParse() throws {
        let spec = try Self.layout("  - id: a\n    text: \"<i>open\"\n    top: 100\n")
        #expect(throws: LayoutError.self) { try Self.lay(spec) }
    }

    @Test func fontconfigsDefaultConfigurationIsThePrivateOneSoPangoLoadsNoSystemConfiguration() throws {
        let fonts = try FontLibrary(directory: Fixture.resources.fonts, cacheDirectory: nil)
        #expect(FcConfigGetCurrent() == fonts.config)
    }

    @Test func recentFontsAreRememberedPerFontFolderMostRecentFirst() throws {
        let cache = try Fixture.temporaryFolder()
        let regular = FontKey(description: "Noto Serif 11")
        let bold = FontKey(description: "Noto Serif Bold 28")
        let italic = FontKey(description: "Noto Serif Italic 9.5")
        #expect(RecentFonts.read(in: cache, folder: "/a").isEmpty)
        RecentFonts.remember([regular, bold], in: cache, folder: "/a")
        RecentFonts.remember([italic], in: cache, folder: "/b")
        RecentFonts.remember([bold, italic], in: cache, folder: "/a")
        #expect(RecentFonts.read(in: cache, folder: "/a") == [bold, italic, regular])
        #expect(RecentFonts.read(in: cache, folder: "/b") == [italic])

        let many = (0..<40).map { FontKey(description: "Noto Serif \(6 + Double($0) / 4)") }
        RecentFonts.remember(many, in: cache, folder: "/a")
        #expect(RecentFonts.read(in: cache, folder: "/a") == Array(many.prefix(RecentFonts.limit)))

        // A damaged list is a hint lost, not an error.
        let file = RecentFonts.file(in: cache)
        try Data("/a\tNoto Serif\t400\t0\t11\n/a\t\n/a\tNoto Serif Bold Italic 12\n\u{FF}".utf8).write(to: file)
        #expect(RecentFonts.read(in: cache, folder: "/a") == [FontKey(description: "Noto Serif Bold Italic 12")])
    }

    @Test func warmingUpFontsChangesNoMeasurementAndTheFontsOfEveryRunAreNoted() throws {
        var style = TextStyle()
        style.size = 13
        let markup = "Certificate of <i>Continuing</i> Medical <b>Education</b> — Nguyễn Thị Minh Khai, 王小明"
        let cold = try TextEngine(fonts: Fixture.fonts), warm = try TextEngine(fonts: Fixture.fonts)
        let a = cold.shape(try cold.parse(markup: markup), style: style, size: style.size, width: 200)
        let fonts = cold.fontsUsed.map(\.description)
        #expect(fonts.contains("Noto Serif 13") && fonts.contains("Noto Serif Italic 13") && fonts.contains("Noto Serif Bold 13"))
        #expect(fonts.contains { $0.hasPrefix("Noto Serif CJK") }, "the fallback font for the Chinese name: \(fonts)")
        // Warming up yields to other tests setting text meanwhile: try until all are loaded.
        var loaded = 0
        for _ in 0..<10_000 where loaded < fonts.count {
            loaded += warm.warmUp(Array(cold.fontsUsed[loaded...]))
            if loaded < fonts.count { usleep(100) }
        }
        #expect(loaded == fonts.count)
        #expect(warm.fontsUsed.isEmpty, "warming is not use")
        let b = warm.shape(try warm.parse(markup: markup), style: style, size: style.size, width: 200)
        #expect((a.width, a.height, a.lineCount, a.inkLeft) == (b.width, b.height, b.lineCount, b.inkLeft))
        // Sizes tried while shrinking a paragraph to fit are not noted.
        _ = warm.shape(try warm.parse(markup: "Ada"), style: style, size: 9.25, width: 200)
        #expect(!warm.fontsUsed.contains { $0.description.hasSuffix(" 9.25") })
    }

    @Test func warmingUpStopsWhenAnotherThreadWantsTheFontLock() throws {
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        Thread {
            FontAccess.serialized {
                holding.signal()
                release.wait()
            }
        }.start()
        holding.wait()
        #expect(!FontAccess.ifUnwanted {})
        release.signal()
        // Once the lock is free (other tests may take it meanwhile), it runs.
        var ran = false
        for _ in 0..<10_000 where !ran {
            ran = FontAccess.ifUnwanted {}
            if !ran { usleep(100) }
        }
        #expect(ran)
    }
}

import CreditRecords
import Foundation
import Testing

/// Rosters as spreadsheets save them: Windows-1252 from Excel's "CSV" on Windows, UTF-16
/// from its "Unicode Text", UTF-8 with a byte-order mark; never garbled silently.
struct RosterEncodingTests {
    typealias CLI = CommandLineTests

    /// The ASCO example's first row, for learners with accented names.
    static func roster(_ names: [(first: String, last: String)]) throws -> [[String]] {
        let text = try String(contentsOf: Fixture.root.appendingPathComponent("Examples/asco-2018/roster.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        // Row 1 of the example, whose professional name holds a comma inside quotes, is rebuilt here.
        var rows = [header]
        for (index, name) in names.enumerated() {
            var row = [String](repeating: "", count: header.count)
            func set(_ column: String, _ value: String) { row[header.firstIndex(of: column)!] = value }
            set("id", "W-\(index + 1)"); set("first_name", name.first); set("last_name", name.last)
            set("professional_name", "\(name.first) \(name.last) MD"); set("degrees", "MD"); set("profession", "physician")
            set("completion_date", "2018-06-05"); set("ama_pra_category_1", "20")
            rows.append(row)
        }
        return rows
    }

    static let names = [(first: "José", last: "Muñoz"), (first: "Amélie", last: "Lefèvre"), (first: "Zoë", last: "Brontë")]

    /// Fields are trimmed and composed (NFC) as Foundation would, most without asking it.
    @Test func fieldsAreTrimmedAndComposedAsFoundationWould() {
        var texts = ["  José Muñoz ", "Jose\u{301} Mun\u{303}oz", "\u{2003}Zoë\u{3000}", "\u{85}Ana\u{A0}", "Nguyễn Văn An",
                     "Nguye\u{302}\u{303}n", "محمد عبد الله", "张伟", "\u{1100}\u{1161}\u{11A8}", "Å\u{212B}", "\u{301}x", "\t\n ", "",
                     "A\u{30A}ngstro\u{308}m", "ǅ ǈ Ǆ", "\u{2000}\u{2001}x"]
        // Every scalar below U+0300, one at a time, between letters and at either end.
        for value in 0..<0x300 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            texts.append("a\(Character(scalar))b")
            texts.append("\(Character(scalar))x\(Character(scalar))")
        }
        for text in texts {
            let foundation = text.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
            #expect(Array(FieldMapping.normalised(text).unicodeScalars) == Array(foundation.unicodeScalars), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    static func batch(_ roster: URL, in folder: URL, _ extra: [String] = []) throws -> CLI.Run {
        try CLI.run(["batch", "--activity", "Examples/asco-2018/activity.yaml", "--roster", roster.path,
                     "--out", folder.appendingPathComponent("out").path, "--no-merged", "--jobs", "1",
                     "--creation-date", "2018-06-06T12:00:00Z"] + extra,
                    environment: ["CREDITPRESS_ID_KEY": Fixture.idKeyFile.path])
    }

    static func printedNames(_ folder: URL) throws -> [String] {
        let files = try FileManager.default.contentsOfDirectory(at: folder.appendingPathComponent("out/certificates"), includingPropertiesForKeys: nil)
        return try files.filter { $0.pathExtension == "pdf" }.map { try runTool("pdftotext", [$0.path, "-"]) }
            .compactMap { text in names.first { text.contains("\($0.first) \($0.last) MD") }.map { "\($0.first) \($0.last)" } }.sorted()
    }

    @Test func aWindows1252RosterIsIssuedWithItsAccentsAndSaidSo() throws {
        let folder = try Fixture.temporaryFolder()
        let text = try Self.roster(Self.names).map { $0.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        let roster = folder.appendingPathComponent("roster.csv")
        try Data(text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }).write(to: roster)  // all in Latin-1: Windows-1252's bytes
        let run = try Self.batch(roster, in: folder)
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("3 issued"))
        #expect(run.errors.contains("warning: \(roster.path) is not UTF-8 text (byte 0xE9 on line 2), so it was read as Windows-1252"), "\(run.errors)")
        #expect(try Self.printedNames(folder) == ["Amélie Lefèvre", "José Muñoz", "Zoë Brontë"])
        // Told it is UTF-8, the roster is refused whole, naming the byte, its line and the option: nothing garbled.
        let strict = try Fixture.temporaryFolder()
        let refused = try Self.batch(roster, in: strict, ["--encoding", "utf-8"])
        #expect(refused.status == 65)
        #expect(refused.errors.contains("is not UTF-8 text (byte 0xE9 on line 2), so no row of it was read"), "\(refused.errors)")
        #expect(refused.errors.contains("--encoding windows-1252"))
        #expect(!FileManager.default.fileExists(atPath: strict.appendingPathComponent("out/certificates").path))
    }

    @Test func excelsUnicodeTextAndUTF8WithAMarkAreReadAsTheyAre() throws {
        let rows = try Self.roster(Self.names)
        // UTF-16 little-endian with its mark, tab-delimited: Excel's "Unicode Text".
        let utf16 = try Fixture.temporaryFolder()
        let tabbed = rows.map { $0.joined(separator: "\t") }.joined(separator: "\r\n") + "\r\n"
        let file16 = utf16.appendingPathComponent("roster.txt")
        try (Data([0xFF, 0xFE]) + tabbed.data(using: .utf16LittleEndian)!).write(to: file16)
        let run16 = try Self.batch(file16, in: utf16)
        #expect(run16.status == 0, "\(run16.errors)")
        #expect(Self.encodingWarnings(run16.errors).isEmpty)
        #expect(try Self.printedNames(utf16).count == 3)
        // UTF-8 with a byte-order mark: no warning, the same names.
        let utf8 = try Fixture.temporaryFolder()
        let file8 = utf8.appendingPathComponent("roster.csv")
        try (Data([0xEF, 0xBB, 0xBF]) + Data((rows.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n").utf8)).write(to: file8)
        let run8 = try Self.batch(file8, in: utf8)
        #expect(run8.status == 0, "\(run8.errors)")
        #expect(Self.encodingWarnings(run8.errors).isEmpty)
        #expect(try Self.printedNames(utf8) == ["Amélie Lefèvre", "José Muñoz", "Zoë Brontë"])
    }

    /// A sequence split by the check's chunks is still UTF-8; a bad byte is found on its line.
    @Test func theCheckReadsAcrossChunks() {
        var check = UTF8Check()
        let bytes = Array("a\nb\nMuñoz €".utf8)
        for split in 1..<bytes.count {
            check = UTF8Check()
            let first = check.feed(Data(bytes[..<split])), second = check.feed(Data(bytes[split...])), end = check.finish()
            #expect(first && second && end, "split at \(split)")
        }
        check = UTF8Check()
        let bad = check.feed(Data(Array("id\nx\nMu".utf8) + [0xF1] + Array("oz\n".utf8)))
        #expect(!bad)
        #expect(check.line == 3 && check.badByte == 0xF1)
        var cut = UTF8Check()
        let fed = cut.feed(Data([0x61, 0xC3])), ended = cut.finish()
        #expect(fed && !ended, "a file ending inside a sequence")
    }

    /// The run's warnings but the one every batch without a registry gives.
    static func encodingWarnings(_ errors: String) -> [Substring] {
        errors.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("warning:") && !$0.contains("no registry") }
    }
}

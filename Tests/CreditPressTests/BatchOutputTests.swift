import CSV
import CreditIssuing
import CreditRecords
import Foundation
import Testing

/// The batch's reports as a coordinator opens them in a spreadsheet: who each row is, a
/// number per credit, her own separator, the rows she sees, a summary and an archive.
struct BatchOutputTests {
    typealias CLI = CommandLineTests

    static func batch(_ roster: String, name: String = "roster.csv", _ extra: [String] = []) throws -> (URL, CLI.Run) {
        let folder = try Fixture.temporaryFolder()
        let file = try Fixture.file(name, roster, in: folder)
        let run = try CLI.run(["batch", "--activity", "Examples/asco-2018/activity.yaml", "--roster", file.path,
                               "--out", folder.appendingPathComponent("out").path, "--no-merged", "--jobs", "1",
                               "--creation-date", "2018-06-06T12:00:00Z"] + extra,
                              environment: ["CREDITPRESS_ID_KEY": Fixture.idKeyFile.path])
        return (folder.appendingPathComponent("out"), run)
    }

    @Test func theManifestAndRejectsNameEachPersonWithNumbersPerCreditAndSpreadsheetRows() throws {
        let (out, run) = try Self.batch(try String(contentsOf: Fixture.root.appendingPathComponent("Examples/asco-2018/roster.csv"), encoding: .utf8)
            + "L-BAD,Zoë,,Brontë,\"Zoë Brontë, MD\",MD,physician,zoe@example.org,2018-06-05,99,,,,,\n", ["--zip", "--file-names", "name"])
        #expect(run.status == 2, "one row refused")
        let bytes = try Data(contentsOf: out.appendingPathComponent("manifest.csv"))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "a byte-order mark, so that Excel reads UTF-8")
        let manifest = try ReportingTests.csv(out.appendingPathComponent("manifest.csv"))
        #expect(manifest.first == ["row", "learner_id", "name", "email", "certificate_id", "kind", "ama_pra_category_1", "ancc", "acpe",
                                   "participation", "credits", "file", "sha256"])
        let sarah = try #require(manifest.first { $0[1] == "L-2018-000101" })
        #expect(sarah[0] == "2", "the row Excel shows: the header is row 1")
        #expect(sarah[2] == "Sarah A. Whitfield, MD" && sarah[3] == "s.whitfield@example.org")
        #expect(sarah[6] == "24.5" && sarah[7] == "" && sarah[10] == "24.5 ama-pra-category-1")
        let rejects = try ReportingTests.csv(out.appendingPathComponent("rejects.csv"))
        let zoe = try #require(rejects.first { $0[1] == "L-BAD" })
        #expect(zoe[0] == "13" && zoe[2] == "Zoë Brontë, MD" && zoe[3] == "zoe@example.org" && zoe[4] == "ama_pra_category_1")
        // The summary: certificates per kind, and per credit the count and the total.
        let summary = try ReportingTests.csv(out.appendingPathComponent("summary.csv"))
        #expect(summary.contains(["issued", "11", ""]) && summary.contains(["refused rows", "1", ""]))
        #expect(summary.contains(["kind physician-cme", "6", ""]))
        #expect(summary.contains(["credit ama-pra-category-1", "6", "116"]) && summary.contains(["credit acpe", "2", "31.75"]))
        #expect(run.output.contains("ama-pra-category-1: 116 in total, on 6 certificates"))
        // The archive, by learner name made safe, and the same bytes as the certificates.
        let list = try runTool("unzip", ["-Z1", out.appendingPathComponent("certificates.zip").path])
        let names = list.split(separator: "\n").map(String.init)
        #expect(names.count == 11)
        #expect(names.contains("Sarah A. Whitfield, MD (\(sarah[4])).pdf"))
        #expect(names.allSatisfy { !$0.contains("/") && $0.hasSuffix(").pdf") })
        let extracted = try runTool("unzip", ["-p", out.appendingPathComponent("certificates.zip").path, "Sarah A. Whitfield, MD (\(sarah[4])).pdf"])
        #expect(extracted.utf8.count > 0)
    }

    /// A name a spreadsheet would run as a formula is printed as given but reported as text.
    @Test func aFormulaInARosterIsReportedAsTextNotRunByTheSpreadsheet() throws {
        let roster = "id,first_name,last_name,professional_name,degrees,profession,completion_date,ama_pra_category_1\n"
            + "F-1,Ada,Lovelace,\"=HYPERLINK(\"\"http://example.org\"\"), MD\",MD,physician,2018-06-05,2\n"
            + "F-2,Bo,Li,@SUM(1+1),MD,physician,2018-06-05,99\n"
        let (out, run) = try Self.batch(roster)
        #expect(run.status == 2, "\(run.errors)")
        let manifest = try ReportingTests.csv(out.appendingPathComponent("manifest.csv"))
        #expect(manifest.contains { $0[1] == "F-1" && $0[2] == "'=HYPERLINK(\"http://example.org\"), MD" }, "\(manifest)")
        let rejects = try ReportingTests.csv(out.appendingPathComponent("rejects.csv"))
        #expect(rejects.contains { $0[1] == "F-2" && $0[2] == "'@SUM(1+1)" }, "\(rejects)")
        // Numbers, negative ones included, stay numbers.
        #expect(CSVFile.neutralised("-1.5") == "-1.5" && CSVFile.neutralised("-x") == "'-x" && CSVFile.neutralised("+1") == "'+1")
    }

    /// The reports' rows are written by bytes: quoted exactly as CSV.swift's writer quotes them.
    @Test(arguments: [",", ";", "\t", "§"] as [Unicode.Scalar])
    func writesRowsAsTheCSVLibraryWouldQuoteThem(delimiter: Unicode.Scalar) throws {
        let rows = [
            ["plain", "", "with, comma", "with; semicolon", "tab\there", "say \"hi\"", "\"", "two\nlines", "cr\rlf", "crlf\r\nend"],
            ["José Muñoz", "محمد", "张伟", "Nguyễn Văn An", "a§b", "'=quoted", "-1.5", "e\u{301}\"", " spaced "],
        ]
        func library(_ rows: [[String]]) throws -> Data {
            let stream = OutputStream.toMemory()
            stream.open()
            let writer = try CSVWriter(stream: stream, delimiter: String(delimiter))
            for row in rows { try writer.write(row: row.map(CSVFile.neutralised)) }
            stream.close()
            return try #require(stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data) + Data([0x0A])
        }
        let url = try Fixture.temporaryFolder().appendingPathComponent("rows.csv")
        let file = try CSVFile(url: url, delimiter: delimiter)
        for row in rows { try file.write(row: row) }
        try file.close()
        #expect(try Data(contentsOf: url) == library(rows))
        for row in rows { #expect(try CSVFile.line(row, delimiter: delimiter) == library([row])) }
    }

    @Test func aSemicolonRosterGetsSemicolonReportsWithDecimalCommas() throws {
        let roster = "id;first_name;last_name;professional_name;degrees;profession;completion_date;ama_pra_category_1\n"
            + "S-1;Jürgen;Müller;Dr. med. Jürgen Müller;MD;physician;2018-06-05;24,5\n"
        let (out, run) = try Self.batch(roster)
        #expect(run.status == 0, "\(run.errors)")
        let text = try String(contentsOf: out.appendingPathComponent("manifest.csv"), encoding: .utf8)
        #expect(text.contains(";Dr. med. Jürgen Müller;;") && text.contains(";24,5;"), "\(text)")
        #expect(try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8).contains("credit ama-pra-category-1;1;24,5"))
    }

    @Test(arguments: [("Sarah A. Whitfield, MD", "Sarah A. Whitfield, MD (ID).pdf"), ("a/b\\c:d*e?f\"g<h>i|j", "a b c d e f g h i j (ID).pdf"),
                      ("...", "ID.pdf"), ("محمد عبد الله", "محمد عبد الله (ID).pdf")])
    func fileNamesAreSafe(name: String, file: String) {
        #expect(SafeFileName.make(name, id: "ID") == file)
    }
}

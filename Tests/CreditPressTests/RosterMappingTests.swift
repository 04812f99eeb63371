import CreditRecords
import Foundation
import Testing

/// The files staff have: an LMS's attendance export with its own column names and columns,
/// US dates, no id, no printed name, no profession column.
struct RosterMappingTests {
    typealias CLI = CommandLineTests

    static let export = "First Name,Last Name,Email,Credits,Department,Completion Date,Degrees\r\n"
        + "Sarah,Whitfield,S.Whitfield@Example.org,24.5,Oncology,06/05/2018,MD\r\n"
        + "José,Muñoz,jmunoz@example.org,20,Cardiology,06/04/2018,\"DO, FACC\"\r\n"
        + "Aiko,Tanaka,atanaka@example.org,18,Nursing,6/3/2018,\"RN, BSN\"\r\n"

    static func batch(_ files: [String: String], _ extra: [String], activity: String = "Examples/asco-2018/activity.yaml") throws -> (URL, CLI.Run) {
        let folder = try Fixture.temporaryFolder()
        for (name, text) in files { _ = try Fixture.file(name, text, in: folder) }
        let run = try CLI.run(["batch", "--activity", activity, "--roster", folder.appendingPathComponent("lms.csv").path,
                               "--out", folder.appendingPathComponent("out").path, "--no-merged", "--jobs", "1",
                               "--creation-date", "2018-06-06T12:00:00Z"] + extra.map { $0.replacingOccurrences(of: "FOLDER", with: folder.path) },
                              environment: ["CREDITPRESS_ID_KEY": Fixture.idKeyFile.path])
        return (folder, run)
    }

    @Test func anLMSExportIsIssuedThroughAMappingFile() throws {
        let mapping = "columns:\n  Credits: ama_pra_category_1\n  Department: ignore\ndateFormat: MM/DD/YYYY\n"
        // The nurse's 18 "Credits" are AMA credit too, which a nurse cannot claim: refused by the rules, by row.
        let (folder, run) = try Self.batch(["lms.csv": Self.export, "map.yaml": mapping], ["--columns", "FOLDER/map.yaml"])
        #expect(run.status == 2, "\(run.errors)")
        #expect(run.output.contains("2 issued"), "\(run.output)")
        #expect(run.errors.contains("there is no id column, so each learner's email is their id"))
        #expect(run.errors.contains("the printed name is composed: first, middle, last, then the degrees after a comma"))
        #expect(run.errors.contains("each learner's profession is told from their degrees"))
        #expect(!run.errors.contains("Department"), "mapped to ignore: nothing to say")
        let manifest = try String(contentsOf: folder.appendingPathComponent("out/manifest.csv"), encoding: .utf8)
        #expect(manifest.contains(",s.whitfield@example.org,") && manifest.contains(",jmunoz@example.org,"))
        let texts = try FileManager.default.contentsOfDirectory(at: folder.appendingPathComponent("out/certificates"), includingPropertiesForKeys: nil)
            .map { try runTool("pdftotext", [$0.path, "-"]).folded }
        #expect(texts.contains { $0.contains("Sarah Whitfield, MD") && $0.contains("24.5") && $0.contains("June 5, 2018") })
        #expect(texts.contains { $0.contains("José Muñoz, DO, FACC") && $0.contains("20") })
        let rejects = try String(contentsOf: folder.appendingPathComponent("out/rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("4,atanaka@example.org,"), "the spreadsheet's row 4: \(rejects)")
    }

    @Test func usDatesWithoutTheirFormatAreRefusedSayingHowToNameIt() throws {
        let (folder, run) = try Self.batch(["lms.csv": Self.export.replacingOccurrences(of: "Credits", with: "AMA Credits"),
                                            "map.yaml": "values:\n  profession: physician\n"], ["--columns", "FOLDER/map.yaml"])
        #expect(run.status == 2)
        let rejects = try String(contentsOf: folder.appendingPathComponent("out/rejects.csv"), encoding: .utf8)
        #expect(rejects.contains("'06/05/2018' looks like MM/DD/YYYY or DD/MM/YYYY: give --date-format MM/DD/YYYY (or DD/MM/YYYY) for the whole column"), "\(rejects)")
        // Named on the command line, the column reads; `values` gave every row its profession.
        let (_, fixed) = try Self.batch(["lms.csv": Self.export.replacingOccurrences(of: "Credits", with: "AMA Credits"),
                                         "map.yaml": "values:\n  profession: physician\n"], ["--columns", "FOLDER/map.yaml", "--date-format", "MM/DD/YYYY"])
        #expect(fixed.output.contains("3 issued"), "\(fixed.errors)")
        #expect(fixed.errors.contains("read the columns AMA Credits as ama_pra_category_1"))
    }

    @Test func aBrokenWorkbookIsRefusedSayingHowToSaveIt() throws {
        let folder = try Fixture.temporaryFolder()
        let workbook = folder.appendingPathComponent("lms.csv")
        try Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00] + Array("[Content_Types].xml".utf8)).write(to: workbook)
        let run = try CLI.run(["batch", "--activity", "Examples/asco-2018/activity.yaml", "--roster", workbook.path,
                               "--out", folder.appendingPathComponent("out").path], environment: ["CREDITPRESS_ID_KEY": Fixture.idKeyFile.path])
        #expect(run.status == 65)
        #expect(run.errors.contains("cannot be opened as an Excel workbook — in Excel choose File › Save As › \"CSV UTF-8 (Comma delimited)\""), "\(run.errors)")
    }

    /// A workbook whose entry points past the end of the archive (found by the fuzzer: the
    /// in-memory ZIP reader trapped on it) is refused like any broken workbook.
    @Test func aTruncatedWorkbookIsRefusedNotACrash() throws {
        let bytes = try Data(contentsOf: Fixture.root.appendingPathComponent("Tests/Fuzz/corpus/roster/zip-entry-past-end.bin"))
        #expect { try RosterReader(data: bytes, displayName: "lms.xlsx") } throws: { error in
            "\(error)".contains("lms.xlsx") && "\(error)".contains("CSV UTF-8")
        }
    }

    /// An LMS export saved by Excel (written here by openpyxl): its first sheet is read with
    /// dates from date cells, numbers as Excel shows them and Excel's row numbers.
    @Test func anExcelWorkbookIsReadThroughTheSameMapping() throws {
        let folder = try Fixture.temporaryFolder()
        let workbook = folder.appendingPathComponent("lms.xlsx")
        _ = try runTool("python3", ["-c", """
            import datetime, openpyxl, sys
            wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Attendance"
            ws.append(["First Name", "Last Name", "Email", "Credits", "Department", "Completion Date", "Degree"])
            ws.append(["José", "Muñoz", "jose.munoz@example.org", 24.5, "Oncology", datetime.date(2018, 6, 5), "MD"])
            ws.append(["Hélène", "Lefèvre", "h.lefevre@example.org", 12, "Cardiology", datetime.date(2018, 6, 4), "MD"])
            ws.append([])
            ws.append(["Nguyễn", "Thị Minh Khai", "khai@example.org", 0.1 + 0.2 + 38, "Oncology", datetime.date(2018, 6, 3), "DO"])
            for row in (2, 3, 5): ws.cell(row=row, column=6).number_format = "mm/dd/yyyy"
            wb.save(sys.argv[1])
            """, workbook.path])
        let columns = try Fixture.file("columns.yaml", """
            columns:
              Credits: ama_pra_category_1
              Department: ignore
              Degree: degrees
              Completion Date: completion_date
            values:
              profession: physician
            """, in: folder)
        let out = folder.appendingPathComponent("out")
        let run = try CLI.run(["batch", "--activity", "Examples/asco-2018/activity.yaml", "--roster", workbook.path,
                               "--columns", columns.path, "--out", out.path], environment: ["CREDITPRESS_ID_KEY": Fixture.idKeyFile.path])
        #expect(run.status == 2, "\(run.errors)")
        #expect(run.errors.contains("its first sheet, 'Attendance', was read"))
        let manifest = try ReportingTests.csv(out.appendingPathComponent("manifest.csv"))
        #expect(manifest.count == 3)
        #expect(manifest[1][0] == "2" && manifest[1][2] == "José Muñoz, MD" && manifest[1][6] == "24.5")
        #expect(manifest[2][0] == "3" && manifest[2][2] == "Hélène Lefèvre, MD" && manifest[2][6] == "12")
        let text = try runTool("pdftotext", [out.appendingPathComponent(manifest[1][11]).path, "-"])
        #expect(text.contains("José Muñoz, MD") && text.contains("June 5, 2018"))
        // 38.300000000000004 in the cell is 38.3 as Excel shows it; the empty row 4 keeps row 5 its number.
        let rejects = try ReportingTests.csv(out.appendingPathComponent("rejects.csv"))
        #expect(rejects.count == 2)
        #expect(rejects[1][0] == "5" && rejects[1][5].contains("38.3 is not in steps of 0.25"))
    }

    @Test(arguments: [("nurse practitioner", Profession.nurse), ("NP", .nurse), ("PA-C", .physicianAssistant), ("PharmD", .pharmacist),
                      ("DO", .physician), ("CPhT", .pharmacyTechnician), ("Physician Assistant", .physicianAssistant), ("pharmacy-technician", .pharmacyTechnician)])
    func professionsAreUnderstoodByTheWordsPeopleUse(text: String, profession: Profession) {
        #expect(Profession.named(text) == profession)
    }

    @Test(arguments: [
        ("2018-06-05", RosterMapping.DateFormat.iso, "2018-06-05"), ("2018-06-05", .us, "2018-06-05"),
        ("06/05/2018", .us, "2018-06-05"), ("6/5/2018", .us, "2018-06-05"), ("06.05.2018", .eu, "2018-05-06"),
        ("5-6-2018", .eu, "2018-06-05"), ("31/12/2018", .eu, "2018-12-31"),
        ("06/05/2018", .iso, nil), ("13/05/2018", .us, nil), ("05/32/2018", .us, nil), ("006/05/2018", .us, nil),
        ("06/05/18", .us, nil), ("06/05/2018 ", .us, nil), ("06//2018", .us, nil), ("2018-6-05", .iso, nil),
        ("2018-06-0٥", .iso, nil), ("٠٦/05/2018", .us, nil), ("", .us, nil), ("06/05/2018/1", .us, nil),
    ] as [(String, RosterMapping.DateFormat, String?)])
    func aDateIsReadInItsColumnsFormatOrNotAtAll(text: String, format: RosterMapping.DateFormat, expected: String?) {
        #expect(format.iso(text) == expected)
    }

    @Test func aMappingFileIsCheckedLikeAnyInput() throws {
        let folder = try Fixture.temporaryFolder()
        let file = try Fixture.file("map.yaml", "columns:\n  Credits: ama_credit\nvalues:\n  id: X\ndateFormat: 14/10/2026\nextra: 1\n", in: folder)
        do { _ = try RosterMapping.read(file, displayName: "map.yaml"); Issue.record("expected a refusal") } catch {
            let text = error.problems.map(\.description).joined(separator: "\n")
            #expect(text.contains("maps 'Credits' to 'ama_credit', which is not a roster column"))
            #expect(text.contains("'id' is not a roster column that every row may share"))
            #expect(text.contains("'14/10/2026' is not a date format"))
            #expect(text.contains("extra"))
        }
    }
}

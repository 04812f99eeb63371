import CreditRecords
import Foundation
import Testing

/// ACCME PARS learner completions from the registry's records, through the command line,
/// read back column by column.
struct PARSExportTests {
    typealias CLI = CommandLineTests

    /// The QOPI 2022 example learners issued into a fresh registry on November 15, 2022.
    static func issued() throws -> (folder: URL, environment: [String: String], ids: [String: String]) {
        let folder = try Fixture.temporaryFolder()
        let environment = ["CREDITPRESS_REGISTRY": folder.appendingPathComponent("registry.sqlite").path,
                           "CREDITPRESS_ID_KEY": Fixture.idKeyFile.path]
        var ids: [String: String] = [:]
        for learner in ["nurse", "pharmacist", "physician-moc", "practice-manager"] {
            let run = try CLI.run(["certificate", "--activity", "Examples/qopi-2022/activity.yaml",
                                   "--learner", "Examples/qopi-2022/learners/\(learner).yaml",
                                   "--out", folder.appendingPathComponent("\(learner).pdf").path,
                                   "--creation-date", "2022-11-15T12:00:00Z"], environment: environment)
            #expect(run.status == 0, "\(run.errors)")
            ids[learner] = run.output.firstMatch(of: /certificate ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z])/).map { String($0.1) }
        }
        return (folder, environment, ids)
    }

    static func export(_ folder: URL, _ environment: [String: String], name: String, day: String) throws -> (CLI.Run, [[String]]) {
        let out = folder.appendingPathComponent(name)
        let epoch = "\(Int(try #require(ISODate.date("\(day)T17:00:00Z")).timeIntervalSince1970))"
        let run = try CLI.run(["export", "pars", "--activity", "Examples/qopi-2022/activity.yaml", "--out", out.path],
                              environment: environment.merging(["SOURCE_DATE_EPOCH": epoch]) { $1 })
        let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let rows = text.split(separator: "\r\n", omittingEmptySubsequences: true).map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        return (run, rows)
    }

    @Test func oneRecordPerConsentingPhysicianThenOneDeleteAndOneAddAfterACorrection() throws {
        let (folder, environment, ids) = try Self.issued()
        let (first, rows) = try Self.export(folder, environment, name: "pars-1.txt", day: "2022-11-20")
        #expect(first.status == 0, "\(first.errors)")
        // One record: the physician's 20 ABIM Practice Assessment points; none for the nurse,
        // the pharmacist or the practice manager.
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.count == 15, "every field present")
        #expect(row == ["Add", "201234567", "11/10/2022", "Robert", "Castillo", "09/21", "", "", "20", "ABIM", "123456",
                        "20", "Practice Assessment", "20", ""])
        // Asked again: nothing new.
        let (again, _) = try Self.export(folder, environment, name: "pars-again.txt", day: "2022-11-21")
        #expect(again.output.contains("nothing new to report"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("pars-again.txt").path))

        // A corrected name as on the Diplomate record: reissued, then exactly one delete and one add.
        let corrected = try String(contentsOf: Fixture.root.appendingPathComponent("Examples/qopi-2022/learners/physician-moc.yaml"), encoding: .utf8)
            + "boardNames:\n  abim: { first: Roberto, last: Castillo Díaz }\n"
        let learner = try Fixture.file("physician-moc.yaml", corrected, in: folder)
        let reissued = try CLI.run(["reissue", "--id", try #require(ids["physician-moc"]), "--reason", "name as on the ABIM record",
                                    "--activity", "Examples/qopi-2022/activity.yaml", "--learner", learner.path,
                                    "--out", folder.appendingPathComponent("corrected.pdf").path,
                                    "--creation-date", "2022-11-22T12:00:00Z"], environment: environment)
        #expect(reissued.status == 0, "\(reissued.errors)")
        let (second, changes) = try Self.export(folder, environment, name: "pars-2.txt", day: "2022-11-23")
        #expect(second.status == 0, "\(second.errors)")
        #expect(changes.count == 2)
        #expect(changes.first == ["Delete"] + row.dropFirst(), "the deletion repeats what was added")
        #expect(changes.last?.prefix(6) == ["Add", "201234567", "11/10/2022", "Roberto", "Castillo Díaz", "09/21"])
        #expect(second.output.contains("1 additions, 1 deletions"))
    }

    @Test func aClosedReportingYearIsRefusedAndALateRecordSaidSo() throws {
        let (folder, environment, _) = try Self.issued()
        // After ABIM's 30 days: sent, and said to be late.
        let (late, rows) = try Self.export(folder, environment, name: "late.txt", day: "2022-12-20")
        #expect(late.status == 0)
        #expect(rows.count == 1)
        #expect(late.errors.contains("sent late: ABIM wants completions within 30 days, by 2022-12-10; completed 2022-11-10"))
        // A fresh registry exported after March 31, 2023: PARS has closed 2022.
        let (closedFolder, closedEnvironment, _) = try Self.issued()
        let (closed, nothing) = try Self.export(closedFolder, closedEnvironment, name: "closed.txt", day: "2023-04-01")
        #expect(closed.status == 2)
        #expect(nothing.isEmpty)
        #expect(closed.errors.contains("not sent: PARS closed the 2022 reporting year on March 31, 2023 (completed 2022-11-10)"))
    }

    @Test func anActivityWithoutItsACCMEIdIsRefused() throws {
        let folder = try Fixture.temporaryFolder()
        let run = try CLI.run(["export", "pars", "--activity", "Examples/asco-2018/activity.yaml", "--out", folder.appendingPathComponent("x.txt").path],
                              environment: ["CREDITPRESS_REGISTRY": folder.appendingPathComponent("registry.sqlite").path])
        #expect(run.status == 65)
        #expect(run.errors.contains("reporting.accmeActivityID"))
    }
}

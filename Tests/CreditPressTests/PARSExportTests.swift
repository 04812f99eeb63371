import CreditRecords
import CreditRegistry
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

    /// The learner-report document, read by Python's XML parser: the same records as the tab
    /// file, the correction as a delete that repeats the addition, then an add.
    @Test func theLearnerReportDocumentHoldsTheSameRecords() throws {
        let (folder, environment, ids) = try Self.issued()
        let first = try Self.export(folder, environment, name: "pars-1.xml", day: "2022-11-20").0
        #expect(first.status == 0, "\(first.errors)")
        let read = try Self.readXML(folder.appendingPathComponent("pars-1.xml"))
        let reports = try #require(read["reports"] as? [[String: Any]])
        #expect(reports.count == 1)
        let report = try #require(reports.first)
        #expect(report["action"] as? String == "add")
        #expect(report["given"] as? String == "Robert" && report["family"] as? String == "Castillo")
        #expect(report["birth"] as? String == "--09-21")
        #expect(report["provider"] as? String == "0001234" && report["moduleID"] as? String == "201234567")
        #expect(report["title"] as? String == "QOPI Certification Program")
        #expect(report["status"] as? String == "Completed" && report["completed"] as? String == "2022-11-10")
        let credit = try #require((report["credits"] as? [[String: Any]])?.first)
        #expect(credit["boardID"] as? String == "123456" && credit["domain"] as? String == "ABIM")
        #expect(credit["unit"] as? String == "Practice Assessment" && credit["credits"] as? String == "20")
        #expect(credit["creditID"] as? String == "ccid:\(try #require(ids["physician-moc"])):abim:practice-assessment")

        // A name with characters XML must escape, as on the Diplomate record.
        let corrected = try String(contentsOf: Fixture.root.appendingPathComponent("Examples/qopi-2022/learners/physician-moc.yaml"), encoding: .utf8)
            + "boardNames:\n  abim: { first: \"Rob <\\\"Bob\\\">\", last: \"Castillo & Díaz\" }\n"
        let learner = try Fixture.file("physician-moc.yaml", corrected, in: folder)
        let reissued = try CLI.run(["reissue", "--id", try #require(ids["physician-moc"]), "--reason", "name as on the ABIM record",
                                    "--activity", "Examples/qopi-2022/activity.yaml", "--learner", learner.path,
                                    "--out", folder.appendingPathComponent("corrected.pdf").path,
                                    "--creation-date", "2022-11-22T12:00:00Z"], environment: environment)
        #expect(reissued.status == 0, "\(reissued.errors)")
        let second = try Self.export(folder, environment, name: "pars-2.xml", day: "2022-11-23").0
        #expect(second.status == 0, "\(second.errors)")
        let changes = try #require(try Self.readXML(folder.appendingPathComponent("pars-2.xml"))["reports"] as? [[String: Any]])
        #expect(changes.map { $0["action"] as? String } == ["delete", "add"])
        #expect(changes.first?["given"] as? String == "Robert")
        #expect(changes.last?["given"] as? String == "Rob <\"Bob\">" && changes.last?["family"] as? String == "Castillo & Díaz")
    }

    static func readXML(_ url: URL) throws -> [String: Any] {
        let json = try runTool("python3", [Fixture.root.appendingPathComponent("Tests/Support/read-export.py").path, "pars-xml", url.path])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func anActivityWithoutItsACCMEIdIsRefused() throws {
        let folder = try Fixture.temporaryFolder()
        let run = try CLI.run(["export", "pars", "--activity", "Examples/asco-2018/activity.yaml", "--out", folder.appendingPathComponent("x.txt").path],
                              environment: ["CREDITPRESS_REGISTRY": folder.appendingPathComponent("registry.sqlite").path])
        #expect(run.status == 65)
        #expect(run.errors.contains("reporting.accmeActivityID"))
    }
}

/// A batch and its exports come from the same records: every exported field is the one the
/// roster gave and the certificate was issued with — PARS, the badges, CE Broker.
@Suite(.serialized)
struct PARSAgreementTests {
    @Test func aBatchAndItsExportAgreeFieldByField() async throws {
        let folder = try Fixture.temporaryFolder()
        let roster = try Fixture.file("roster.csv", """
            id,first_name,last_name,professional_name,degrees,profession,completion_date,ama_pra_category_1,moc_board,moc_board_id,moc_points,moc_point_type,moc_consent,birth_month_day,evaluation_completed
            P-1,Robert,Castillo,"Robert Castillo, MD",MD,physician,2022-11-10,20,abim,123456,20,practice-assessment,true,09-21,true
            P-2,Zoë,Ñúñez-Álvarez,"Zoë Ñúñez-Álvarez, MD",MD,physician,2022-11-01,18.5,abim,234567,18.5,practice-assessment,true,02-29,true
            P-3,Minh,Trần,"Trần Văn Minh, DO",DO,physician,2022-10-31,12.25,abim,345678,12,practice-assessment,true,12-01,true
            P-4,Aisha,Rahman,"Aisha Rahman, MD",MD,physician,2022-11-09,20,,,,,,07-04,true
            P-5,Daniel,Okafor,"Daniel Okafor, RN",RN,nurse,2022-11-09,,,,,,,,true

            """, in: folder)
        // The nurse has no AMA credit: an ANCC column gives her contact hours.
        let text = try String(contentsOf: roster, encoding: .utf8)
            .replacingOccurrences(of: "evaluation_completed\n", with: "evaluation_completed,ancc\n")
            .replacingOccurrences(of: ",true\n", with: ",true,\n")
            .replacingOccurrences(of: "P-5,Daniel,Okafor,\"Daniel Okafor, RN\",RN,nurse,2022-11-09,,,,,,,,true,", with: "P-5,Daniel,Okafor,\"Daniel Okafor, RN\",RN,nurse,2022-11-09,,,,,,,,true,20")
            // And a Florida nursing licence, for CE Broker.
            .replacingOccurrences(of: "evaluation_completed,ancc\n", with: "evaluation_completed,ancc,license_state,license_number\n")
            .replacingOccurrences(of: ",true,\n", with: ",true,,,\n")
            .replacingOccurrences(of: ",true,20\n", with: ",true,20,FL,RN1234567\n")
        try text.write(to: roster, atomically: true, encoding: .utf8)
        let registry = folder.appendingPathComponent("registry.sqlite")
        let environment = ["CREDITPRESS_REGISTRY": registry.path, "CREDITPRESS_ID_KEY": Fixture.idKeyFile.path]
        let batch = try CommandLineTests.run(["batch", "--activity", "Examples/qopi-2022/activity.yaml", "--roster", roster.path,
                                              "--out", folder.appendingPathComponent("out").path, "--jobs", "1", "--no-merged",
                                              "--creation-date", "2022-11-12T12:00:00Z"], environment: environment)
        #expect(batch.status == 0, "\((try? String(contentsOf: folder.appendingPathComponent("out/rejects.csv"), encoding: .utf8)) ?? batch.output)")
        let (export, rows) = try PARSExportTests.export(folder, environment, name: "pars.txt", day: "2022-11-20")
        #expect(export.status == 0, "\(export.errors)")
        // The physicians with MOC points (which the claim rules issue only with consent), one
        // record each; not the physician who claimed CME only, nor the nurse.
        #expect(rows.count == 3)
        let records = try await SQLiteRegistry(file: registry).certificates(activityID: "QOPI-CP-2022")
        for row in rows {
            let record = try #require(records.first { $0.learner?.boardIDs["abim"] == row[10] }, "\(row)")
            let learner = try #require(record.learner)
            let moc = try #require(learner.claims.first { $0.type == .moc })
            let cme = try #require(learner.claims.first { $0.type == .amaPRACategory1 })
            let completion = learner.completionDate
            #expect(row[2] == String(format: "%02d/%02d/%04d", completion.month, completion.day, completion.year))
            #expect(row[3] == learner.firstName && row[4] == learner.lastName)
            #expect(row[5] == learner.birthMonthDay?.replacingOccurrences(of: "-", with: "/"))
            #expect(row[8] == "\(cme.amount)" && row[11] == "\(moc.amount)" && row[13] == "\(moc.amount)")
            // And the certificate itself prints the same credit for the same person.
            let pdf = folder.appendingPathComponent("out/certificates").appendingPathComponent("\(record.id).pdf")
            let printed = try runTool("pdftotext", [pdf.path, "-"]).folded
            #expect(printed.contains(learner.professionalName.folded))
            #expect(printed.contains("\(cme.amount)") && printed.contains("\(moc.amount)"))
        }
        #expect(Set(rows.map { $0[3] }) == ["Robert", "Zoë", "Minh"])

        // The badges: each certificate's credits and completion day as the roster gave them.
        let badges = folder.appendingPathComponent("badges")
        let exported = try CommandLineTests.run(["export", "badges", "--activity", "Examples/qopi-2022/activity.yaml", "--out", badges.path,
                                                 "--signing", TrustTests.keys.folder.path], environment: environment)
        #expect(exported.output.contains("wrote 5 badges"), "\(exported.errors)")
        let written = try CSVRoster.rows(text)
        for record in records {
            let read = try BadgeTests.read("jwt", [badges.appendingPathComponent("\(record.id).jwt").path,
                                                   TrustTests.keys.folder.appendingPathComponent("badge.cert.pem").path])
            #expect(read["verified"] as? Bool == true)
            let subject = try #require((read["payload"] as? [String: Any])?["credentialSubject"] as? [String: Any])
            let row = try #require(written.first { $0["id"] == record.learnerID })
            let values = (subject["result"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? String }
            let expected = [row["ama_pra_category_1"], row["ancc"], row["moc_points"]].compactMap { $0 }.filter { !$0.isEmpty }
            #expect(values.map { Double($0) } == expected.map { Double($0) }, "\(record.learnerID)")
            #expect((subject["activityEndDate"] as? String)?.hasPrefix("\(row["completion_date"] ?? "")T") == true)
        }
        // CE Broker: the nurse's Florida licence, her completion day and full hours.
        let ceBroker = folder.appendingPathComponent("ce-broker.csv")
        let brokered = try CommandLineTests.run(["export", "ce-broker", "--activity", "Examples/qopi-2022/activity.yaml", "--out", ceBroker.path],
                                              environment: environment)
        #expect(brokered.status == 0, "\(brokered.errors)")
        #expect(try ReportingTests.csv(ceBroker).last == ["12345", "987654", "", "", "RN1234567", "11/09/2022", "FL", "RN", "", ""])
    }
}

/// A roster's rows as column maps, for comparing exports with what went in.
enum CSVRoster {
    static func rows(_ text: String) throws -> [[String: String]] {
        let file = try Fixture.file("roster-read.csv", text)
        let table = try ReportingTests.csv(file)
        guard let header = table.first else { return [] }
        return table.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }
}

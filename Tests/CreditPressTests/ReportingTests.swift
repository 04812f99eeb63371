import CreditRecords
import CreditRegistry
import Foundation
import Testing

/// The stand-in for ACPE's CPE Monitor web service (Tests/Support/cpe-monitor-standin.py),
/// started for one test and stopped by closing its standard input.
final class CPEMonitorStandIn: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let log: URL
    let port: Int
    static let user = "provider-0197", password = "s3cr3t+pa ss&word"

    init() throws {
        log = try Fixture.temporaryFolder().appendingPathComponent("requests.jsonl")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixture.root.appendingPathComponent("Tests/Support/cpe-monitor-standin.py").path,
                             log.path, Self.user, Self.password]
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while let byte = try output.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the CPE Monitor stand-in did not start"])
        }
        self.port = port
    }

    /// Every request's parameters, in order (the password as whether it matched).
    func requests() throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: log, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}

/// CPE Monitor and CE Broker reports from the registry's records, read back by Python's csv
/// module; the web-service client against a stand-in that checks every parameter.
@Suite(.serialized)
struct ReportingTests {
    typealias CLI = CommandLineTests

    /// ASCO 2018 learners issued into a fresh registry; extra learners from changed copies.
    static func issued(_ learners: [(name: String, file: String, changes: String)]) throws -> (folder: URL, environment: [String: String], ids: [String: String]) {
        let folder = try Fixture.temporaryFolder()
        let environment = ["CREDITPRESS_REGISTRY": folder.appendingPathComponent("registry.sqlite").path,
                           "CREDITPRESS_ID_KEY": Fixture.idKeyFile.path]
        var ids: [String: String] = [:]
        for learner in learners {
            let base = try String(contentsOf: Fixture.root.appendingPathComponent(learner.file), encoding: .utf8)
            let file = try Fixture.file("\(learner.name).yaml", Self.changed(base, learner.changes), in: folder)
            let activity = learner.file.contains("qopi") ? "Examples/qopi-2022/activity.yaml" : "Examples/asco-2018/activity.yaml"
            let run = try CLI.run(["certificate", "--activity", activity, "--learner", file.path,
                                   "--out", folder.appendingPathComponent("\(learner.name).pdf").path,
                                   "--creation-date", learner.file.contains("qopi") ? "2022-11-15T12:00:00Z" : "2018-06-06T12:00:00Z"],
                                  environment: environment)
            #expect(run.status == 0, "\(learner.name): \(run.errors)")
            ids[learner.name] = run.output.firstMatch(of: /certificate ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z])/).map { String($0.1) }
        }
        return (folder, environment, ids)
    }

    /// The learner file with `key: value` lines replaced or added.
    static func changed(_ text: String, _ changes: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for change in changes.split(separator: "\n") where !change.isEmpty {
            let key = change.prefix { $0 != ":" }
            if let index = lines.firstIndex(where: { $0.hasPrefix(key + ":") && !$0.hasPrefix(" ") }) {
                lines[index] = String(change)
                // The old value's own lines (a block list or mapping) go with it.
                while index + 1 < lines.count, lines[index + 1].hasPrefix(" ") || lines[index + 1].hasPrefix("-") { lines.remove(at: index + 1) }
            } else {
                lines.append(String(change))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func epoch(_ day: String) throws -> String {
        "\(Int(try #require(ISODate.date("\(day)T17:00:00Z")).timeIntervalSince1970))"
    }

    static func csv(_ url: URL) throws -> [[String]] {
        let json = try runTool("python3", [Fixture.root.appendingPathComponent("Tests/Support/read-export.py").path, "csv", url.path])
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String]])
    }

    static let pharmacists = [("pharmacist", "Examples/asco-2018/learners/pharmacist.yaml", ""),
                              ("technician", "Examples/asco-2018/learners/pharmacy-technician.yaml", ""),
                              ("nurse", "Examples/asco-2018/learners/nurse.yaml", "")]

    @Test func thePharmacistAndTechnicianGetTheirUANsAndARecordPastSixtyDaysIsRefused() throws {
        let (folder, environment, ids) = try Self.issued(Self.pharmacists)
        // 2018-08-03: 59 days after the pharmacist's June 5, 61 after the technician's June 3.
        let out = folder.appendingPathComponent("cpe.csv")
        let run = try CLI.run(["export", "cpe-monitor", "--activity", "Examples/asco-2018/activity.yaml", "--out", out.path],
                              environment: environment.merging(["SOURCE_DATE_EPOCH": try Self.epoch("2018-08-03")]) { $1 })
        #expect(run.status == 2, "one record refused")
        let rows = try Self.csv(out)
        #expect(rows.first == ["action", "provider_id", "eprofile_id", "birth_mmdd", "uan", "participation_date", "contact_hours",
                               "learner_id", "certificate_id"])
        #expect(rows.count == 2, "the pharmacist only; not the nurse, whose credit is ANCC")
        #expect(rows.last == ["I", "JA0000000", "1234567", "0314", "JA0000000-0000-18-001-L01-P", "2018-06-05", "22.25",
                              "L-2018-000108", try #require(ids["pharmacist"])])
        #expect(run.errors.contains("ACPE accepts records only within 60 days of participation, by 2018-08-02; participated 2018-06-03"))
        let refused = try Self.csv(folder.appendingPathComponent("cpe-refused.csv"))
        #expect(refused.count == 2)
        #expect(refused.last?.prefix(4) == [try #require(ids["technician"]), "L-2018-000109", "2018-06-03", "2018-08-02"])

        // A day earlier, in a fresh registry, the technician's record goes, with the -T UAN.
        let (early, earlyEnvironment, _) = try Self.issued(Self.pharmacists)
        let earlyOut = early.appendingPathComponent("cpe.csv")
        let sent = try CLI.run(["export", "cpe-monitor", "--activity", "Examples/asco-2018/activity.yaml", "--out", earlyOut.path],
                               environment: earlyEnvironment.merging(["SOURCE_DATE_EPOCH": try Self.epoch("2018-08-01")]) { $1 })
        #expect(sent.status == 0, "\(sent.errors)")
        let both = try Self.csv(earlyOut)
        #expect(both.dropFirst().map { $0[4] }.sorted() == ["JA0000000-0000-18-001-L01-P", "JA0000000-0000-18-001-L01-T"])
        #expect(both.dropFirst().first { $0[4].hasSuffix("-T") }?[2] == "7654321")
        let again = try CLI.run(["export", "cpe-monitor", "--activity", "Examples/asco-2018/activity.yaml", "--out", earlyOut.path + "2"],
                                environment: earlyEnvironment.merging(["SOURCE_DATE_EPOCH": try Self.epoch("2018-08-01")]) { $1 })
        #expect(again.output.contains("nothing new to report"))
    }

    @Test func theClientSendsEveryParameterKeepsEachAnswerAndNeverShowsThePassword() async throws {
        let standIn = try CPEMonitorStandIn()
        let (folder, environment, ids) = try Self.issued(Self.pharmacists + [
            ("unknown", "Examples/asco-2018/learners/pharmacist.yaml", "id: L-2018-000901\nnabpEPID: \"0000000\""),
            ("unanswered", "Examples/asco-2018/learners/pharmacist.yaml", "id: L-2018-000902\nnabpEPID: \"9999999\""),
        ])
        var submitting = environment.merging(["SOURCE_DATE_EPOCH": try Self.epoch("2018-06-20"),
                                              "CREDITPRESS_CPE_MONITOR_URL": "http://127.0.0.1:\(standIn.port)/cpemonitor/record",
                                              "CREDITPRESS_CPE_MONITOR_USER": CPEMonitorStandIn.user]) { $1 }
        // Without the password: refused before anything is sent.
        let missing = try CLI.run(["export", "cpe-monitor", "--activity", "Examples/asco-2018/activity.yaml", "--submit",
                                   "--out", folder.appendingPathComponent("answers.csv").path], environment: submitting)
        #expect(missing.status == 65)
        #expect(missing.errors.contains("CREDITPRESS_CPE_MONITOR_PASSWORD must both be set"))
        submitting["CREDITPRESS_CPE_MONITOR_PASSWORD"] = CPEMonitorStandIn.password

        let answers = folder.appendingPathComponent("answers.csv")
        let run = try CLI.run(["export", "cpe-monitor", "--activity", "Examples/asco-2018/activity.yaml", "--submit", "--out", answers.path],
                              environment: submitting)
        #expect(run.status == 2, "one rejected, one not answered")
        #expect(run.output.contains("2 accepted, 1 rejected, 1 not answered"), "\(run.output)\(run.errors)")
        let requests = try standIn.requests()
        #expect(requests.count == 4)
        for request in requests {
            #expect(request["password"] as? Bool == true && request["userID"] as? String == CPEMonitorStandIn.user)
            #expect(request["action"] as? String == "I")
        }
        let pharmacist = try #require(requests.first { $0["ePID"] as? String == "1234567" })
        #expect(pharmacist["providerID"] as? String == "JA0000000" && pharmacist["dob"] as? String == "0314")
        #expect(pharmacist["uan"] as? String == "JA0000000-0000-18-001-L01-P" && pharmacist["participationDate"] as? String == "2018-06-05")
        // The answers file and the ledger keep each record's answer.
        let rows = try Self.csv(answers)
        #expect(rows.first?.suffix(2) == ["status", "message"])
        #expect(rows.first { $0[2] == "0000000" }?.suffix(2) == ["rejected", "e-Profile ID not found in NABP"])
        #expect(rows.first { $0[2] == "9999999" }?[9] == "not sent")
        let ledger = try await SQLiteRegistry(file: URL(fileURLWithPath: try #require(environment["CREDITPRESS_REGISTRY"])))
            .latestEntries(target: "cpe-monitor")
        #expect(ledger["cpe:\(try #require(ids["pharmacist"]))"]?.status == "accepted")
        #expect(ledger["cpe:\(try #require(ids["unknown"]))"]?.statusMessage == "e-Profile ID not found in NABP")
        #expect(ledger["cpe:\(try #require(ids["unanswered"]))"] == nil, "not answered: not recorded, sent again next time")
        // Never the password: not on the terminal, not in the file.
        for text in [run.output, run.errors, try String(contentsOf: answers, encoding: .utf8)] {
            #expect(!text.contains(CPEMonitorStandIn.password) && !text.contains("s3cr3t"))
        }
        // Next time: only the rejected and the unanswered go again.
        let again = try CLI.run(["export", "cpe-monitor", "--activity", "Examples/asco-2018/activity.yaml", "--submit",
                                 "--out", folder.appendingPathComponent("answers-2.csv").path], environment: submitting)
        #expect(again.output.contains("sent 2 CPE Monitor records"), "\(again.output)")
        #expect(try standIn.requests().count == 6)
    }

    @Test func aCEBrokerRosterHasOneRowPerFloridaLicenceAndPartialCreditNeedsASubject() throws {
        let licensed = "licenses: [{ issuer: FL, number: RN9876543 }, { issuer: GA, number: RN555 }]"
        let (folder, environment, ids) = try Self.issued([
            ("nurse", "Examples/qopi-2022/learners/nurse.yaml", licensed),
            ("partial", "Examples/qopi-2022/learners/nurse.yaml", "id: L-2022-000299\nclaims: [{ type: ancc, amount: 12.5 }]\n"
                + "licenses: [{ issuer: FL, number: APRN1234, profession: APRN }]"),
        ])
        let activity = "Examples/qopi-2022/activity.yaml"
        let out = folder.appendingPathComponent("ce-broker.csv")
        let refused = try CLI.run(["export", "ce-broker", "--activity", activity, "--out", out.path], environment: environment)
        #expect(refused.status == 2)
        #expect(refused.errors.contains("12.5 of the course's 20 hours is partial credit"))
        let rows = try Self.csv(out)
        #expect(rows.first == ["Provider Tracking Number", "Course Number", "Your Course ID", "Publishing Number", "License Number",
                               "Date Completed", "State", "Profession", "Subject Code", "Hours"])
        #expect(rows.dropFirst().map { $0 } == [["12345", "987654", "", "", "RN9876543", "11/14/2022", "FL", "RN", "", ""]],
                "the FL licence only, the prefixes dropped, the profession from the degrees")
        let partial = try CLI.run(["export", "ce-broker", "--activity", activity, "--subject-code", "GE",
                                   "--out", folder.appendingPathComponent("ce-broker-2.csv").path], environment: environment)
        #expect(partial.status == 0, "\(partial.errors)")
        #expect(try Self.csv(folder.appendingPathComponent("ce-broker-2.csv")).last
                == ["12345", "987654", "", "", "APRN1234", "11/14/2022", "FL", "APRN", "GE", "12.5"])
        _ = ids
    }
}

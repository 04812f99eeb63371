import CreditRecords
import CreditRegistry
import CreditService
import CreditTrust
import Foundation
import HummingbirdTesting
import Testing

/// Open Badges 3.0 and CLR 2.0 credentials made from the registry's records, read back by
/// PyJWT (signature) and Python's JSON (structure), and checked by `creditpress verify`.
@Suite(.serialized)
struct BadgeTests {
    typealias CLI = CommandLineTests
    static var keys: URL { TrustTests.keys.folder }
    static let reader = Fixture.root.appendingPathComponent("Tests/Support/read-export.py").path

    /// The QOPI 2022 example learners, signed, in a fresh registry; with an email for the physician.
    static func issued() throws -> (folder: URL, environment: [String: String], ids: [String: String]) {
        let folder = try Fixture.temporaryFolder()
        let environment = ["CREDITPRESS_REGISTRY": folder.appendingPathComponent("registry.sqlite").path,
                           "CREDITPRESS_ID_KEY": Fixture.idKeyFile.path, "CREDITPRESS_SIGNING": keys.path]
        var ids: [String: String] = [:]
        for learner in ["nurse", "pharmacist", "physician-moc", "practice-manager"] {
            var text = try String(contentsOf: Fixture.root.appendingPathComponent("Examples/qopi-2022/learners/\(learner).yaml"), encoding: .utf8)
            if learner == "physician-moc" { text += "email: Robert.Castillo@Example.org\n" }
            let file = try Fixture.file("\(learner).yaml", text, in: folder)
            let run = try CLI.run(["certificate", "--activity", "Examples/qopi-2022/activity.yaml", "--learner", file.path,
                                   "--out", folder.appendingPathComponent("\(learner).pdf").path,
                                   "--creation-date", "2022-11-15T12:00:00Z"], environment: environment)
            #expect(run.status == 0, "\(run.errors)")
            ids[learner] = run.output.firstMatch(of: /certificate ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z])/).map { String($0.1) }
        }
        return (folder, environment, ids)
    }

    static func read(_ kind: String, _ arguments: [String]) throws -> [String: Any] {
        let json = try runTool("python3", [reader, kind] + arguments)
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    /// The properties Open Badges 3.0 requires of each class in an OpenBadgeCredential
    /// (the AchievementCredential data model): what is missing, as paths.
    static func missingRequired(_ credential: [String: Any]) -> [String] {
        var missing: [String] = []
        func require(_ object: [String: Any]?, _ path: String, _ keys: [String]) {
            guard let object else { missing.append(path); return }
            for key in keys where object[key] == nil { missing.append("\(path).\(key)") }
        }
        require(credential, "credential", ["@context", "id", "type", "name", "issuer", "validFrom", "credentialSubject"])
        require(credential["issuer"] as? [String: Any], "issuer", ["id", "type"])
        let subject = credential["credentialSubject"] as? [String: Any]
        require(subject, "credentialSubject", ["type", "achievement"])
        if subject?["id"] == nil && (subject?["identifier"] as? [Any])?.isEmpty != false { missing.append("credentialSubject.id or identifier") }
        for identity in subject?["identifier"] as? [[String: Any]] ?? [] {
            require(identity, "identifier", ["type", "hashed", "identityHash", "identityType"])
        }
        let achievement = subject?["achievement"] as? [String: Any]
        require(achievement, "achievement", ["id", "type", "criteria", "description", "name"])
        let criteria = achievement?["criteria"] as? [String: Any]
        if criteria?["id"] == nil && criteria?["narrative"] == nil { missing.append("criteria.id or narrative") }
        for description in achievement?["resultDescription"] as? [[String: Any]] ?? [] {
            require(description, "resultDescription", ["id", "type", "name", "resultType"])
        }
        for result in subject?["result"] as? [[String: Any]] ?? [] { require(result, "result", ["type"]) }
        for evidence in credential["evidence"] as? [[String: Any]] ?? [] { require(evidence, "evidence", ["type"]) }
        if let status = credential["credentialStatus"] as? [String: Any] {
            require(status, "credentialStatus", ["id", "type", "statusPurpose", "statusListIndex", "statusListCredential"])
        }
        for schema in credential["credentialSchema"] as? [[String: Any]] ?? [] { require(schema, "credentialSchema", ["id", "type"]) }
        let contexts = credential["@context"] as? [String] ?? []
        if contexts.first != "https://www.w3.org/ns/credentials/v2" { missing.append("@context[0] is the VC 2.0 context") }
        if !contexts.contains(where: { $0.hasPrefix("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0") }) { missing.append("@context has Open Badges 3.0") }
        let types = credential["type"] as? [String] ?? []
        if !(types.contains("VerifiableCredential") && types.contains("OpenBadgeCredential")) { missing.append("type") }
        if !((subject?["type"] as? [String])?.contains("AchievementSubject") ?? false) { missing.append("credentialSubject.type") }
        if !((achievement?["type"] as? [String])?.contains("Achievement") ?? false) { missing.append("achievement.type") }
        return missing
    }

    @Test func everyIssuedCertificateGetsASignedBadgeThatAgreesWithItsRecord() async throws {
        let (folder, environment, ids) = try Self.issued()
        let out = folder.appendingPathComponent("badges")
        let export = try CLI.run(["export", "badges", "--activity", "Examples/qopi-2022/activity.yaml", "--out", out.path], environment: environment)
        #expect(export.status == 0, "\(export.errors)")
        #expect(export.output.contains("wrote 4 badges (RS256)"))
        let registry = try SQLiteRegistry(file: URL(fileURLWithPath: try #require(environment["CREDITPRESS_REGISTRY"])))
        for (learner, id) in ids {
            let file = out.appendingPathComponent("\(id).jwt")
            // The service's clock is a test clock ahead of today's: nbf is not checked here.
            let read = try Self.read("jwt-any-time", [file.path, Self.keys.appendingPathComponent("badge.cert.pem").path])
            #expect(read["verified"] as? Bool == true, "\(learner): \(read["verified"] ?? "")")
            let header = try #require(read["header"] as? [String: Any])
            #expect(header["alg"] as? String == "RS256")
            #expect((header["x5c"] as? [String])?.isEmpty == false)
            let payload = try #require(read["payload"] as? [String: Any])
            #expect(Self.missingRequired(payload).isEmpty, "\(learner): \(Self.missingRequired(payload))")
            // The VC-JWT claims are the credential's own.
            let subject = try #require(payload["credentialSubject"] as? [String: Any])
            #expect(payload["iss"] as? String == (payload["issuer"] as? [String: Any])?["id"] as? String)
            #expect(payload["jti"] as? String == payload["id"] as? String)
            #expect(payload["sub"] as? String == subject["id"] as? String)
            #expect(payload["nbf"] as? Int == 1_668_513_600, "the issue moment, 2022-11-15T12:00:00Z")
            #expect(payload["id"] as? String == "https://cme.example.org/verify/\(id)")
            // Field by field against the registry's record of the certificate.
            let record = try #require(try await registry.record(id: id))
            let claims = try #require(record.learner?.claims)
            let results = try #require(subject["result"] as? [[String: Any]])
            #expect(results.compactMap { $0["value"] as? String } == claims.map { "\($0.amount)" })
            #expect(results.compactMap { $0["resultDescription"] as? String }
                    == claims.map { "https://cme.example.org/achievements/QOPI-CP-2022#" + $0.type.rawValue + ($0.board.map { "-\($0)" } ?? "") })
            let achievement = try #require(subject["achievement"] as? [String: Any])
            #expect(achievement["achievementType"] as? String == "CertificateOfCompletion")
            #expect(achievement["name"] as? String == "QOPI Certification Program")
            #expect(achievement["creditsAvailable"] as? Double == 20)
            let completion = try #require(record.learner?.completionDate)
            #expect((subject["activityEndDate"] as? String)?.hasPrefix("\(completion)T00:00:00") == true)
            #expect((payload["evidence"] as? [Any])?.isEmpty == (record.learner?.evaluationCompleted == false))
            #expect((payload["credentialStatus"] as? [String: Any])?["statusListCredential"] as? String == "https://cme.example.org/status/badges")
        }
        // The physician's email is hashed with the salt beside it, never written in clear.
        let physicianID = try #require(ids["physician-moc"])
        let physician = try String(contentsOf: out.appendingPathComponent("\(physicianID).jwt"), encoding: .utf8)
        let physicianRead = try Self.read("jwt", [out.appendingPathComponent("\(physicianID).jwt").path,
                                                  Self.keys.appendingPathComponent("badge.cert.pem").path])
        let payload = try #require(physicianRead["payload"] as? [String: Any])
        let identity = try #require(((payload["credentialSubject"] as? [String: Any])?["identifier"] as? [[String: Any]])?.first)
        let salt = try #require(identity["salt"] as? String)
        #expect(identity["identityType"] as? String == "emailAddress")
        #expect(identity["identityHash"] as? String == "sha256$" + Hex.sha256(Data(("robert.castillo@example.org" + salt).utf8)))
        let decodedPayload = try runTool("python3", ["-c", "import base64,sys; p=sys.argv[1].split('.')[1]; print(base64.urlsafe_b64decode(p+'='*(-len(p)%4)).decode())", physician.trimmingCharacters(in: .whitespacesAndNewlines)])
        #expect(!decodedPayload.lowercased().contains("robert.castillo@example.org"))
    }

    @Test func revokingTheCertificateRevokesItsBadge() throws {
        let (folder, environment, ids) = try Self.issued()
        let id = try #require(ids["physician-moc"])
        let out = folder.appendingPathComponent("badges")
        #expect(try CLI.run(["export", "badges", "--activity", "Examples/qopi-2022/activity.yaml", "--out", out.path], environment: environment).status == 0)
        let badge = out.appendingPathComponent("\(id).jwt")
        let trust = ["--trust", TrustTests.keys.root.path]
        let valid = try CLI.run(["verify", badge.path] + trust, environment: environment)
        #expect(valid.status == 0, "\(valid.output)")
        #expect(valid.output.contains("VALID") && valid.output.contains("[ok] signer trusted"))
        let badgeRead = try Self.read("jwt", [badge.path, Self.keys.appendingPathComponent("badge.cert.pem").path])
        let index = try #require(((badgeRead["payload"] as? [String: Any])?["credentialStatus"] as? [String: Any])?["statusListIndex"] as? String)
        let before = try Self.read("status-list", [out.appendingPathComponent("status-list.jwt").path, Self.keys.appendingPathComponent("badge.cert.pem").path, index])
        #expect(before["verified"] as? Bool == true)
        #expect(before["length"] as? Int == 131_072)
        #expect((before["bits"] as? [String: Int])?[index] == 0)

        #expect(try CLI.run(["revoke", "--id", id, "--reason", "attendance not confirmed"], environment: environment).status == 0)
        let revoked = try CLI.run(["verify", badge.path] + trust, environment: environment)
        #expect(revoked.status == 2)
        #expect(revoked.output.contains("REVOKED: attendance not confirmed"))
        let again = folder.appendingPathComponent("badges-2")
        let export = try CLI.run(["export", "badges", "--activity", "Examples/qopi-2022/activity.yaml", "--out", again.path], environment: environment)
        #expect(export.output.contains("wrote 3 badges") && export.output.contains("1 revoked or superseded"))
        #expect(!FileManager.default.fileExists(atPath: again.appendingPathComponent("\(id).jwt").path))
        let after = try Self.read("status-list", [again.appendingPathComponent("status-list.jwt").path, Self.keys.appendingPathComponent("badge.cert.pem").path, index])
        #expect((after["bits"] as? [String: Int])?[index] == 1, "the revoked certificate's bit is set")

        // Altered after signing: refused.
        var parts = try String(contentsOf: badge, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").map(String.init)
        let original = try #require(Data(base64Encoded: Self.padded(parts[1])))
        parts[1] = Data(String(decoding: original, as: UTF8.self)
            .replacingOccurrences(of: "\"value\":\"20\"", with: "\"value\":\"40\"").utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let tampered = try Fixture.file("tampered.jwt", parts.joined(separator: "."), in: folder)
        let refused = try CLI.run(["verify", tampered.path] + trust, environment: environment)
        #expect(refused.status == 2)
        #expect(refused.output.contains("[FAILED] signature"))
    }

    static func padded(_ base64url: String) -> String {
        let standard = base64url.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        return standard + String(repeating: "=", count: (4 - standard.count % 4) % 4)
    }

    @Test func es256IsTheOptionAndATranscriptIsOneCLR() throws {
        let (folder, environment, ids) = try Self.issued()
        let out = folder.appendingPathComponent("badges")
        let export = try CLI.run(["export", "badges", "--activity", "Examples/qopi-2022/activity.yaml", "--out", out.path,
                                  "--algorithm", "ES256"], environment: environment)
        #expect(export.output.contains("(ES256)"), "\(export.errors)")
        let nurseID = try #require(ids["nurse"])
        let read = try Self.read("jwt", [out.appendingPathComponent("\(nurseID).jwt").path,
                                         Self.keys.appendingPathComponent("signing.cert.pem").path])
        #expect(read["verified"] as? Bool == true)
        #expect((read["header"] as? [String: Any])?["alg"] as? String == "ES256")

        let clr = folder.appendingPathComponent("clr.jwt")
        let made = try CLI.run(["export", "clr", "--learner-id", "L-2022-000201", "--from", "2022-01-01", "--to", "2022-12-31",
                                "--out", clr.path], environment: environment)
        #expect(made.status == 0, "\(made.errors)")
        let record = try Self.read("jwt", [clr.path, Self.keys.appendingPathComponent("badge.cert.pem").path])
        #expect(record["verified"] as? Bool == true)
        let payload = try #require(record["payload"] as? [String: Any])
        #expect(payload["type"] as? [String] == ["VerifiableCredential", "ClrCredential"])
        let subject = try #require(payload["credentialSubject"] as? [String: Any])
        #expect(subject["type"] as? [String] == ["ClrSubject"])
        let held = try #require(subject["verifiableCredential"] as? [[String: Any]])
        #expect(held.count == 1)
        #expect(held.first.map(Self.missingRequired) == [])
        let physicianID = try #require(ids["physician-moc"])
        #expect(held.first?["id"] as? String == "https://cme.example.org/verify/\(physicianID)")
        let verified = try CLI.run(["verify", clr.path, "--trust", TrustTests.keys.root.path], environment: environment)
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("over a CLR of 1 certificates"))
        // A period with nothing in it is said so.
        let empty = try CLI.run(["export", "clr", "--learner-id", "L-2022-000201", "--from", "2023-01-01", "--out", clr.path], environment: environment)
        #expect(empty.status == 65)
        #expect(empty.errors.contains("has no issued certificate completed in the period"))
    }

    /// The learner downloads her badge and CLR; the status list is public; nobody else's.
    @Test func theServiceHandsTheLearnerHerBadgeAndPublishesTheStatusList() async throws {
        let world = try await ServiceClaimTests.World(signing: TrustTests.keys.identity)
        try await world.test { client in
            let sarah = try await ServiceClaimTests.physician(world, client)
            _ = try await sarah.post("/activities/enrol", from: "/activities", [("code", "ASCO-2018")])
            _ = try await sarah.post("/activities/ASCO-AM-2018/evaluation", from: "/activities/ASCO-AM-2018/evaluation", ServiceClaimTests.ascoEvaluation)
            let claimed = try await sarah.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                               [("amount-ama-pra-category-1", "24.5"), ("completionDate", "2018-06-05"), ("attest", "yes")])
            #expect(claimed.status == .seeOther, "\(claimed.body)")
            let list = try await sarah.get("/certificates").body
            let id = try #require(list.firstMatch(of: /certificates\/([0-9A-Z-]+)\/badge/).map { String($0.1) })
            let badge = try await sarah.get("/certificates/\(id)/badge")
            #expect(badge.status == .ok)
            #expect(badge.response.headers[.contentType] == "application/vc+jwt")
            let file = try Fixture.file("badge.jwt", badge.body)
            // The service's clock is a test clock ahead of today's: nbf is not checked here.
            let read = try Self.read("jwt-any-time", [file.path, Self.keys.appendingPathComponent("badge.cert.pem").path])
            #expect(read["verified"] as? Bool == true)
            let payload = try #require(read["payload"] as? [String: Any])
            #expect(Self.missingRequired(payload).isEmpty)
            let subject = try #require(payload["credentialSubject"] as? [String: Any])
            #expect((subject["result"] as? [[String: Any]])?.first?["value"] as? String == "24.5")
            #expect(((subject["identifier"] as? [[String: Any]])?.first?["identityType"]) as? String == "emailAddress")
            let status = try #require(payload["credentialStatus"] as? [String: Any])
            let index = try #require(status["statusListIndex"] as? String)

            // Another learner: the badge is not hers, and looks like no page at all.
            let other = ServiceClaimTests.Learner(client: client, cookie: try await world.signIn("other@example.org", client: client))
            #expect(try await other.get("/certificates/\(id)/badge").status == .notFound)

            // The status list and the issuer are public.
            let published = try await client.execute(uri: "/status/badges", method: .get)
            #expect(published.status == .ok)
            let listFile = try Fixture.file("status.jwt", String(buffer: published.body))
            #expect((try Self.read("status-list", [listFile.path, Self.keys.appendingPathComponent("badge.cert.pem").path, index])["bits"]
                     as? [String: Int])?[index] == 0)
            let issuer = try await client.execute(uri: "/issuer", method: .get)
            #expect(String(buffer: issuer.body).contains("\"id\" : \"https://cme.example.org/issuer\""))
            #expect(try await client.execute(uri: "/achievements/ASCO-AM-2018", method: .get).status == .ok)

            // The transcript as a CLR.
            let clr = try await sarah.get("/transcript/clr?from=2018-01-01&to=2018-12-31")
            #expect(clr.status == .ok)
            let clrFile = try Fixture.file("clr.jwt", clr.body)
            #expect(try Self.read("jwt-any-time", [clrFile.path, Self.keys.appendingPathComponent("badge.cert.pem").path])["verified"] as? Bool == true)

            // Revoked: the badge is withdrawn and, once the list is made again, its bit set.
            try await world.registry.revoke(id: id, reason: "Attendance not confirmed", actor: "cme-office", at: world.clock.now())
            #expect(try await sarah.get("/certificates/\(id)/badge").status == .gone)
            world.clock.advance(61)
            let later = try await client.execute(uri: "/status/badges", method: .get)
            let laterFile = try Fixture.file("status-2.jwt", String(buffer: later.body))
            #expect((try Self.read("status-list", [laterFile.path, Self.keys.appendingPathComponent("badge.cert.pem").path, index])["bits"]
                     as? [String: Int])?[index] == 1)
        }
    }
}

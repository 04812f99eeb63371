import CreditRecords
import CreditRegistry
import CreditService
import CreditTrust
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Enrolment, the evaluation, the claim and its certificate, downloads and transcripts,
/// in process, with the example activities and the core's issuing path.
struct ServiceClaimTests {
    typealias Learners = ServiceLearnerTests

    struct World: Sendable {
        let service: Service
        let registry: SQLiteRegistry
        let outbox: URL
        let clock: TestClock

        /// The example activities; the clock at `now` (default: 2027-01-15).
        init(now: Date = Date(timeIntervalSince1970: 1_800_000_000), signing: SigningIdentity? = nil) async throws {
            let folder = try Fixture.temporaryFolder()
            registry = try SQLiteRegistry(file: folder.appendingPathComponent("registry.sqlite"))
            outbox = folder.appendingPathComponent("outbox")
            clock = TestClock(now)
            let environment = CreditEnvironment(resources: Fixture.resources, clock: clock, actor: "service", cacheFolder: nil)
            var configuration = ServiceConfiguration(registry: registry.file, trustRoots: [], signers: [], resources: Fixture.resources,
                                                     publicURL: "https://cme.example.org", outboxFolder: outbox)
            configuration.activityFiles = ["asco-2018", "qopi-2022"].map {
                Fixture.root.appendingPathComponent("Examples/\($0)/activity.yaml")
            }
            configuration.idKey = try IssuerKey.load(at: Fixture.idKeyFile)
            configuration.scratchFolder = folder
            configuration.signing = signing
            service = try await Service(configuration: configuration, environment: environment, registry: registry)
        }

        func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            try await Application(router: buildRouter(service)).test(.router, body)
        }

        /// Signs in as `email` through the mailed link; the session cookie.
        func signIn(_ email: String, client: any TestClientProtocol) async throws -> String {
            let before = Set((try? FileManager.default.contentsOfDirectory(atPath: outbox.path)) ?? [])
            let asked = try await client.execute(uri: "/sign-in", method: .post, headers: Learners.form, body: Learners.encoded([("email", email)]))
            #expect(asked.status == .ok)
            let files = try FileManager.default.contentsOfDirectory(at: outbox, includingPropertiesForKeys: nil)
                .filter { !before.contains($0.lastPathComponent) }
            let texts = try files.map { try String(contentsOf: $0, encoding: .utf8) }.filter { $0.contains("To: \(email)\r\n") }
            let link = try #require(texts.compactMap { $0.firstMatch(of: /https:\/\/cme\.example\.org(\/sign-in\/[A-Za-z0-9_-]+)/).map { String($0.1) } }.last)
            let redeemed = try await client.execute(uri: link, method: .get)
            return String(try #require(redeemed.headers[.setCookie]).prefix { $0 != ";" })
        }
    }

    /// A signed-in learner's client: GETs and CSRF-carrying POSTs.
    struct Learner {
        let client: any TestClientProtocol
        let cookie: String

        func get(_ path: String) async throws -> (status: HTTPResponse.Status, body: String, response: TestResponse) {
            let response = try await client.execute(uri: path, method: .get, headers: [.cookie: cookie])
            return (response.status, String(buffer: response.body), response)
        }

        /// Posts `fields` with the CSRF token of the page at `page`.
        func post(_ path: String, from page: String, _ fields: [(String, String)]) async throws -> (status: HTTPResponse.Status, body: String, location: String?) {
            let token = try Learners.csrf(try await get(page).body)
            var headers = Learners.form
            headers[.cookie] = cookie
            let response = try await client.execute(uri: path, method: .post, headers: headers, body: Learners.encoded([("csrf", token)] + fields))
            return (response.status, String(buffer: response.body), response.headers[.location])
        }

        func saveDetails(_ fields: [(String, String)]) async throws {
            let saved = try await post("/account", from: "/account", fields)
            #expect(saved.status == .seeOther, "\(saved.body)")
        }
    }

    static func physician(_ world: World, _ client: any TestClientProtocol, email: String = "sarah@example.org") async throws -> Learner {
        let learner = Learner(client: client, cookie: try await world.signIn(email, client: client))
        try await learner.saveDetails([("first", "Sarah"), ("last", "Whitfield"), ("professional", "Sarah A. Whitfield, MD"),
                                       ("profession", "physician"), ("degrees", "MD")])
        return learner
    }

    static let ascoEvaluation = [("q-overall", "Very good"), ("q-objectives", "Yes"), ("q-bias", "Yes"), ("q-practice", "Earlier genomic testing")]

    @Test func aPhysicianEnrolsByCodeEvaluatesClaimsAndDownloadsTheSameBytesEachTime() async throws {
        let world = try await World()
        try await world.test { client in
            let sarah = try await Self.physician(world, client)
            // A code typed loosely still enrols; a wrong one is named.
            let wrong = try await sarah.post("/activities/enrol", from: "/activities", [("code", "ASCO-2019")])
            #expect(wrong.status == .unprocessableContent)
            #expect(wrong.body.contains("No activity has the code you typed"))
            let enrolled = try await sarah.post("/activities/enrol", from: "/activities", [("code", " asco 2018 ")])
            #expect(enrolled.location == "/activities/ASCO-AM-2018")
            // The meeting's evaluation is asked for, not required: the activity file does not require it.
            #expect(try await sarah.get("/activities").body.contains("Ready to claim"))
            #expect(try await sarah.get("/activities/ASCO-AM-2018").body.contains(#"<a href="/activities/ASCO-AM-2018/evaluation">Evaluation</a>"#))
            let form = try await sarah.get("/activities/ASCO-AM-2018/evaluation").body
            #expect(form.contains("How would you rate the meeting overall? (required)"))
            #expect(form.contains(#"value="Excellent""#), "the default five-point scale")
            let missing = try await sarah.post("/activities/ASCO-AM-2018/evaluation", from: "/activities/ASCO-AM-2018/evaluation",
                                               [("q-overall", "Very good"), ("q-objectives", "Maybe")])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.body.contains(##"<a href="#q-objectives">Question: Were the educational objectives met? — Choose one of the answers offered.</a>"##))
            #expect(missing.body.contains(##"<a href="#q-bias">Question: Was the content free of commercial bias? — This question needs an answer.</a>"##))
            let evaluated = try await sarah.post("/activities/ASCO-AM-2018/evaluation", from: "/activities/ASCO-AM-2018/evaluation", Self.ascoEvaluation)
            #expect(evaluated.location == "/activities/ASCO-AM-2018/claim")

            let claimPage = try await sarah.get("/activities/ASCO-AM-2018/claim").body
            #expect(claimPage.contains("AMA PRA Category 1 Credits™ (at most 38.75)"))
            #expect(!claimPage.contains("ANCC"), "a physician is not offered nursing contact hours")
            // Over the maximum, off the quarter steps, no attestation: each refused, nothing issued.
            let over = try await sarah.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                            [("amount-ama-pra-category-1", "40"), ("completionDate", "2018-06-05"), ("attest", "yes")])
            #expect(over.status == .unprocessableContent)
            #expect(over.body.contains("more than the 38.75 designated"), "\(over.body)")
            let offStep = try await sarah.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                               [("amount-ama-pra-category-1", "24.6"), ("completionDate", "2018-06-05"), ("attest", "yes")])
            #expect(offStep.body.contains("24.6 is not in steps of 0.25"))
            let unattested = try await sarah.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                                  [("amount-ama-pra-category-1", "24.5"), ("completionDate", "2018-06-05")])
            #expect(unattested.body.contains(##"<a href="#attest">Tick the attestation"##))
            #expect(try await world.registry.certificates(learnerID: try #require(try await world.registry.account(email: "sarah@example.org")).learnerID).isEmpty)

            let claimed = try await sarah.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                               [("amount-ama-pra-category-1", "24.5"), ("completionDate", "2018-06-05"), ("attest", "yes")])
            #expect(claimed.status == .seeOther, "\(claimed.body)")
            let page = try await sarah.get(try #require(claimed.location)).body
            let id = try #require(page.firstMatch(of: /certificates\/([0-9A-Z-]+)\/download/).map { String($0.1) })
            #expect(page.contains("24.5 AMA PRA Category 1 Credits™"))
            let first = try await sarah.get("/certificates/\(id)/download").response
            let second = try await sarah.get("/certificates/\(id)/download").response
            #expect(first.status == .ok)
            #expect(first.headers[.contentType] == "application/pdf")
            let bytes = Array(buffer: first.body)
            #expect(bytes.starts(with: Array("%PDF-".utf8)))
            #expect(bytes == Array(buffer: second.body), "every download is the same file")
            let record = try #require(try await world.registry.record(id: id))
            #expect(Hex.sha256(bytes) == record.pdfSHA256)
            #expect(record.learner?.evaluationCompleted == true)
            let pdf = try Fixture.file("certificate.pdf", "")
            try Data(bytes).write(to: pdf)
            let text = try runTool("pdftotext", [pdf.path, "-"])
            #expect(text.contains("Sarah A. Whitfield, MD"))
            #expect(text.contains("24.5"))
            // Claiming again issues nothing new: the page shows the certificate.
            #expect(try await sarah.get("/activities/ASCO-AM-2018/claim").response.headers[.location] == "/activities/ASCO-AM-2018")
            #expect(try await sarah.get("/certificates").body.contains(id))
            // Revoked by the provider: no longer offered, and said so.
            try await world.registry.revoke(id: id, reason: "Attendance not confirmed", actor: "cme-office", at: world.clock.now())
            let withdrawn = try await sarah.get("/certificates/\(id)/download")
            #expect(withdrawn.status == .gone)
            #expect(withdrawn.body.contains("The provider revoked this certificate"))
        }
    }

    @Test func otherProfessionsAreOfferedWhatTheRulesGiveThem() async throws {
        let world = try await World()
        try await world.test { client in
            for (email, profession, offered, absent) in [
                ("counselor@example.org", "other", "Hours of participation", "AMA PRA"),
                ("pa@example.org", "physician-assistant", "Hours of participation", "AMA PRA"),
                ("nurse@example.org", "nurse", "ANCC", "AMA PRA"),
                ("pharmacist@example.org", "pharmacist", "ACPE", "ANCC"),
            ] {
                let learner = Learner(client: client, cookie: try await world.signIn(email, client: client))
                try await learner.saveDetails([("first", "Alex"), ("last", "Doe"), ("professional", "Alex Doe"), ("profession", profession)])
                _ = try await learner.post("/activities/enrol", from: "/activities", [("code", "ASCO-2018")])
                _ = try await learner.post("/activities/ASCO-AM-2018/evaluation", from: "/activities/ASCO-AM-2018/evaluation", Self.ascoEvaluation)
                let page = try await learner.get("/activities/ASCO-AM-2018/claim").body
                #expect(page.contains(offered), "\(profession)")
                #expect(!page.contains(absent), "\(profession)")
            }
            // The pharmacist's claim needs what CPE Monitor needs, said on the form.
            let pharmacist = Learner(client: client, cookie: try await world.signIn("pharmacist@example.org", client: client))
            let refused = try await pharmacist.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                                    [("amount-acpe", "10"), ("completionDate", "2018-06-04"), ("attest", "yes")])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.body.contains("NABP e-Profile ID"), "\(refused.body)")
            // A counselor's participation certificate is issued.
            let counselor = Learner(client: client, cookie: try await world.signIn("counselor@example.org", client: client))
            let issued = try await counselor.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                                  [("amount-participation", "12"), ("completionDate", "2018-06-04"), ("attest", "yes")])
            #expect(issued.status == .seeOther, "\(issued.body)")
            let account = try #require(try await world.registry.account(email: "counselor@example.org"))
            #expect(try await world.registry.certificates(learnerID: account.learnerID).map(\.kind) == ["participation"])
        }
    }

    @Test func theDeadlineIsShownInTheActivitysZoneAndEnforced() async throws {
        // QOPI 2022: open enrolment, evaluation required, claims by November 14, 2022, 5:00 PM Eastern.
        let world = try await World(now: try #require(ISODate.date("2022-11-14T21:59:00Z")))
        try await world.test { client in
            let sarah = try await Self.physician(world, client)
            let listed = try await sarah.get("/activities").body
            #expect(listed.contains("Activities open to everyone"))
            #expect(listed.contains(#"<span class="meta">January 1 – November 14, 2022</span>"#), "no location, no stray comma")
            #expect(try await sarah.get("/activities/QOPI-CP-2022").body.contains("Add to my activities"))
            #expect(try await sarah.post("/activities/QOPI-CP-2022/add", from: "/activities/QOPI-CP-2022", []).location == "/activities/QOPI-CP-2022")
            // The program requires its evaluation: the claim waits for it.
            #expect(try await sarah.get("/activities").body.contains("Evaluation to complete"))
            #expect(try await sarah.get("/activities/QOPI-CP-2022/claim").response.headers[.location] == "/activities/QOPI-CP-2022/evaluation")
            // Posted anyway: refused by the rules, and sent to the evaluation; nothing issued.
            let refused = try await sarah.post("/activities/QOPI-CP-2022/claim", from: "/account",
                                               [("amount-ama-pra-category-1", "20"), ("completionDate", "2022-11-14"), ("attest", "yes")])
            #expect(refused.location == "/activities/QOPI-CP-2022/evaluation")
            let account = try #require(try await world.registry.account(email: "sarah@example.org"))
            #expect(try await world.registry.certificates(learnerID: account.learnerID).isEmpty)
            _ = try await sarah.post("/activities/QOPI-CP-2022/evaluation", from: "/activities/QOPI-CP-2022/evaluation",
                                     [("q-overall", "Good"), ("q-improvement", "Time to treatment")])
            let page = try await sarah.get("/activities/QOPI-CP-2022/claim").body
            #expect(page.contains("Claim by November 14, 2022, 5:00 PM ET."))
            #expect(page.contains("ABIM MOC points (at most 20)"))
            // Two minutes later, on the server's clock, the same claim is refused.
            world.clock.advance(120)
            let late = try await sarah.post("/activities/QOPI-CP-2022/claim", from: "/account",
                                            [("amount-ama-pra-category-1", "20"), ("completionDate", "2022-11-14"), ("attest", "yes")])
            #expect(late.status == .unprocessableContent)
            #expect(late.body.contains("after the deadline of November 14, 2022 5:00 PM EST"), "\(late.body)")
            #expect(try await sarah.get("/activities/QOPI-CP-2022/claim").body.contains("The claim period has ended"))
        }
    }

    @Test func theMOCTabCollectsWhatTheBoardNeedsAndTheConsent() async throws {
        let world = try await World(now: try #require(ISODate.date("2022-11-10T15:00:00Z")))
        try await world.test { client in
            let sarah = try await Self.physician(world, client)
            _ = try await sarah.post("/activities/QOPI-CP-2022/add", from: "/activities/QOPI-CP-2022", [])
            _ = try await sarah.post("/activities/QOPI-CP-2022/evaluation", from: "/activities/QOPI-CP-2022/evaluation",
                                     [("q-overall", "Good"), ("q-improvement", "Time to treatment")])
            let claim = [("amount-ama-pra-category-1", "20"), ("amount-moc-abim", "20"), ("completionDate", "2022-11-01"), ("attest", "yes"),
                         ("moc-boardID", "123456"), ("moc-boardFirst", "Sarah Anne"), ("moc-boardLast", "Whitfield"), ("moc-birthMonthDay", "06-15")]
            let unconsented = try await sarah.post("/activities/QOPI-CP-2022/claim", from: "/activities/QOPI-CP-2022/claim", claim)
            #expect(unconsented.status == .unprocessableContent)
            #expect(unconsented.body.contains(##"<a href="#moc-consent">Tick the consent to report"##))
            let noID = try await sarah.post("/activities/QOPI-CP-2022/claim", from: "/activities/QOPI-CP-2022/claim",
                                            claim.filter { $0.0 != "moc-boardID" } + [("moc-consent", "yes")])
            #expect(noID.body.contains(##"<a href="#moc-boardID">Your board ID is required to report ABIM MOC points"##), "\(noID.body)")
            let issued = try await sarah.post("/activities/QOPI-CP-2022/claim", from: "/activities/QOPI-CP-2022/claim", claim + [("moc-consent", "yes")])
            #expect(issued.status == .seeOther, "\(issued.body)")
            let account = try #require(try await world.registry.account(email: "sarah@example.org"))
            let record = try #require(try await world.registry.certificates(learnerID: account.learnerID).first)
            let learner = try #require(record.learner)
            #expect(learner.boardIDs == ["abim": "123456"])
            #expect(learner.boardNames == ["abim": CreditRecords.Learner.PersonName(first: "Sarah Anne", last: "Whitfield")])
            #expect(learner.name(onRecordOf: "abim").first == "Sarah Anne")
            #expect(learner.mocConsent)
            #expect(learner.claims.map(\.code) == ["ama-pra-category-1", "moc:abim"])
            #expect(learner.claims.last?.pointType == "practice-assessment")
        }
    }

    @Test func aLearnerReachesNoneOfAnotherLearnersRecords() async throws {
        let world = try await World()
        try await world.test { client in
            let sarah = try await Self.physician(world, client)
            _ = try await sarah.post("/activities/enrol", from: "/activities", [("code", "ASCO-2018")])
            _ = try await sarah.post("/activities/ASCO-AM-2018/evaluation", from: "/activities/ASCO-AM-2018/evaluation", Self.ascoEvaluation)
            let claimed = try await sarah.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                               [("amount-ama-pra-category-1", "24.5"), ("completionDate", "2018-06-05"), ("attest", "yes")])
            let location = try #require(claimed.location)
            let page = try await sarah.get(location).body
            let id = try #require(page.firstMatch(of: /certificates\/([0-9A-Z-]+)\/download/).map { String($0.1) })
            let mallory = try await Self.physician(world, client, email: "mallory@example.org")
            for path in ["/certificates/\(id)/download", "/activities/ASCO-AM-2018/claim", "/activities/ASCO-AM-2018/evaluation",
                         "/activities/ASCO-AM-2018", "/certificates/NOT-AN-ID/download"] {
                let response = try await mallory.get(path)
                #expect(response.status == .notFound, "\(path)")
            }
            let posted = try await mallory.post("/activities/ASCO-AM-2018/claim", from: "/account",
                                                [("amount-ama-pra-category-1", "1"), ("completionDate", "2018-06-05"), ("attest", "yes")])
            #expect(posted.status == .notFound)
            #expect(!(try await mallory.get("/certificates").body.contains(id)))
            let transcript = try await mallory.get("/transcript/download").response
            let pdf = try Fixture.file("transcript.pdf", "")
            try Data(buffer: transcript.body).write(to: pdf)
            #expect(!(try runTool("pdftotext", [pdf.path, "-"]).contains("ASCO Annual Meeting")))
            // Hers has it, for the period she picks.
            let hers = try await sarah.get("/transcript/download?from=2018-01-01&to=2018-12-31").response
            #expect(hers.status == .ok)
            try Data(buffer: hers.body).write(to: pdf)
            let text = try runTool("pdftotext", [pdf.path, "-"])
            #expect(text.contains("2018 ASCO Annual Meeting"))
            #expect(text.contains("24.5"))
            let bad = try await sarah.get("/transcript/download?from=2018-12-31&to=2018-01-01")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.body.contains("The last day is before the first"))
        }
    }

    @Test(arguments: [("محمد عبد الله", "محمد", "عبد الله"), ("Nguyễn Thị Mai, MD", "Mai", "Nguyễn"), ("王芳, MD", "芳", "王"),
                      ("María José Álvarez-Ñúñez de la Torre y Fernández-Castañeda, MD, PhD, FACP, FASCO", "María José", "Álvarez-Ñúñez")])
    func namesInAnyScriptArePrintedAsGiven(professional: String, first: String, last: String) async throws {
        let world = try await World()
        try await world.test { client in
            let learner = Learner(client: client, cookie: try await world.signIn("learner@example.org", client: client))
            try await learner.saveDetails([("first", first), ("last", last), ("professional", professional), ("profession", "physician")])
            _ = try await learner.post("/activities/enrol", from: "/activities", [("code", "ASCO-2018")])
            let claimed = try await learner.post("/activities/ASCO-AM-2018/claim", from: "/activities/ASCO-AM-2018/claim",
                                                 [("amount-ama-pra-category-1", "3"), ("completionDate", "2018-06-02"), ("attest", "yes")])
            #expect(claimed.status == .seeOther, "\(claimed.body)")
            let page = try await learner.get(try #require(claimed.location)).body
            let id = try #require(page.firstMatch(of: /certificates\/([0-9A-Z-]+)\/download/).map { String($0.1) })
            let pdf = try Fixture.file("certificate.pdf", "")
            try Data(Array(buffer: try await learner.get("/certificates/\(id)/download").response.body)).write(to: pdf)
            #expect(try runTool("pdftotext", [pdf.path, "-"]).folded.contains(professional.folded))
        }
    }

    @Test func expiredLinksAndSessionsAreRemoved() async throws {
        let world = try await World()
        try await world.test { client in
            let cookie = try await world.signIn("sarah@example.org", client: client)
            #expect(try await client.execute(uri: "/account", method: .get, headers: [.cookie: cookie]).status == .ok)
            #expect(try await world.registry.pruneExpired(at: world.clock.now()) == 0, "nothing has expired yet")
            world.clock.advance(12 * 3600 + 1)
            #expect(try await world.registry.pruneExpired(at: world.clock.now()) == 2, "the used link and the session")
            #expect(try await client.execute(uri: "/account", method: .get, headers: [.cookie: cookie]).status == .seeOther)
        }
    }

    @Test func aStaffRosterImportEnrolsItsLearners() async throws {
        let world = try await World()
        let reader = try RosterReader(url: Fixture.example.appendingPathComponent("roster.csv"), purpose: .enrolment)
        let report = await RosterEnrolment.importRoster(reader, activityID: "ASCO-AM-2018", store: world.registry, at: world.clock.now())
        #expect(report.enrolled > 0)
        #expect(report.accountsMade == report.enrolled)
        #expect(report.skipped.allSatisfy { $0.field == "email" }, "\(report.skipped)")
        let account = try #require(try await world.registry.account(email: "s.whitfield@example.org"))
        #expect(account.learnerID == "L-2018-000101")
        let link = try #require(try await SignInLinks.make(store: world.registry, email: "S.Whitfield@example.org",
                                                           publicURL: "https://cme.example.org", at: world.clock.now()))
        try await world.test { client in
            let redeemed = try await client.execute(uri: String(link.dropFirst("https://cme.example.org".count)), method: .get)
            let sarah = Learner(client: client, cookie: String(try #require(redeemed.headers[.setCookie]).prefix { $0 != ";" }))
            let listed = try await sarah.get("/activities").body
            #expect(listed.contains("2018 ASCO Annual Meeting"))
            #expect(listed.contains("Sarah A. Whitfield, MD"), "Account Details come from the roster row")
        }
        // Imported again: nobody twice.
        let again = await RosterEnrolment.importRoster(try RosterReader(url: Fixture.example.appendingPathComponent("roster.csv"), purpose: .enrolment),
                                                       activityID: "ASCO-AM-2018", store: world.registry, at: world.clock.now())
        #expect(again.accountsMade == 0)
    }
}

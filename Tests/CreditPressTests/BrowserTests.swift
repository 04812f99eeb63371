import CreditRecords
import CreditRegistry
import CreditService
import CreditTrust
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The service in a real browser (headless chromium over WebDriver), as a learner and a
/// board clerk use it: sign-in by the mailed link, the profile gate, Account Details, the
/// evaluation, a claim of 24.5 AMA credits, the download, the QR code's page; then the
/// clerk's upload, before and after a revocation. Screenshots go to
/// `$CREDITPRESS_SCREENSHOTS` when it names a folder.
@Suite(.serialized)
struct BrowserTests {
    /// The service on a port of its own, with a copy of the ASCO 2018 activity whose QR
    /// code points at this very service.
    struct World: Sendable {
        let service: Service
        let registry: SQLiteRegistry
        let outbox: URL
        let folder: URL
        let port: Int

        init() async throws {
            folder = try Fixture.temporaryFolder()
            port = try Browser.freePort()
            let activityFolder = folder.appendingPathComponent("asco-2018")
            try FileManager.default.createDirectory(at: activityFolder, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Fixture.example.appendingPathComponent("artwork"), to: activityFolder.appendingPathComponent("artwork"))
            let text = try String(contentsOf: Fixture.activityURL, encoding: .utf8)
                .replacingOccurrences(of: "https://cme.example.org/verify", with: "http://127.0.0.1:\(port)/verify")
            let activity = activityFolder.appendingPathComponent("activity.yaml")
            try text.write(to: activity, atomically: true, encoding: .utf8)
            registry = try SQLiteRegistry(file: folder.appendingPathComponent("registry.sqlite"))
            outbox = folder.appendingPathComponent("outbox")
            let environment = CreditEnvironment(resources: Fixture.resources, clock: SystemClock(), actor: "service", cacheFolder: nil)
            var configuration = ServiceConfiguration(host: "127.0.0.1", port: port, registry: registry.file, trustRoots: TrustTests.roots,
                                                     signers: [TrustTests.keys.identity.certificate], resources: Fixture.resources,
                                                     publicURL: "http://127.0.0.1:\(port)", outboxFolder: outbox)
            configuration.activityFiles = [activity]
            configuration.idKey = try IssuerKey.load(at: Fixture.idKeyFile)
            configuration.signing = TrustTests.keys.identity
            configuration.scratchFolder = folder
            service = try await Service(configuration: configuration, environment: environment, registry: registry)
        }

        /// The newest sign-in link in the outbox.
        func link() throws -> String {
            let files = try FileManager.default.contentsOfDirectory(at: outbox, includingPropertiesForKeys: nil).filter { $0.pathExtension == "eml" }
            let texts = try files.map { try String(contentsOf: $0, encoding: .utf8) }
            return try #require(texts.compactMap { $0.firstMatch(of: /http:\/\/127\.0\.0\.1:[0-9]+\/sign-in\/[A-Za-z0-9_-]+/).map { String($0.0) } }.last)
        }
    }

    static var screenshots: URL? {
        ProcessInfo.processInfo.environment["CREDITPRESS_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
    }

    @Test func aLearnerClaimsAndDownloadsAndABoardClerkChecksTheFile() async throws {
        guard Browser.isInstalled else {
            // On CI the set-up script installs the browser: its absence there is a failure, not a skip.
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "chromium and chromium-driver are not installed (scripts/setup.sh --test)")
            return
        }
        let world = try await World()
        // The server on the port the activity's QR code names; the test goes on once it listens.
        let (listening, listener) = AsyncStream.makeStream(of: Void.self)
        let app = Application(router: buildRouter(world.service), configuration: .init(address: .hostname("127.0.0.1", port: world.port)),
                              onServerRunning: { _ in listener.yield() })
        let server = Task(executorPreference: ServerExecutor.shared) { try await app.runService() }
        defer { server.cancel() }
        for await _ in listening { break }
        let browser = try await Browser(home: world.folder.appendingPathComponent("browser"))
        do {
            try await Self.learnerAndClerk(browser, world)
        } catch {
            if let folder = Self.screenshots { try? await browser.screenshot(to: folder.appendingPathComponent("failure.png")) }
            await browser.close()
            throw error
        }
        await browser.close()
    }

    static func learnerAndClerk(_ browser: Browser, _ world: World) async throws {
        let site = "http://127.0.0.1:\(world.port)"
        // Each page a learner or a clerk sees passes axe-core's WCAG A/AA checks (no serious or critical violation).
        func accessible(_ page: String) async throws {
            let violations = try await browser.accessibilityViolations()
            #expect(violations.isEmpty, "\(page): \(violations.joined(separator: "; "))")
        }
        // Sign in through the link in the outbox.
        try await browser.go("\(site)/sign-in")
        try await browser.fill("#email", "sarah.whitfield@example.org")
        try await browser.click("button[type=submit]")
        _ = try await browser.waitForText { $0.contains("a sign-in link is on its way") }
        try await accessible("sign-in sent")
        try await browser.go(try world.link())
        _ = try await browser.waitForText { $0.contains("Signed in as sarah.whitfield@example.org") }
        // Enrol with the code, then try to claim: stopped at the profile gate.
        try await browser.go("\(site)/activities")
        try await browser.fill("#code", "ASCO-2018")
        try await browser.click("form[action='/activities/enrol'] button")
        _ = try await browser.waitForText { $0.contains("2018 ASCO Annual Meeting") && $0.contains("Claim credit") }
        try await browser.click("a[href$='/claim']")
        let gate = try await browser.waitForText { $0.contains("Before you can claim credit, complete your Account Details") }
        #expect(try await browser.url.contains("/account"))
        #expect(gate.contains("Professional name, exactly as it is to be printed (required)"))
        try await accessible("Account Details (gate)")
        // Account Details.
        try await browser.fill("#first", "Sarah")
        try await browser.fill("#last", "Whitfield")
        try await browser.fill("#professional", "Sarah A. Whitfield, MD")
        try await browser.fill("#degrees", "MD")
        try await browser.click("#profession option[value='physician']")
        try await browser.click("form[action='/account'] button[type=submit]")
        _ = try await browser.waitForText { $0.contains("Certificates are issued as Sarah A. Whitfield, MD") }
        try await accessible("My activities")
        // The evaluation.
        try await browser.go("\(site)/activities/ASCO-AM-2018/evaluation")
        for option in ["q-overall-3", "q-objectives-0", "q-bias-0"] { try await browser.click("label[for='\(option)']") }
        try await browser.fill("#q-practice", "Order genomic testing earlier.")
        try await accessible("evaluation")
        if let folder = screenshots { try await browser.screenshot(to: folder.appendingPathComponent("evaluation.png")) }
        try await browser.click("form button[type=submit]")
        _ = try await browser.waitForText { $0.contains("Claim credit") && $0.contains("AMA PRA Category 1 Credits™ (at most 38.75)") }
        // The claim: 24.5 AMA PRA Category 1 Credits™.
        try await browser.fill("#amount-ama-pra-category-1", "24.5")
        try await browser.run("document.getElementById('completionDate').value = '2018-06-05'")
        try await browser.click("label[for='attest']")
        try await accessible("claim")
        if let folder = screenshots { try await browser.screenshot(to: folder.appendingPathComponent("claim.png")) }
        try await browser.click("form[action$='/claim'] button[type=submit]")
        let issued = try await browser.waitForText { $0.contains("Download your certificate (PDF)") }
        #expect(issued.contains("24.5 AMA PRA Category 1 Credits™"))
        try await accessible("activity with its certificate")
        if let folder = screenshots { try await browser.screenshot(to: folder.appendingPathComponent("certificate.png")) }
        // Below it, the activity's whole accreditation page.
        let about = try await browser.waitForText { $0.contains("Disclaimer and unlabeled usage statement") }
        #expect(about.contains("Learning objectives") && about.contains("Ludwig Institute for Cancer Research"))
        if let folder = screenshots {
            try await browser.run("document.getElementById('about').scrollIntoView()")
            try await browser.screenshot(to: folder.appendingPathComponent("activity-about.png"))
        }
        // The download.
        try await browser.click("a[href$='/download']")
        let pdf = try await browser.downloaded(suffix: ".pdf")
        let text = try runTool("pdftotext", [pdf.path, "-"])
        #expect(text.contains("Sarah A. Whitfield, MD"))
        #expect(text.contains("24.5"))
        // My certificates: the PDF and its Open Badge; the transcript page offers a CLR.
        try await browser.go("\(site)/certificates")
        _ = try await browser.waitForText { $0.contains("My certificates") && $0.contains("Open Badge") }
        try await accessible("certificates")
        if let folder = screenshots { try await browser.screenshot(to: folder.appendingPathComponent("certificates.png")) }
        try await browser.click("a[href$='/badge']")
        let badge = try await browser.downloaded(suffix: ".jwt")
        #expect(try String(contentsOf: badge, encoding: .utf8).hasPrefix("eyJ"))
        try await browser.go("\(site)/transcript")
        _ = try await browser.waitForText { $0.contains("Download as a learner record (CLR 2.0)") }
        try await accessible("transcript")
        if let folder = screenshots { try await browser.screenshot(to: folder.appendingPathComponent("transcript.png")) }
        // The QR code's address opens the check of its signed payload: VALID.
        let page = pdf.deletingLastPathComponent().appendingPathComponent("page")
        try runTool("pdftoppm", ["-png", "-r", "150", "-singlefile", pdf.path, page.path])
        let qr = try scanQR(page.path + ".png")
        #expect(qr.hasPrefix("\(site)/verify#"), "\(qr)")
        try await browser.go(qr)
        let valid = try await browser.waitForText { $0.contains("VALID") || $0.contains("NOT VALID") }
        #expect(valid.contains("VALID") && !valid.contains("NOT VALID"), "\(valid)")
        #expect(valid.contains("Sarah A. Whitfield, MD"))
        try await accessible("QR verification")
        if let folder = screenshots { try await browser.screenshot(to: folder.appendingPathComponent("verify-qr-valid.png")) }

        // A board clerk uploads the PDF: valid; after a revocation, revoked with the reason.
        try await browser.go("\(site)/")
        try await accessible("home")
        // The checker itself sees a field without a label, once one is put in the page.
        try await browser.run("const i = document.createElement('input'); i.type = 'text'; document.querySelector('main').appendChild(i)")
        #expect(try await browser.accessibilityViolations().contains { $0.hasPrefix("label:") })
        try await browser.go("\(site)/")
        try await browser.element("#pdf").type(pdf.path)
        try await browser.click("form[action='/verify/upload'] button")
        let checked = try await browser.waitForText { $0.contains("VALID") }
        #expect(!checked.contains("NOT VALID"), "\(checked)")
        let id = try #require(checked.firstMatch(of: /[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]/).map { String($0.0) })
        try await world.registry.revoke(id: id, reason: "Attendance could not be confirmed", actor: "cme-office", at: Date())
        try await browser.go("\(site)/")
        try await browser.element("#pdf").type(pdf.path)
        try await browser.click("form[action='/verify/upload'] button")
        let revoked = try await browser.waitForText { $0.contains("REVOKED") }
        #expect(revoked.contains("Attendance could not be confirmed"), "\(revoked)")
        try await accessible("revoked certificate")
        if let folder = screenshots { try await browser.screenshot(to: folder.appendingPathComponent("verify-revoked.png")) }
    }
}

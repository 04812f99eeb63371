import CreditIssuing
import CreditRecords
import CreditRegistry
import CreditTrust
import Foundation
import Testing
import X509

/// Registry v2: structured records, an upgrade in place of a file from the release before,
/// and one record for a learner issued by two requests at the same moment.
struct RegistryTests {
    static let fixture = Fixture.root.appendingPathComponent("Tests/CreditPressTests/Fixtures/registry-v1")

    /// A copy of the v1 registry fixture, opened (and so upgraded) by this build.
    static func upgradedCopy() throws -> (any CertificateRegistry, URL) {
        let folder = try Fixture.temporaryFolder()
        let file = folder.appendingPathComponent("registry.sqlite")
        try FileManager.default.copyItem(at: fixture.appendingPathComponent("registry.sqlite"), to: file)
        return (try Registry.open(file), file)
    }

    @Test func aRegistryWrittenByTheReleaseBeforeIsUpgradedInPlaceAndStillVerifies() async throws {
        let (registry, file) = try Self.upgradedCopy()
        // The MOC certificate: claims now structured, with the board's point type from the
        // learner file the record kept; the learner itself as checked.
        let moc = try #require(try await registry.record(id: "ETGPZ-KD40C-D"))
        #expect(moc.claims == [IssuedClaim(creditType: "ama-pra-category-1", amount: "20"),
                               IssuedClaim(creditType: "moc", board: "abim", pointType: "practice-assessment", amount: "20")])
        #expect(moc.credits == "ama-pra-category-1 20; moc:abim 20")
        #expect(moc.learner?.boardIDs["abim"] != nil)
        #expect(moc.layoutName == "physician-cme" && moc.layoutVersion == 1)
        // A batch row: its claims from the v1 text; the row itself stays as given.
        let nurse = try #require(try await registry.record(id: "FYC82-1YR3P-N"))
        #expect(nurse.claims == [IssuedClaim(creditType: "ancc", amount: "18")])
        #expect(nurse.learner == nil && nurse.learnerInput.hasPrefix("{\"_roster\""))
        let revoked = try #require(try await registry.record(id: "PNSP9-S5QPS-0"))
        #expect(revoked.status == .revoked && revoked.statusReason == "claimed in error")
        let trail = try await registry.audit(id: "PNSP9-S5QPS-0")
        #expect(trail.map(\.action) == ["issue", "revoke"])
        #expect(trail.last?.actor == "fixture-staff" && trail.last?.reason == "claimed in error")

        // Its certificates verify against the upgraded file, as the CLI and the library see them.
        let roots = try SigningIdentity.readCertificates(Self.fixture.appendingPathComponent("keys/ca.cert.pem"))
        let verifier = CertificateVerifier(roots: roots, registry: registry, clock: SystemClock())
        for name in ["physician", "physician-moc", "nurse", "pharmacist"] {
            let pdf = Array(try Data(contentsOf: Self.fixture.appendingPathComponent("\(name).pdf")))
            let report = await verifier.verify(pdf: pdf)
            #expect(report.isValid, "\(name): \(report.allChecks.filter { !$0.passed })")
            #expect(report.allChecks.contains { $0.name == "file as issued" && $0.passed })
        }
        let run = try CommandLineTests.run(["verify", Self.fixture.appendingPathComponent("physician-moc.pdf").path,
                                            "--trust", Self.fixture.appendingPathComponent("keys/ca.cert.pem").path,
                                            "--registry", file.path])
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        #expect(run.output.contains(": VALID"))
    }

    @Test func anUpgradedRegistryStillReproducesItsCertificatesByteForByte() async throws {
        let (registry, _) = try Self.upgradedCopy()
        let key = try IssuerKey.load(at: Self.fixture.appendingPathComponent("keys/certificate-id.key"))
        let issuer = CertificateIssuer(renderer: try Fixture.renderer(), idKey: key,
                                       signing: try SigningIdentity.load(from: Self.fixture.appendingPathComponent("keys")),
                                       registry: registry)
        let learner = Fixture.example.appendingPathComponent("learners/physician.yaml")
        let input = IssueInput(activity: try Fixture.activity(), activityText: try String(contentsOf: Fixture.activityURL, encoding: .utf8),
                               learner: try LearnerReader.read(learner), learnerText: try String(contentsOf: learner, encoding: .utf8),
                               creationDate: Date())
        let result = try await issuer.issue(input)
        #expect(result.reproduced && result.id == "SJ4NE-QF8GW-E")
        #expect(Data(result.bytes) == (try Data(contentsOf: Self.fixture.appendingPathComponent("physician.pdf"))))
    }

    @Test func aNewRecordKeepsTheLearnerAndOneClaimRowPerCredit() async throws {
        let registry = try Registry.open(try Fixture.temporaryFolder().appendingPathComponent("registry.sqlite"))
        let result = try await TrustTests.issue("physician", registry: registry)
        let record = try #require(try await registry.record(id: result.id))
        #expect(record.claims == [IssuedClaim(creditType: "ama-pra-category-1", amount: "24.5")])
        #expect(record.learner?.professionalName == "Sarah A. Whitfield, MD")
        #expect(record.learner?.completionDate.description == "2018-06-05")
        #expect(try await registry.audit(id: result.id).map(\.actor) == ["test-staff"])
    }

    @Test(arguments: ["physician", "nurse", "pharmacist"])
    func twoRequestsIssuingOneLearnerAtOnceGiveOneRecordAndTheSameBytes(learner: String) async throws {
        let file = try Fixture.temporaryFolder().appendingPathComponent("registry.sqlite")
        // Two connections to one file, as two processes or server instances would have; both
        // are let past the look-up before either records, so the race is certain.
        let gate = Gate(parties: 2)
        let first = RacingRegistry(try SQLiteRegistry(file: file), gate: gate)
        let second = RacingRegistry(try SQLiteRegistry(file: file), gate: gate)
        async let a = TrustTests.issue(learner, registry: first)
        async let b = TrustTests.issue(learner, registry: second)
        let (one, other) = try await (a, b)
        #expect(one.id == other.id)
        #expect(one.bytes == other.bytes, "both requests must hand out the recorded certificate")
        #expect(one.reproduced != other.reproduced, "one request records, the other reproduces what it recorded")
        let registry = try SQLiteRegistry(file: file)
        let record = try #require(try await registry.record(id: one.id))
        #expect(record.pdfSHA256 == Hex.sha256(one.bytes))
        #expect(try await registry.audit(id: one.id).map(\.action) == ["issue"])
    }
}

/// Lets `parties` callers through only once all of them have arrived.
actor Gate {
    private let parties: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) { self.parties = parties }

    func arrive() async {
        if waiting.count + 1 == parties {
            waiting.forEach { $0.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

/// A registry whose first look-up of a learner waits at `gate`: both racers see "not issued".
final class RacingRegistry: CertificateRegistry, @unchecked Sendable {
    let base: any CertificateRegistry
    let gate: Gate

    init(_ base: any CertificateRegistry, gate: Gate) {
        self.base = base
        self.gate = gate
    }

    var location: String { base.location }
    func record(id: String) async throws -> IssuedRecord? { try await base.record(id: id) }
    func latest(activityID: String, learnerID: String) async throws -> IssuedRecord? {
        let found = try await base.latest(activityID: activityID, learnerID: learnerID)
        await gate.arrive()
        return found
    }
    func audit(id: String) async throws -> [AuditEntry] { try await base.audit(id: id) }
    func input(sha256: String) async throws -> String? { try await base.input(sha256: sha256) }
    func recordOrFetch(_ record: IssuedRecord, activityText: String, actor: String) async throws -> RecordOutcome {
        try await base.recordOrFetch(record, activityText: activityText, actor: actor)
    }
    func revoke(id: String, reason: String, actor: String, at time: Date) async throws {
        try await base.revoke(id: id, reason: reason, actor: actor, at: time)
    }
    func supersede(id: String, with replacement: IssuedRecord, reason: String, activityText: String, actor: String) async throws {
        try await base.supersede(id: id, with: replacement, reason: reason, activityText: activityText, actor: actor)
    }
}

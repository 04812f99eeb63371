import CreditIssuing
import CreditRecords
import Foundation
import Testing

/// The render pool as a server would use it: await one certificate per request, its bytes
/// handed back, drawn in this process or in drawing processes.
struct RenderPoolTests {
    static func job(_ learner: String) throws -> RenderJob {
        RenderJob(tag: 0, learner: try Fixture.learner(learner), id: "7KQ2M-XW4HD-R", stored: nil, file: nil)
    }

    static func expectDrawn(_ outcome: RenderOutcome, sourceLocation: SourceLocation = #_sourceLocation) {
        guard case .drawn(_, let drawn) = outcome else {
            Issue.record("refused: \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(drawn.bytes.starts(with: Array("%PDF-".utf8)), sourceLocation: sourceLocation)
        #expect(Hex.sha256(drawn.bytes) == drawn.sha256, sourceLocation: sourceLocation)
        #expect(drawn.material.layoutName == "physician-cme" || drawn.material.layoutName == "nursing", sourceLocation: sourceLocation)
    }

    @Test func requestsAwaitTheirOwnCertificatesFromAThreadPool() async throws {
        let activity = try Fixture.activity()
        let pool = RenderPool(thread: {
            RenderWorker(renderer: try Fixture.renderer(), activity: activity, layout: nil, creationDate: Fixture.fixedDate)
        })
        async let physician = pool.render(try Self.job("physician"))
        async let nurse = pool.render(try Self.job("nurse"))
        let (a, b) = try await (physician, nurse)
        Self.expectDrawn(a)
        Self.expectDrawn(b)
        if case .drawn(_, let one) = a, case .drawn(_, let other) = b { #expect(one.sha256 != other.sha256) }
        pool.finish()
    }

    @Test func drawingProcessesHandTheBytesBack() async throws {
        let setup = WorkerMessage.Setup(activity: Fixture.activityURL.path, layout: nil, creationDate: "2018-06-05T12:00:00Z",
                                        resources: Fixture.root.path, cache: nil, signing: nil, certify: false)
        let pool = RenderPool(processes: 2, command: [CommandLineTests.binary.path, "batch-worker"], setup: setup)
        let outcome = await pool.render(try Self.job("physician"))
        Self.expectDrawn(outcome)
        // A learner the activity cannot certify is refused with the rule's diagnostic, not dropped.
        var learner = try Fixture.learner("physician")
        learner.claims[0].amount = CreditAmount(quarters: 396)
        let refused = await pool.render(RenderJob(tag: 0, learner: learner, id: "7KQ2M-XW4HD-R", stored: nil, file: nil))
        guard case .refused(_, let diagnostics) = refused else {
            Issue.record("an over-claim was drawn")
            pool.finish()
            return
        }
        #expect(diagnostics.first?.kind == .input)
        #expect(diagnostics.first?.message.contains("more than the 38.75 designated") == true)
        pool.finish()
    }
}

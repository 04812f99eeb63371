import CreditIssuing
import CreditRecords
import CreditRender
import Foundation
import Testing

/// Transcripts: every record once, totals that add up, headers on every page, periods.
struct TranscriptTests {
    static let folder = Fixture.root.appendingPathComponent("Examples/transcript")

    static func records(learnerID: String = "L-2018-000101") throws -> (Learner, [CompletionRecord]) {
        let renderer = try Fixture.renderer()
        var activities: [String: Activity] = [:]
        for path in ["Examples/asco-2018/activity.yaml", "Examples/qopi-2022/activity.yaml",
                     "Examples/transcript/activities/tumor-board.activity.yaml", "Examples/transcript/activities/journal.activity.yaml"] {
            let activity = try renderer.readActivity(Fixture.root.appendingPathComponent(path))
            activities[activity.id] = activity
        }
        let learner = try LearnerReader.readIdentity(folder.appendingPathComponent("learner.yaml"))
        let records = try CompletionRecords.read(folder.appendingPathComponent("records.csv"), learnerID: learnerID,
                                                 activities: activities, boards: renderer.boards)
        return (learner, records)
    }

    static func write(_ transcript: Transcript) throws -> (URL, Int) {
        let renderer = try Fixture.renderer()
        let layout = try TranscriptLayout.read(Fixture.resources.transcriptLayouts.appendingPathComponent("transcript.yaml"), fonts: Fixture.fonts)
        let url = try Fixture.temporaryFolder().appendingPathComponent("transcript.pdf")
        let metadata = PDFMetadata(title: "Transcript", author: transcript.issuer, subject: "", keywords: [], creationDate: Fixture.fixedDate)
        let pages = try TranscriptWriter(layout: layout, engine: renderer.layouter.engine).write(transcript, to: url, metadata: metadata)
        return (url, pages)
    }

    static func transcript(from: CivilDate? = nil, to: CivilDate? = nil) throws -> Transcript {
        let (learner, records) = try Self.records()
        return Transcript(learner: learner, records: records, from: from, to: to, issuer: "Example Issuer",
                          issueDate: CivilDate(year: 2023, month: 1, day: 15))
    }

    @Test func theExampleIsThreePagesWithEveryRecordExactlyOnce() throws {
        let transcript = try Self.transcript()
        #expect(transcript.rows.count == 49)
        let (url, pages) = try Self.write(transcript)
        #expect(pages == 3)
        // In drawing order each cell's text is whole, and each row prints its completion date
        // in ISO form, which nothing else on the page does.
        let text = try runTool("pdftotext", ["-raw", "-enc", "UTF-8", url.path, "-"]).folded
        #expect(text.matches(of: /[0-9]{4}-[0-9]{2}-[0-9]{2}/).count == 49)
        for record in transcript.rows {
            let line = "\(record.completionDate) \(record.activityTitle)"
            #expect(text.components(separatedBy: line).count - 1 == (record.activityTitle == "QOPI Certification Program" ? 2 : 1), "\(line)")
        }
        #expect(!text.contains("L-2019-000777"))
    }

    @Test func repeatsTheTableHeaderAndNumbersEveryPage() throws {
        let (url, pages) = try Self.write(try Self.transcript())
        for page in 1...pages {
            let text = try runTool("pdftotext", ["-raw", "-f", "\(page)", "-l", "\(page)", "-enc", "UTF-8", url.path, "-"]).folded
            #expect(text.contains("Completed Activity Provider Format Credit type Amount"), "page \(page)")
            #expect(text.contains("Page \(page) of \(pages)"))
        }
    }

    @Test func subtotalsEqualTheSumOfTheirRows() throws {
        let transcript = try Self.transcript()
        for subtotal in transcript.subtotals {
            let rows = transcript.rows.filter { Transcript.label($0.creditType, board: $0.board) == subtotal.label }
            #expect(subtotal.amount == rows.reduce(CreditAmount(quarters: 0)) { $0 + $1.amount }, "\(subtotal.label)")
        }
        #expect(transcript.subtotals.map(\.label) == ["AMA PRA Category 1 Credit™", "ABIM MOC points"])
        #expect(transcript.grandTotals.moc == CreditAmount(quarters: 80))
        let text = try runTool("pdftotext", ["-enc", "UTF-8", Self.write(transcript).0.path, "-"]).folded
        #expect(text.contains("AMA PRA Category 1 Credit™: \(transcript.subtotals[0].amount) (of which \(transcript.subtotals[0].selfReported) self-reported)"))
        #expect(text.contains("MOC points, counted apart from credit: 20"))
    }

    @Test func periodBoundsAreInclusive() throws {
        let from = CivilDate(year: 2021, month: 1, day: 6), to = CivilDate(year: 2021, month: 12, day: 6)
        let dates = try Self.transcript(from: from, to: to).rows.map(\.completionDate)
        #expect(dates.first == from)
        #expect(dates.last == to)
        #expect(try Self.transcript(from: CivilDate(year: 2021, month: 1, day: 7), to: to).rows.first?.completionDate != from)
        #expect(dates == dates.sorted())
    }

    @Test func anEmptyPeriodGivesATranscriptThatSaysSo() throws {
        let transcript = try Self.transcript(from: CivilDate(year: 2030, month: 1, day: 1), to: CivilDate(year: 2030, month: 12, day: 31))
        #expect(transcript.rows.isEmpty)
        let (url, pages) = try Self.write(transcript)
        #expect(pages == 1)
        let text = try runTool("pdftotext", ["-enc", "UTF-8", url.path, "-"]).folded
        #expect(text.contains("No completed activities are recorded for this learner in this period (January 1 – December 31, 2030)."))
    }

    @Test func masksPersonalNumbersToTheirLastDigits() throws {
        #expect(Transcript.mask("A1234567") == "•••••567")
        #expect(Transcript.mask("1234567890") == "•••••••890")
        #expect(try Self.transcript().identifiers == "Learner ID L-2018-000101   ·   California license •••••567   ·   Illinois license •••••••842   ·   NPI •••••••890")
    }

    @Test func refusesRecordsThatDoNotReadAsRecords() throws {
        let csv = try Fixture.file("records.csv", """
            learner_id,activity_id,credit_type,amount,completion_date
            L-1,NOPE,ama-pra-category-1,1,2020-01-01
            L-1,,ama-pra-category-1,1.1,2020-13-01
            """)
        do {
            _ = try CompletionRecords.read(csv, displayName: "records.csv", learnerID: "L-1", activities: [:], boards: BoardCatalog(boards: [:]))
            Issue.record("expected a refusal")
        } catch {
            #expect(error.problems.map(\.description) == [
                "records.csv row 2: column 'activity_id' (learner L-1): there is no activity file with id 'NOPE' — pass its activity file with --activities, or mark the row self_reported with its title and provider",
                "records.csv row 3: column 'amount' (learner L-1): '1.1' is not an amount in steps of 0.25",
                "records.csv row 3: column 'completion_date' (learner L-1): '2020-13-01' is not a date — write it as YYYY-MM-DD",
                "records.csv row 3: column 'title' (learner L-1): is required for a record without an activity file",
                "records.csv row 3: column 'provider' (learner L-1): is required for a record without an activity file",
            ])
        }
    }
}

/// Transcripts from the registry's own certificates, and a completion given twice counted once.
struct TranscriptSourceTests {
    typealias CLI = CommandLineTests

    @Test func aTranscriptFromTheRegistryHoldsTheLearnersIssuedCertificates() throws {
        let (folder, environment, _) = try BadgeTests.issued()
        let out = folder.appendingPathComponent("transcript.pdf")
        let run = try CLI.run(["transcript", "--learner-id", "L-2022-000202", "--issue-date", "2023-01-15", "--out", out.path],
                              environment: environment.merging(["CREDITPRESS_SIGNING": ""]) { $1 })
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("1 record on 1 page"))
        let text = try runTool("pdftotext", [out.path, "-"]).folded
        #expect(text.contains("田中 愛子, RN, BSN"))
        #expect(text.contains("QOPI Certification Program") && text.contains("20"))
        #expect(text.contains("1 record · Issued January 15, 2023 by American Society of Clinical Oncology"), "\(text)")
        #expect(text.contains("FL license"), "US spelling")
        let nobody = try CLI.run(["transcript", "--learner-id", "L-NOBODY", "--out", out.path], environment: environment)
        #expect(nobody.status == 65)
        #expect(nobody.errors.contains("has no issued certificate in this registry"))
    }

    @Test func aCompletionGivenTwiceCountsOnce() throws {
        let folder = try Fixture.temporaryFolder()
        let lines = try String(contentsOf: Fixture.root.appendingPathComponent("Examples/transcript/records.csv"), encoding: .utf8)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        let records = try Fixture.file("records.csv", ([lines[0], lines[1], lines[1]] + lines.dropFirst(2)).joined(separator: "\r\n") + "\r\n", in: folder)
        let out = folder.appendingPathComponent("t.pdf")
        let run = try CLI.run(["transcript", "--learner", "Examples/transcript/learner.yaml", "--records", records.path,
                               "--activities", "Examples", "--issue-date", "2023-01-15", "--out", out.path])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.errors.contains("warning: row 3 repeats row 2") && run.errors.contains("counted once"), "\(run.errors)")
        #expect(run.output.contains("49 records"), "the same count as without the repeated row")
    }
}

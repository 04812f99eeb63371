import CreditRecords
import Foundation

/// One made-up learner per kind of certificate an activity can give, each claiming the
/// most the activity designates: what staff look at to proofread a new activity before any
/// learner exists (`creditpress preview`).
public enum SampleLearners {
    public struct Sample: Sendable {
        /// `physician`, `physician-moc`, `nurse`, …: names the preview's files.
        public var label: String
        public var learner: Learner
    }

    /// The samples the activity's credits call for, always ending with a certificate of
    /// participation. A sample the claim rules refuse is left out by the caller.
    public static func samples(for activity: Activity) throws -> [Sample] {
        func maximum(_ type: CreditType) -> CreditDesignation? { activity.designations.first { $0.type == type } }
        var made: [(String, String)] = []
        let common = """
            completionDate: \(activity.endDate)
            evaluationCompleted: true
            email: sample.learner@example.org
            """
        func claim(_ type: CreditType, _ amount: CreditAmount, board: String? = nil, pointType: String? = nil) -> String {
            "  - type: \(type.rawValue)\n    amount: \(amount)" + (board.map { "\n    board: \($0)" } ?? "")
                + (pointType.map { "\n    pointType: \(quoted($0))" } ?? "")
        }
        func learner(_ label: String, profession: Profession, degrees: [String], claims: [String], extra: String = "") {
            let suffix = degrees.isEmpty ? "" : ", " + degrees.joined(separator: ", ")
            made.append((label, """
                id: SAMPLE-\(label.uppercased())
                name:
                  first: Sample
                  last: Learner
                  professional: \(quoted("Sample Learner" + suffix))
                degrees: [\(degrees.map(quoted).joined(separator: ", "))]
                profession: \(profession.rawValue)
                claims:
                \(claims.joined(separator: "\n"))
                \(common)
                \(extra)
                """))
        }
        if let ama = maximum(.amaPRACategory1) {
            learner("physician", profession: .physician, degrees: ["MD"], claims: [claim(.amaPRACategory1, ama.maximum)])
            for moc in activity.designations where moc.type == .moc {
                guard let board = moc.board else { continue }
                let points = min(moc.maximum, ama.maximum)
                learner("physician-moc-\(board.id)", profession: .physician, degrees: ["MD"],
                        claims: [claim(.amaPRACategory1, ama.maximum),
                                 claim(.moc, points, board: board.id, pointType: moc.pointTypes.first)],
                        extra: "boards:\n  \(board.id): \"123456\"\nmocConsent: true\nbirthMonthDay: 06-15")
            }
        }
        if let ancc = maximum(.ancc) {
            learner("nurse", profession: .nurse, degrees: ["RN"], claims: [claim(.ancc, ancc.maximum)])
        }
        if let acpe = maximum(.acpe) {
            let extra = "nabpEPID: \"1234567\"\nbirthMonthDay: 06-15"
            if acpe.uans[.pharmacist] != nil {
                learner("pharmacist", profession: .pharmacist, degrees: ["PharmD"], claims: [claim(.acpe, acpe.maximum)], extra: extra)
            }
            if acpe.uans[.technician] != nil {
                learner("pharmacy-technician", profession: .pharmacyTechnician, degrees: ["CPhT"], claims: [claim(.acpe, acpe.maximum)], extra: extra)
            }
        }
        if let aapa = maximum(.aapaCategory1) {
            learner("physician-assistant", profession: .physicianAssistant, degrees: ["PA-C"], claims: [claim(.aapaCategory1, aapa.maximum)])
        }
        let hours = activity.designations.map(\.maximum).max() ?? CreditAmount(quarters: 4)
        if maximum(.aapaCategory1) == nil, activity.aapaAcceptsAMACredit {
            // A PA's certificate of participation, with NCCPA's acceptance of AMA PRA credit.
            learner("physician-assistant", profession: .physicianAssistant, degrees: ["PA-C"], claims: [claim(.participation, hours)])
        }
        if let ipce = maximum(.ipce) {
            learner("ipce", profession: .other, degrees: [], claims: [claim(.ipce, ipce.maximum)])
        }
        learner("participation", profession: .other, degrees: [], claims: [claim(.participation, hours)])
        return try made.map { label, text in
            Sample(label: label, learner: try LearnerReader.read(Data(text.utf8), displayName: "sample \(label)"))
        }
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

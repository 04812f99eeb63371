import CreditRecords
import Foundation

/// One learner's completed activities over a period, sorted and totalled: what a
/// transcript says, before it is laid out.
public struct Transcript {
    public let learner: Learner
    public let from: CivilDate?
    public let to: CivilDate?
    public let rows: [CompletionRecord]
    public let issuer: String
    public let issueDate: CivilDate
    /// Records left out because another row already holds the same completion, with why.
    public let notices: [String]

    /// A subtotal: one credit type (and board, for MOC points).
    public struct Subtotal: Equatable {
        public var label: String
        public var amount: CreditAmount
        public var selfReported: CreditAmount
        public var isMOC: Bool
    }

    /// Selects `records` in the period (inclusive at both ends) and sorts them by date.
    public init(learner: Learner, records: [CompletionRecord], from: CivilDate?, to: CivilDate?,
                issuer: String?, issueDate: CivilDate) {
        self.learner = learner
        self.from = from
        self.to = to
        // The same completion twice (a row pasted twice, a record in two exports) counts once.
        var seen: [String: Int] = [:]
        var kept: [CompletionRecord] = []
        var notices: [String] = []
        for record in records {
            let key = [record.activityTitle, record.provider, "\(record.completionDate)", record.creditType.rawValue, record.board ?? "",
                       record.pointType ?? "", "\(record.amount)"].joined(separator: "\u{1F}")
            if let first = seen[key] {
                notices.append("row \(record.row) repeats row \(first) (\(record.activityTitle), \(record.completionDate), \(record.amount) \(record.creditType.rawValue)): counted once")
                continue
            }
            seen[key] = record.row
            kept.append(record)
        }
        self.notices = notices
        self.rows = kept
            .filter { record in (from.map { $0 <= record.completionDate } ?? true) && (to.map { record.completionDate <= $0 } ?? true) }
            .sorted { ($0.completionDate, $0.activityTitle, $0.row) < ($1.completionDate, $1.activityTitle, $1.row) }
        // The providers whose records these are: named, never the program's own name.
        let providers = Array(Set(kept.map(\.provider).filter { !$0.isEmpty })).sorted()
        switch providers.count {
        case 0: self.issuer = issuer ?? "the providers named on each record"
        case 1: self.issuer = issuer ?? providers[0]
        case 2...3: self.issuer = issuer ?? "the records of " + providers.dropLast().joined(separator: ", ") + " and " + providers.last!
        default: self.issuer = issuer ?? "the records of \(providers.count) providers, each named on its row"
        }
        self.issueDate = issueDate
    }

    /// One subtotal per credit type, in a fixed order; MOC points by board.
    public var subtotals: [Subtotal] {
        var totals: [String: Subtotal] = [:]
        var order: [String] = []
        for row in rows {
            let key = row.creditType == .moc ? "moc:\(row.board ?? "")" : row.creditType.rawValue
            if totals[key] == nil {
                order.append(key)
                totals[key] = Subtotal(label: Transcript.label(row.creditType, board: row.board), amount: CreditAmount(quarters: 0),
                                       selfReported: CreditAmount(quarters: 0), isMOC: row.creditType == .moc)
            }
            totals[key]!.amount = totals[key]!.amount + row.amount
            if row.selfReported { totals[key]!.selfReported = totals[key]!.selfReported + row.amount }
        }
        let rank: [CreditType] = [.amaPRACategory1, .ancc, .acpe, .aapaCategory1, .ipce, .participation, .moc]
        return order.sorted { a, b in
            let (ta, tb) = (CreditType(rawValue: String(a.prefix { $0 != ":" }))!, CreditType(rawValue: String(b.prefix { $0 != ":" }))!)
            return (rank.firstIndex(of: ta)!, a) < (rank.firstIndex(of: tb)!, b)
        }.map { totals[$0]! }
    }

    /// Credits and contact hours together, MOC points apart.
    public var grandTotals: (credit: CreditAmount, moc: CreditAmount) {
        rows.reduce((CreditAmount(quarters: 0), CreditAmount(quarters: 0))) { sum, row in
            row.creditType == .moc ? (sum.0, sum.1 + row.amount) : (sum.0 + row.amount, sum.1)
        }
    }

    /// "AMA PRA Category 1 Credit™", "ABIM MOC points", … as a transcript prints them.
    package static func label(_ type: CreditType, board: String?) -> String {
        switch type {
        case .amaPRACategory1: return "AMA PRA Category 1 Credit™"
        case .ancc: return "ANCC contact hours"
        case .acpe: return "ACPE contact hours"
        case .aapaCategory1: return "AAPA Category 1 CME credit"
        case .ipce: return "IPCE credit"
        case .moc: return "\(board ?? "") MOC points"
        case .participation: return "Hours of participation"
        }
    }

    /// "June 1, 2018 – December 31, 2022", or "all records".
    public var periodText: String {
        switch (from, to) {
        case let (from?, to?): return CivilDate.longForm(from: from, to: to)
        case let (from?, nil): return "from \(from.longForm)"
        case let (nil, to?): return "through \(to.longForm)"
        default: return "all records"
        }
    }

    /// The learner's identifiers, with personal numbers masked to their last digits.
    public var identifiers: String {
        var parts = ["Learner ID \(learner.id)"]
        for license in learner.licenses { parts.append("\(license.issuer) license \(Transcript.mask(license.number))") }
        if let npi = learner.npi { parts.append("NPI \(Transcript.mask(npi))") }
        return parts.joined(separator: "   ·   ")
    }

    /// `A1234567` → `•••••567`: all but the last three characters (two for short numbers) hidden.
    package static func mask(_ number: String) -> String {
        let shown = number.count > 6 ? 3 : max(0, min(2, number.count - 2))
        return String(repeating: "•", count: number.count - shown) + number.suffix(shown)
    }
}

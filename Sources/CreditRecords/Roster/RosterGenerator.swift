import CSV
import Foundation

/// Makes realistic rosters for benchmarks and tests: names in many scripts, every
/// profession, claims within the example activity's designations. Deterministic by seed.
public struct RosterGenerator {
    package static let given: [[String]] = [
        ["Sarah", "James", "María", "José", "Zoë", "Łukasz", "Ingrid", "Siobhán", "François", "Björn"],
        ["Minh Khai", "Thùy Linh", "Quốc Bảo"],
        ["محمد", "فاطمة", "أحمد"],
        ["דוד", "מרים"],
        ["小明", "美玲"],
        ["愛子", "健太"],
        ["민준", "서연"],
        ["आरव", "प्रिया"],
        ["Ελένη", "Νίκος"],
        ["Анна", "Дмитрий"],
    ]
    package static let family: [[String]] = [
        ["Whitfield", "García", "Müller", "Łukasiewicz-Ñúñez", "O'Connor", "van der Berg", "Okafor", "Solberg",
         "von Hohenzollern-Sigmaringen", "Castillo"],
        ["Nguyễn", "Trần", "Phạm"],
        ["عبد الله", "حداد", "الخطيب"],
        ["כהן", "לוי"],
        ["王", "李"],
        ["田中", "佐藤"],
        ["김", "이"],
        ["शर्मा", "पटेल"],
        ["Παπαδοπούλου", "Γεωργίου"],
        ["Иванова", "Смирнов"],
    ]
    package static let professions: [(Profession, [String], Int)] = [
        (.physician, ["MD"], 60), (.nurse, ["RN"], 20), (.pharmacist, ["PharmD"], 8),
        (.pharmacyTechnician, ["CPhT"], 2), (.physicianAssistant, ["PA-C"], 5), (.other, ["MS"], 5),
    ]

    public var seed: UInt64 = 2018

    public init(seed: UInt64 = 2018) {
        self.seed = seed
    }

    /// Writes a roster of `count` learners for the 2018 ASCO example to `url`.
    public func write(count: Int, to url: URL) throws {
        guard let stream = OutputStream(url: url, append: false) else {
            throw RenderError(file: url.path, message: "cannot create the roster file")
        }
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: ["id", "first_name", "last_name", "professional_name", "degrees", "profession",
                               "completion_date", "ama_pra_category_1", "ancc", "acpe", "participation",
                               "nabp_epid", "birth_month_day"])
        var random = seed
        func next(_ bound: Int) -> Int {
            random = random &* 6364136223846793005 &+ 1442695040888963407
            return Int((random >> 33) % UInt64(bound))
        }
        for index in 0..<count {
            let script = next(4) == 0 ? 1 + next(Self.given.count - 1) : 0
            let first = Self.given[script][next(Self.given[script].count)]
            let last = Self.family[script][next(Self.family[script].count)]
            var pick = next(100)
            var profession = Self.professions[0]
            for candidate in Self.professions {
                if pick < candidate.2 { profession = candidate; break }
                pick -= candidate.2
            }
            let degrees = profession.1.joined(separator: ", ")
            let amount = "\(Double(1 + next(155)) / 4)"
            var credit = ["", "", "", ""]
            switch profession.0 {
            case .physician: credit[0] = amount
            case .nurse: credit[1] = amount
            case .pharmacist, .pharmacyTechnician: credit[2] = amount
            default: credit[3] = amount
            }
            let pharmacy = profession.0 == .pharmacist || profession.0 == .pharmacyTechnician
            try writer.write(row: [String(format: "BENCH-%06d", index + 1), first, last, "\(first) \(last), \(degrees)",
                                   degrees, profession.0.rawValue, "2018-06-0\(1 + next(5))"] + credit
                                   + [pharmacy ? String(format: "%07d", index) : "", pharmacy ? "0\(1 + next(9))-1\(next(9))" : ""])
        }
        writer.stream.close()
    }
}

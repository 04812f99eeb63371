import Foundation

/// A checked learner record with the credit they claim for one activity.
public struct Learner: Sendable, Codable {
    public var id: String
    public var firstName: String
    public var middleName: String?
    public var lastName: String
    /// The name exactly as it is to be printed, NFC-normalised.
    public var professionalName: String
    public var degrees: [String]
    /// The certification type: which kind of certificate the learner is entitled to.
    public var profession: Profession
    public var email: String?
    public var claims: [Claim]
    public var completionDate: CivilDate
    /// When the learner claimed; the issue time stands in when absent.
    public var claimedAt: Date?
    public var evaluationCompleted: Bool
    /// Board ids by board (`abim: "123456"`), for MOC reporting.
    public var boardIDs: [String: String]
    /// The first and last name as on each board's record (the ABIM Diplomate record), by
    /// board, where they differ from the learner's own; MOC reports carry them. Never printed.
    public var boardNames: [String: PersonName]?
    /// Birth month and day, `MM-DD`, which MOC and CPE Monitor reporting need. Never printed.
    public var birthMonthDay: String?
    /// The learner agrees that completions are reported to their board.
    public var mocConsent: Bool
    /// NABP e-Profile ID, which pharmacy credit reporting needs.
    public var nabpEPID: String?
    /// Licences held, shown masked on transcripts (only the last digits).
    public var licenses: [License] = []
    /// National Provider Identifier, shown masked on transcripts.
    public var npi: String?
    /// The file the learner was read from, for messages.
    public var sourceFile: String
    /// The line of each field in the learner's file (`claims[1].amount` → 14), for messages;
    /// none for a roster row, whose problems name the row.
    public var sourceLines: [String: Int]?

    /// A first and a last name, as a board's record holds them.
    public struct PersonName: Sendable, Equatable, Codable {
        public var first: String
        public var last: String

        public init(first: String, last: String) {
            (self.first, self.last) = (first, last)
        }
    }

    /// The name a board knows the learner by: its record's, else her own.
    public func name(onRecordOf board: String) -> PersonName {
        boardNames?[board] ?? PersonName(first: firstName, last: lastName)
    }

    /// A licence to practise: the issuing state or board and the number.
    /// A licence to practise: who issued it (a state, `FL`), its number, and the profession
    /// it licenses in the issuer's codes (`RN`, `APRN`), which licence-tracking reports name.
    public struct License: Sendable, Equatable, Codable {
        public var issuer: String
        public var number: String
        public var profession: String?

        public init(issuer: String, number: String, profession: String? = nil) {
            (self.issuer, self.number, self.profession) = (issuer, number, profession)
        }
    }

    /// One line of credit the learner claims.
    public struct Claim: Sendable, Equatable, Codable {
        public var type: CreditType
        public var amount: CreditAmount
        /// MOC: the board, and the point type where the board has types.
        public var board: String?
        public var pointType: String?
        /// The amount as written when it is off the 0.25 grid (`38.8`; `amount` is then
        /// rounded up): the claim rules refuse it, saying so and comparing it with the maximum.
        public var offGrid: String?

        public init(type: CreditType, amount: CreditAmount, board: String? = nil, pointType: String? = nil) {
            self.type = type
            self.amount = amount
            self.board = board
            self.pointType = pointType
        }

        /// `ama-pra-category-1`, or `moc:abim` with the board: how records and QR payloads name it.
        public var code: String { board.map { "\(type.rawValue):\($0)" } ?? type.rawValue }
    }

    /// Whether the learner holds an MD or DO, the degrees AMA PRA credit is for.
    public var isPhysician: Bool {
        profession == .physician
            || degrees.contains { ["MD", "DO", "MBBS", "MBCHB"].contains(normalisedDegree($0)) }
    }

    private func normalisedDegree(_ degree: String) -> String {
        degree.uppercased().filter { $0.isLetter }
    }
}

/// The learner's profession (certification type), which decides what credit they may receive.
public enum Profession: String, CaseIterable, Sendable, Codable {
    case physician
    case nurse
    case pharmacist
    case pharmacyTechnician = "pharmacy-technician"
    case physicianAssistant = "physician-assistant"
    case other

    package static var allNames: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }

    /// A profession by its name, or by the words and degrees people write for it
    /// ("nurse practitioner", "NP", "PA-C", "PharmD", "DO", "CPhT").
    public static func named(_ text: String) -> Profession? {
        let key = text.lowercased().filter { $0.isLetter || $0.isNumber }
        if let exact = Profession(rawValue: text.lowercased()) { return exact }
        if let found = allCases.first(where: { $0.rawValue.filter { $0.isLetter } == key }) { return found }
        return aliases[key]
    }

    /// The profession a learner's degrees say, when one of them says one: the first that does.
    public static func inferred(fromDegrees degrees: [String]) -> Profession? {
        for degree in degrees {
            let key = degree.lowercased().filter { $0.isLetter || $0.isNumber }
            if let profession = degreeProfessions[key] { return profession }
        }
        return nil
    }

    /// Words for a profession.
    static let aliases: [String: Profession] = {
        var map = degreeProfessions
        for (words, profession) in [
            ("physicianmd", Profession.physician), ("medicaldoctor", .physician), ("surgeon", .physician),
            ("resident", .physician), ("fellow", .physician),
            ("nursepractitioner", .nurse), ("registerednurse", .nurse), ("nursing", .nurse), ("advancedpracticenurse", .nurse),
            ("clinicalnursespecialist", .nurse), ("nurseanesthetist", .nurse), ("midwife", .nurse),
            ("pharmacy", .pharmacist), ("clinicalpharmacist", .pharmacist),
            ("technician", .pharmacyTechnician), ("pharmacytech", .pharmacyTechnician), ("pharmtech", .pharmacyTechnician),
            ("pa", .physicianAssistant), ("physicianassociate", .physicianAssistant),
        ] { map[words] = profession }
        return map
    }()

    /// Degrees and credentials that name a profession (the letters only, lowercased).
    static let degreeProfessions: [String: Profession] = [
        "md": .physician, "do": .physician, "mbbs": .physician, "mbchb": .physician,
        "rn": .nurse, "np": .nurse, "aprn": .nurse, "arnp": .nurse, "crna": .nurse, "cns": .nurse, "cnm": .nurse,
        "lpn": .nurse, "lvn": .nurse, "fnp": .nurse, "dnp": .nurse, "bsn": .nurse, "msn": .nurse,
        "pharmd": .pharmacist, "rph": .pharmacist, "bpharm": .pharmacist,
        "cpht": .pharmacyTechnician,
        "pac": .physicianAssistant, "pa": .physicianAssistant,
    ]
}

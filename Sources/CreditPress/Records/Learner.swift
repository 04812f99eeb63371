/// A checked learner record with the credit they claim for one activity.
public struct Learner: Sendable {
    public var id: String
    public var firstName: String
    public var middleName: String?
    public var lastName: String
    /// The name exactly as it is to be printed, NFC-normalised.
    public var professionalName: String
    public var degrees: [String]
    public var profession: Profession
    public var email: String?
    public var claims: [Claim]
    public var completionDate: CivilDate
    /// The file the learner was read from, for messages.
    public var sourceFile: String

    /// One line of credit the learner claims.
    public struct Claim: Sendable, Equatable {
        public var type: CreditType
        public var amount: CreditAmount
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

/// The learner's profession, which decides which credit they may receive.
public enum Profession: String, CaseIterable, Sendable {
    case physician
    case nurse
    case pharmacist
    case pharmacyTechnician = "pharmacy-technician"
    case physicianAssistant = "physician-assistant"
    case other

    static var allNames: String {
        allCases.map(\.rawValue).joined(separator: ", ")
    }
}

import CreditRecords
import Foundation

/// Account Details as the learner gives them, kept as the JSON a learner file would hold,
/// and checked with the same limits: the professional name as it is to be printed and the
/// certification type are needed before any claim.
struct AccountDetails {
    var first = "", last = "", professional = "", profession = "", degrees = ""
    var board = "", boardID = "", boardFirst = "", boardLast = "", birthMonthDay = "", nabpEPID = "", licenceState = "", licenceNumber = ""

    static let keys = ["first", "last", "professional", "profession", "degrees", "board", "boardID", "boardFirst", "boardLast",
                       "birthMonthDay", "nabpEPID", "licenceState", "licenceNumber"]

    init(form: [String: String]) {
        func value(_ key: String) -> String {
            (form[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        }
        (first, last, professional, profession, degrees) = (value("first"), value("last"), value("professional"), value("profession"), value("degrees"))
        (board, boardID, boardFirst, boardLast) = (value("board"), value("boardID"), value("boardFirst"), value("boardLast"))
        (birthMonthDay, nabpEPID, licenceState, licenceNumber) = (value("birthMonthDay"), value("nabpEPID"), value("licenceState"), value("licenceNumber"))
    }

    init(json: String) {
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: String] ?? [:]
        self.init(form: object)
    }

    var json: String {
        let object = Dictionary(uniqueKeysWithValues: zip(Self.keys, [first, last, professional, profession, degrees, board, boardID,
                                                                       boardFirst, boardLast, birthMonthDay, nabpEPID, licenceState, licenceNumber]))
            .filter { !$0.value.isEmpty }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Claiming needs the name as printed and the certification type.
    var readyToClaim: Bool { !first.isEmpty && !last.isEmpty && !professional.isEmpty && Profession(rawValue: profession) != nil }

    /// Each problem with the field it is in, said as the command line says it.
    var problems: [(field: String, message: String)] {
        var found: [(String, String)] = []
        func check(_ field: String, _ text: String, limit: Int, label: String) {
            if text.unicodeScalars.count > limit { found.append((field, "\(label) is \(text.unicodeScalars.count) characters long, more than the \(limit) it may be")) }
            if let bad = text.unicodeScalars.first(where: FieldMapping.isControl) {
                found.append((field, "\(label) holds the control character \(String(format: "U+%04X", bad.value)), which cannot be printed"))
            }
        }
        check("first", first, limit: FieldMapping.maximumNameLength, label: "The first name")
        check("last", last, limit: FieldMapping.maximumNameLength, label: "The last name")
        check("professional", professional, limit: FieldMapping.maximumNameLength, label: "The professional name")
        for (field, text) in [("degrees", degrees), ("boardID", boardID), ("boardFirst", boardFirst), ("boardLast", boardLast),
                             ("licenceNumber", licenceNumber)] {
            check(field, text, limit: 200, label: "This field")
        }
        if first.isEmpty { found.append(("first", "Give your first (given) name as your licence shows it: reports to boards match you by it.")) }
        if last.isEmpty { found.append(("last", "Give your last (family) name as your licence shows it.")) }
        if professional.isEmpty { found.append(("professional", "Give your name exactly as it is to be printed on your certificates, for example Sarah A. Whitfield, MD.")) }
        if Profession(rawValue: profession) == nil { found.append(("profession", "Choose your certification type: it decides which certificate you receive.")) }
        if !birthMonthDay.isEmpty, birthMonthDay.wholeMatch(of: /(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])/) == nil {
            found.append(("birthMonthDay", "Write your birth month and day as MM-DD, for example 06-15."))
        }
        if !nabpEPID.isEmpty, nabpEPID.wholeMatch(of: /[0-9]{1,10}/) == nil {
            found.append(("nabpEPID", "The NABP e-Profile ID is a number of up to 10 digits, found in your CPE Monitor profile."))
        }
        if !boardID.isEmpty, board.isEmpty { found.append(("board", "Choose the board that gave this id.")) }
        if boardFirst.isEmpty != boardLast.isEmpty {
            found.append((boardFirst.isEmpty ? "boardFirst" : "boardLast", "Give both the first and the last name as on the board's record, or neither."))
        }
        return found
    }

    /// The values the account page shows.
    func values(session: LearnerSession) -> [String: Any] {
        var values: [String: Any] = ["csrf": session.csrf, "email": session.account.email, "readyToClaim": readyToClaim]
        for (key, value) in zip(Self.keys, [first, last, professional, profession, degrees, board, boardID, boardFirst, boardLast,
                                            birthMonthDay, nabpEPID, licenceState, licenceNumber]) { values[key] = value }
        values["professions"] = Profession.allCases.map { ["value": $0.rawValue, "label": Self.label($0), "selected": $0.rawValue == profession] }
        values["boards"] = ["abim", "abp", "aba", "abs", "abpath", "abo"].map { ["value": $0, "label": $0.uppercased(), "selected": $0 == board] }
        return values
    }

    static func label(_ profession: Profession) -> String {
        switch profession {
        case .physician: return "Physician (MD, DO)"
        case .nurse: return "Nurse"
        case .pharmacist: return "Pharmacist"
        case .pharmacyTechnician: return "Pharmacy technician"
        case .physicianAssistant: return "Physician assistant"
        case .other: return "Other health care professional"
        }
    }
}

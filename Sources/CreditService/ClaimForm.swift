import CreditRecords
import CreditRegistry
import Foundation

/// One line of credit the claim form offers: a designation the rules let this learner
/// claim, with its form field.
struct OfferedCredit {
    let designation: CreditDesignation
    /// The claim's type: a learner offered no credit claims hours of participation.
    let type: CreditType

    /// `amount-ama-pra-category-1`, `amount-moc-abim`.
    var field: String { "amount-" + type.rawValue + (designation.board.map { "-\($0.id)" } ?? "") }
    var isMOC: Bool { type == .moc }
    var maximum: CreditAmount { designation.maximum }

    var label: String {
        if let board = designation.board { return "\(board.abbreviation) MOC points" }
        return Self.name(type)
    }

    /// The credit's name as the page prints it: AMA's with its trademark sign, as AMA asks.
    static func name(_ type: CreditType) -> String {
        switch type {
        case .amaPRACategory1: return "AMA PRA Category 1 Credits™"
        case .participation: return "Hours of participation"
        default: return type.displayName
        }
    }
}

/// The learner record a claim makes, built from her Account Details and the claim form,
/// as JSON a learner file could hold: the core's learner reader and claim rules check it
/// exactly as they check a learner file, and the registry keeps it as the certificate's input.
struct ClaimDocument {
    let account: Account
    let details: AccountDetails

    /// The learner without a claim: whom the rules decide the offer for.
    func identity() throws -> Learner {
        var object = base()
        object["completionDate"] = nil
        return try LearnerReader.readIdentity(Self.encode(object), displayName: "your Account Details")
    }

    /// The credit this learner may claim for `activity`: what the rules offer her, else
    /// hours of participation.
    static func offers(activity: Activity, learner: Learner) -> [OfferedCredit] {
        let offered = ClaimRules.offers(activity: activity, learner: learner).map { OfferedCredit(designation: $0, type: $0.type) }
        if !offered.isEmpty { return offered }
        return ClaimRules.participation(for: activity).map { [OfferedCredit(designation: $0, type: .participation)] } ?? []
    }

    /// What the learner document holds whatever the claim.
    private func base() -> [String: Any] {
        var name: [String: Any] = ["first": details.first, "last": details.last, "professional": details.professional]
        name = name.filter { !(($0.value as? String) ?? "").isEmpty }
        var object: [String: Any] = ["id": account.learnerID, "name": name, "profession": details.profession, "email": account.email]
        let degrees = details.degrees.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if !degrees.isEmpty { object["degrees"] = degrees }
        if !details.nabpEPID.isEmpty { object["nabpEPID"] = details.nabpEPID }
        if !details.birthMonthDay.isEmpty { object["birthMonthDay"] = details.birthMonthDay }
        if !details.board.isEmpty, !details.boardID.isEmpty { object["boards"] = [details.board: details.boardID] }
        if !details.board.isEmpty, !details.boardFirst.isEmpty, !details.boardLast.isEmpty {
            object["boardNames"] = [details.board: ["first": details.boardFirst, "last": details.boardLast]]
        }
        if !details.licenceState.isEmpty, !details.licenceNumber.isEmpty {
            object["licenses"] = [["issuer": details.licenceState, "number": details.licenceNumber]]
        }
        return object
    }

    /// The learner document for this claim, with the form field of each claim in order.
    func claim(offers: [OfferedCredit], form: [String: String], evaluationCompleted: Bool, at time: Date)
        -> (document: Data, claimFields: [String], moc: MOCDetails?) {
        var object = base()
        var claims: [[String: String]] = [], fields: [String] = []
        var moc: MOCDetails?
        for offer in offers {
            let amount = (form[offer.field] ?? "").trimmingCharacters(in: .whitespaces)
            guard !amount.isEmpty else { continue }
            var claim = ["type": offer.type.rawValue, "amount": amount]
            if let board = offer.designation.board {
                claim["board"] = board.id
                let details = MOCDetails(form: form, board: board.id)
                if let pointType = details.pointType ?? (offer.designation.pointTypes.count == 1 ? offer.designation.pointTypes[0] : nil) {
                    claim["pointType"] = pointType
                }
                moc = details
            }
            claims.append(claim)
            fields.append(offer.field)
        }
        if let moc {
            // What the board needs, as given on the MOC tab (which starts from Account Details).
            object["boards"] = moc.boardID.isEmpty ? nil : [moc.board: moc.boardID]
            object["boardNames"] = moc.boardFirst.isEmpty && moc.boardLast.isEmpty ? nil
                : [moc.board: ["first": moc.boardFirst, "last": moc.boardLast]]
            object["birthMonthDay"] = moc.birthMonthDay.isEmpty ? nil : moc.birthMonthDay
            object["mocConsent"] = moc.consent
        }
        object["claims"] = claims
        object["completionDate"] = (form["completionDate"] ?? "").trimmingCharacters(in: .whitespaces)
        object["claimedAt"] = ISODate.string(time)
        object["evaluationCompleted"] = evaluationCompleted
        return (Self.encode(object), fields, moc)
    }

    static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    }
}

/// The MOC tab: what the board needs to match the learner, and her consent to report.
struct MOCDetails {
    var board: String
    var boardID: String
    var boardFirst: String
    var boardLast: String
    var birthMonthDay: String
    var pointType: String?
    var consent: Bool

    init(form: [String: String], board: String) {
        func value(_ key: String) -> String { (form[key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        self.board = board
        boardID = value("moc-boardID")
        boardFirst = value("moc-boardFirst")
        boardLast = value("moc-boardLast")
        birthMonthDay = value("moc-birthMonthDay")
        pointType = value("moc-pointType").isEmpty ? nil : value("moc-pointType")
        consent = value("moc-consent") == "yes"
    }
}

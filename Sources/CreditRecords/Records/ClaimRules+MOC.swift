/// The rules for MOC points: the board's own requirements and the reporting data it needs.
extension ClaimRules {
    package mutating func checkMOC(_ claim: Learner.Claim, designation: CreditDesignation, field: String) {
        guard let board = designation.board else { return }
        let name = board.abbreviation
        if board.wholePoints && claim.amount.quarters % 4 != 0 {
            refuse("\(field).amount", "\(name) awards whole points only; \(claim.amount) is not whole",
                   "claim a whole number of points")
        }
        if board.limitedByCMEClaimed {
            let cme = learner.claims.first { $0.type == .amaPRACategory1 }?.amount
            if let cme, claim.amount > cme {
                refuse("\(field).amount", "\(name) MOC points (\(claim.amount)) may not exceed the AMA PRA Category 1 Credit claimed (\(cme))",
                       "claim at most \(cme) points")
            } else if cme == nil {
                refuse("\(field).type", "\(name) MOC points are earned with CME credit, and no AMA PRA Category 1 Credit is claimed",
                       "add the AMA PRA Category 1 Credit claim for this activity")
            }
        }
        checkPointType(claim, board: board, designation: designation, field: field)
        if learner.boardIDs[board.id] == nil {
            refuse("boards.\(board.id)", "is required to report \(name) MOC points", "add the learner's \(name) id under `boards:`")
        }
        if learner.birthMonthDay == nil {
            refuse("birthMonthDay", "is required to report \(name) MOC points", "add the learner's birth month and day as MM-DD")
        }
        if !learner.mocConsent {
            refuse("mocConsent", "the learner has not agreed to have \(name) MOC points reported to the board",
                   "set mocConsent: true once the learner has given consent")
        }
    }

    private mutating func checkPointType(_ claim: Learner.Claim, board: Board, designation: CreditDesignation, field: String) {
        guard !board.pointTypes.isEmpty else { return }
        guard let type = claim.pointType else {
            refuse("\(field).pointType", "is required for \(board.abbreviation) MOC points",
                   "one of: \(designation.pointTypes.joined(separator: ", "))")
            return
        }
        if !designation.pointTypes.contains(type) {
            refuse("\(field).pointType", "'\(type)' points are not offered by \(activity.id)",
                   "the activity offers: \(designation.pointTypes.joined(separator: ", "))")
        }
    }
}

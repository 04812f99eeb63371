import Foundation

/// The credit rules a claim must meet, each refusal in words a CME coordinator understands.
package struct ClaimRules {
    package let activity: Activity
    package let learner: Learner
    private(set) var problems: [Problem] = []

    package init(activity: Activity, learner: Learner) {
        self.activity = activity
        self.learner = learner
    }

    package mutating func refuse(_ field: String, _ message: String, _ hint: String? = nil) {
        problems.append(Problem(file: learner.sourceFile, line: line(of: field), field: field, learnerID: learner.id,
                                message: message, hint: hint))
    }

    /// The line of `field` in the learner's file, else of the nearest field holding it
    /// (`claims[0]` for `claims[0].board` when there is no board); nil for a roster row.
    private func line(of field: String) -> Int? {
        guard let lines = learner.sourceLines else { return nil }
        var path = Substring(field)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return nil
    }

    package mutating func checkAll(claimTime: Date?) {
        if learner.claims.isEmpty { refuse("claims", "lists no claim") }
        var seen: Set<String> = []
        for (index, claim) in learner.claims.enumerated() {
            let key = claim.code
            if !seen.insert(key).inserted {
                refuse("claims[\(index)].type", "\(key) is claimed twice", "keep one claim per credit type")
                continue
            }
            check(claim, field: "claims[\(index)]")
        }
        checkEvaluation()
        checkDeadline(claimTime)
        if learner.completionDate < activity.startDate {
            refuse("completionDate",
                   "completion date \(learner.completionDate) is before the activity starts (\(activity.startDate))",
                   "check the date against \(activity.sourceFile)")
        }
        checkNotFuture(claimTime)
    }

    /// Nobody completes an activity after claiming its credit: a completion date later than
    /// the claim (or the certificate's issue), on the activity's calendar, is a typing error.
    private mutating func checkNotFuture(_ claimTime: Date?) {
        guard let claimTime else { return }
        let claimed = CivilDate.day(of: claimTime, in: activity.timeZone)
        guard learner.completionDate > claimed else { return }
        refuse("completionDate",
               "completion date \(learner.completionDate) is after the claim, made \(claimed)\(learner.claimedAt == nil ? " (the certificate's issue date)" : ""): a completion cannot come later",
               "check the year and the order of month and day")
    }

    private mutating func check(_ claim: Learner.Claim, field: String) {
        if let written = claim.offGrid {
            refuse("\(field).amount", "\(written) is not in steps of 0.25", "round to the nearest quarter (e.g. 1.25, 1.5, 1.75)")
        }
        guard checkAccreditation(claim, field: field) else { return }
        guard let designation = activity.designation(for: claim) else {
            let what = claim.board.map { "\($0.uppercased()) \(claim.type.displayName)" } ?? claim.type.displayName
            refuse("\(field).type", "the activity \(activity.id) does not offer \(what)",
                   "claim one of the credits designated in \(activity.sourceFile)")
            return
        }
        guard checkEligibility(claim, field: field) else { return }
        let unit = claim.type.unit.plural
        if claim.amount > designation.maximum {
            refuse("\(field).amount", "claimed \(claim.offGrid ?? claim.amount.description) \(unit), more than the \(designation.maximum) designated for \(activity.id)",
                   "claim at most \(designation.maximum) \(unit)")
        }
        switch claim.type {
        case .acpe: checkPharmacy(designation, field: field)
        case .aapaCategory1: checkAAPA(designation, field: field)
        case .moc: checkMOC(claim, designation: designation, field: field)
        default: break
        }
    }

    /// The credit must be one the provider's accreditation awards on the activity's date.
    private mutating func checkAccreditation(_ claim: Learner.Claim, field: String) -> Bool {
        guard let accreditation = activity.accreditation, !accreditation.body.awards(claim.type) else { return true }
        let history = activity.provider.history.map(\.summary).joined(separator: "; ")
        refuse("\(field).type",
               "\(claim.type.displayName) cannot be awarded for \(activity.id): on \(activity.startDate) \(activity.provider.name) is accredited by \(accreditation.body.displayName), which does not award them (accreditation: \(history))",
               "claim `participation` hours for a certificate of participation instead")
        return false
    }

    /// The credit must be one the learner's profession may receive.
    private mutating func checkEligibility(_ claim: Learner.Claim, field: String) -> Bool {
        let eligible: Bool
        switch claim.type {
        case .amaPRACategory1, .moc: eligible = learner.isPhysician
        case .ancc: eligible = learner.profession == .nurse
        case .acpe: eligible = learner.profession == .pharmacist || learner.profession == .pharmacyTechnician
        case .aapaCategory1: eligible = learner.profession == .physicianAssistant
        case .ipce, .participation: eligible = true
        }
        guard !eligible else { return true }
        refuse("\(field).type",
               "only \(claim.type.eligibleDescription) may receive \(claim.type.displayName); this learner's profession is \(learner.profession.rawValue)",
               "claim `participation` hours for a certificate of participation instead")
        return false
    }

    private mutating func checkPharmacy(_ designation: CreditDesignation, field: String) {
        let audience: UniversalActivityNumber.Audience = learner.profession == .pharmacyTechnician ? .technician : .pharmacist
        if designation.uans[audience] == nil {
            refuse("\(field).type", "the activity has no Universal Activity Number for \(audience == .technician ? "pharmacy technicians" : "pharmacists") (\(audience.rawValue))",
                   "add a UAN ending in -\(audience.rawValue) to the activity's ACPE credit")
        }
        if learner.nabpEPID == nil {
            refuse("nabpEPID", "is required for pharmacy credit, which is reported to CPE Monitor",
                   "add the learner's NABP e-Profile ID")
        }
        if learner.birthMonthDay == nil {
            refuse("birthMonthDay", "is required for pharmacy credit, which is reported to CPE Monitor",
                   "add the learner's birth month and day as MM-DD")
        }
    }

    private mutating func checkAAPA(_ designation: CreditDesignation, field: String) {
        guard let expires = designation.approvalExpires, expires < learner.completionDate else { return }
        refuse("\(field).type",
               "the activity's AAPA approval expired on \(expires), before the completion date \(learner.completionDate)",
               "PAs completing after the approval ends receive a certificate of participation")
    }

    private mutating func checkEvaluation() {
        let needsEvaluation = activity.evaluationRequired || learner.claims.contains { claim in
            claim.type == .moc && (activity.designation(for: claim)?.board?.requiresEvaluation ?? false)
        }
        if needsEvaluation && !learner.evaluationCompleted {
            refuse("evaluationCompleted", "the activity's evaluation is required to claim credit and is not completed",
                   "set evaluationCompleted: true once the learner has submitted the evaluation")
        }
    }

    private mutating func checkDeadline(_ claimTime: Date?) {
        guard let deadline = activity.claimDeadline, let claimTime, claimTime > deadline else { return }
        let zone = activity.timeZone
        refuse(learner.claimedAt == nil ? "claims" : "claimedAt",
               "the claim was made \(Moment.describe(claimTime, in: zone)), after the deadline of \(Moment.describe(deadline, in: zone))",
               "claims after the deadline are not accepted; a certificate of participation may still be issued")
    }
}

extension ClaimRules {
    /// The designations `learner` may claim credit against, as the rules decide from her
    /// profession and degrees and the provider's accreditation: what a claim form offers.
    /// Empty when she may receive none of them; a certificate of participation is then
    /// what the activity gives her (see `participation(for:)`).
    package static func offers(activity: Activity, learner: Learner) -> [CreditDesignation] {
        activity.designations.filter { designation in
            guard designation.type != .participation else { return false }
            var trial = learner
            trial.claims = [Learner.Claim(type: designation.type, amount: CreditAmount(quarters: 1),
                                          board: designation.board?.id,
                                          pointType: designation.pointTypes.first)]
            var rules = ClaimRules(activity: activity, learner: trial)
            return rules.checkOffered(trial.claims[0])
        }
    }

    /// The hours of participation a learner offered no credit may claim, up to the largest
    /// designation (60 minutes = 1 hour).
    package static func participation(for activity: Activity) -> CreditDesignation? {
        activity.designation(for: Learner.Claim(type: .participation, amount: CreditAmount(quarters: 1)))
    }

    /// Accreditation and eligibility only: whether this kind of claim is open to her at all.
    private mutating func checkOffered(_ claim: Learner.Claim) -> Bool {
        checkAccreditation(claim, field: "claims[0]") && checkEligibility(claim, field: "claims[0]")
    }
}

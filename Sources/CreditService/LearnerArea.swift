import CreditIssuing
import CreditRecords
import CreditRegistry
import Foundation
import Hummingbird
import Logging

/// The learner's activities: enrolment, the evaluation, the claim, her certificates and
/// transcripts. Every address under it answers only for the signed-in learner's own
/// records; anyone else's activity, certificate or claim is a 404, exactly as an address
/// that does not exist.
struct LearnerArea {
    let store: any ServiceStore & CertificateRegistry
    let sessions: Sessions
    let pages: Pages
    let clock: any CreditClock
    let catalog: ActivityCatalog
    let desk: IssuingDesk?
    let scratch: URL
    let logger: Logger
    let files: FileCache
    let claimsPerAccount: RateLimiter
    let badges: BadgeDesk?

    func add(to router: Router<ServiceContext>) {
        router.get("/activities") { request, _ in
            try await signedIn(request) { session in try await activities(session) }
        }
        router.post("/activities/enrol") { request, context in
            try await posted(request, context) { session, form in try await enrolByCode(session, form: form) }
        }
        router.get("/activities/:activity") { request, context in
            try await signedIn(request) { session in try await activityPage(session, id: context.parameters.get("activity") ?? "") }
        }
        router.post("/activities/:activity/add") { request, context in
            try await posted(request, context) { session, _ in try await addOpen(session, id: context.parameters.get("activity") ?? "") }
        }
        router.get("/activities/:activity/evaluation") { request, context in
            try await signedIn(request) { session in
                try await enrolled(session, context) { entry in try await evaluationPage(session, entry) }
            }
        }
        router.post("/activities/:activity/evaluation") { request, context in
            try await posted(request, context) { session, form in
                try await enrolled(session, context) { entry in try await saveEvaluation(session, entry, form: form) }
            }
        }
        router.get("/activities/:activity/claim") { request, context in
            try await signedIn(request) { session in
                try await enrolled(session, context) { entry in try await claimPage(session, entry) }
            }
        }
        router.post("/activities/:activity/claim") { request, context in
            try await posted(request, context) { session, form in
                try await enrolled(session, context) { entry in try await claim(session, entry, form: form) }
            }
        }
        router.get("/certificates") { request, _ in
            try await signedIn(request) { session in try await certificatesPage(session) }
        }
        router.get("/certificates/:certificate/download") { request, context in
            try await signedIn(request) { session in try await download(session, id: context.parameters.get("certificate") ?? "") }
        }
        router.get("/certificates/:certificate/badge") { request, context in
            try await signedIn(request) { session in try await badge(session, id: context.parameters.get("certificate") ?? "") }
        }
        router.get("/transcript/clr") { request, _ in
            try await signedIn(request) { session in try await learnerRecord(session, query: request.uri.queryParameters) }
        }
        router.get("/transcript") { request, _ in
            try await signedIn(request) { session in transcriptPage(session, values: [:]) }
        }
        router.get("/transcript/download") { request, _ in
            try await signedIn(request) { session in try await transcript(session, query: request.uri.queryParameters) }
        }
    }

    // MARK: Access

    private func signedIn(_ request: Request, _ body: (LearnerSession) async throws -> Response) async throws -> Response {
        guard let session = await sessions.current(request) else { return LearnerRoutes.redirect("/sign-in") }
        return try await body(session)
    }

    private func posted(_ request: Request, _ context: ServiceContext,
                        _ body: (LearnerSession, [String: String]) async throws -> Response) async throws -> Response {
        guard let session = await sessions.current(request) else { return LearnerRoutes.redirect("/sign-in") }
        let form = try await VerifyRoutes.form(request, context: context)
        guard Sessions.isGenuine(form, session: session, request: request) else { return LearnerRoutes.forbidden(pages) }
        return try await body(session, form)
    }

    /// The activity of the address, if she is enrolled in it; else the 404 page.
    private func enrolled(_ session: LearnerSession, _ context: ServiceContext,
                          _ body: (ActivityCatalog.Entry) async throws -> Response) async throws -> Response {
        let id = context.parameters.get("activity") ?? ""
        guard let entry = catalog.entry(id),
              try await store.enrolments(accountID: session.account.id).contains(where: { $0.activityID == id }) else {
            return notFound(session)
        }
        return try await body(entry)
    }

    func notFound(_ session: LearnerSession?) -> Response {
        pages.page("not-found", ["signedIn": session != nil], status: .notFound)
    }

    // MARK: Activities and enrolment

    /// Where the learner stands with an activity.
    struct Standing {
        var evaluationDone: Bool
        var certificate: IssuedRecord?
    }

    private func standing(_ session: LearnerSession, _ activity: Activity) async throws -> Standing {
        let evaluation = try await store.evaluation(accountID: session.account.id, activityID: activity.id)
        let certificate = try await store.latest(activityID: activity.id, learnerID: session.account.learnerID)
        return Standing(evaluationDone: evaluation != nil, certificate: certificate)
    }

    private func activities(_ session: LearnerSession, problem: String? = nil, notice: String? = nil,
                            status: HTTPResponse.Status = .ok) async throws -> Response {
        let enrolments = try await store.enrolments(accountID: session.account.id)
        var mine: [[String: Any]] = []
        for enrolment in enrolments {
            guard let entry = catalog.entry(enrolment.activityID) else { continue }
            let standing = try await standing(session, entry.activity)
            var values = Self.summary(entry.activity)
            values["state"] = Self.stateText(entry.activity, standing)
            mine.append(values)
        }
        let enrolledIDs = Set(enrolments.map(\.activityID))
        let open = catalog.all.filter { $0.activity.enrolment.open && !enrolledIDs.contains($0.activity.id) }.map { Self.summary($0.activity) }
        let details = AccountDetails(json: session.account.profile)
        var values: [String: Any] = ["csrf": session.csrf, "title": "My activities", "mine": mine, "hasMine": !mine.isEmpty,
                                     "open": open, "hasOpen": !open.isEmpty, "gated": !details.readyToClaim,
                                     "professional": details.professional]
        if let problem { values["problem"] = problem }
        if let notice { values["notice"] = notice }
        return pages.page("activities", values, status: status)
    }

    static func summary(_ activity: Activity) -> [String: Any] {
        var values: [String: Any] = ["id": activity.id, "title": activity.title, "dates": activity.dateRangeText,
                                     "provider": activity.provider.name, "format": activity.format.phrase]
        // Absent rather than empty: a Mustache section shows for any string, even an empty one.
        if let location = activity.location, !location.isEmpty { values["location"] = location }
        return values
    }

    /// The activity's whole accreditation page: statements, audience, needs, objectives,
    /// disclaimer and supporters, each shown only when the activity has it.
    static func accreditationValues(_ activity: Activity, desk: IssuingDesk?) async -> [String: Any] {
        var values: [String: Any] = [:]
        let statements = await desk?.accreditationPage(activity) ?? []
        if !statements.isEmpty {
            values["statements"] = statements.map { ["heading": $0.heading, "text": $0.text] }
        }
        if let audience = activity.targetAudience { values["audience"] = audience }
        if let needs = activity.educationalNeeds { values["needs"] = needs }
        if !activity.learningObjectives.isEmpty {
            values["objectives"] = ["introduction": activity.objectivesIntroduction ?? "After participating in this activity, learners will be better able to",
                                    "items": activity.learningObjectives.map { ["text": $0] }] as [String: Any]
        }
        if let disclaimer = activity.disclaimer { values["disclaimer"] = disclaimer }
        if !activity.commercialSupporters.isEmpty || activity.commercialSupport != nil {
            values["support"] = ["acknowledgement": activity.supportAcknowledgement ?? "",
                                 "hasSupporters": !activity.commercialSupporters.isEmpty,
                                 "supporters": activity.commercialSupporters.map { ["name": $0] }] as [String: Any]
        }
        return values
    }

    static func stateText(_ activity: Activity, _ standing: Standing) -> String {
        if let certificate = standing.certificate {
            switch certificate.status {
            case .issued: return "Certificate issued"
            case .revoked: return "Certificate revoked"
            case .superseded: return "Certificate replaced"
            }
        }
        if Self.needsEvaluation(activity) && !standing.evaluationDone { return "Evaluation to complete" }
        return "Ready to claim"
    }

    static func needsEvaluation(_ activity: Activity) -> Bool {
        activity.evaluationRequired || activity.designations.contains { $0.board?.requiresEvaluation ?? false }
    }

    private func enrolByCode(_ session: LearnerSession, form: [String: String]) async throws -> Response {
        let code = (form["code"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !code.isEmpty, code.count <= 64 else {
            return try await activities(session, problem: "Type the activity code you were given, for example ASCO-2018.", status: .unprocessableContent)
        }
        guard let entry = catalog.all.first(where: { $0.activity.enrolment.accepts(code: code) }) else {
            return try await activities(session, problem: "No activity has the code you typed. Check it against the one you were given (letters and digits; case does not matter).",
                                        status: .unprocessableContent)
        }
        try await store.enrol(accountID: session.account.id, activityID: entry.activity.id, via: .code, at: clock.now())
        return LearnerRoutes.redirect("/activities/\(Self.path(entry.activity.id))")
    }

    private func addOpen(_ session: LearnerSession, id: String) async throws -> Response {
        guard let entry = catalog.entry(id), entry.activity.enrolment.open else { return notFound(session) }
        try await store.enrol(accountID: session.account.id, activityID: id, via: .open, at: clock.now())
        return LearnerRoutes.redirect("/activities/\(Self.path(id))")
    }

    static func path(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }

    private func activityPage(_ session: LearnerSession, id: String) async throws -> Response {
        guard let entry = catalog.entry(id) else { return notFound(session) }
        let isEnrolled = try await store.enrolments(accountID: session.account.id).contains { $0.activityID == id }
        guard isEnrolled || entry.activity.enrolment.open else { return notFound(session) }
        let activity = entry.activity
        var values = Self.summary(activity)
        values["csrf"] = session.csrf
        values["title"] = activity.title
        values["enrolled"] = isEnrolled
        values["path"] = Self.path(id)
        if let deadline = activity.claimDeadline { values["deadline"] = DeadlineText.claimBy(deadline, in: activity.timeZone) }
        if isEnrolled {
            let standing = try await standing(session, activity)
            values["state"] = Self.stateText(activity, standing)
            values["hasEvaluation"] = !activity.evaluation.isEmpty
            values["evaluationDone"] = standing.evaluationDone
            if let certificate = standing.certificate { values["certificate"] = Self.certificateValues(certificate) }
        }
        values.merge(await Self.accreditationValues(activity, desk: desk)) { $1 }
        return pages.page("activity", values)
    }

    // MARK: Evaluation

    private func evaluationPage(_ session: LearnerSession, _ entry: ActivityCatalog.Entry, answers: [String: String]? = nil,
                                problems: [String: String] = [:]) async throws -> Response {
        let activity = entry.activity
        guard !activity.evaluation.isEmpty else { return notFound(session) }
        var given = answers ?? [:]
        if answers == nil, let saved = try await store.evaluation(accountID: session.account.id, activityID: activity.id) {
            given = (try? JSONSerialization.jsonObject(with: Data(saved.answers.utf8))) as? [String: String] ?? [:]
        }
        let questions: [[String: Any]] = activity.evaluation.enumerated().map { index, question in
            var values: [String: Any] = ["field": "q-\(question.id)", "number": index + 1, "question": question.question,
                                         "required": question.required, "answer": given[question.id] ?? "",
                                         "isText": question.kind == .text, "isRating": question.kind == .rating]
            values["options"] = question.options.enumerated().map { number, option in
                ["value": option, "id": "q-\(question.id)-\(number)", "checked": given[question.id] == option]
            }
            if let problem = problems[question.id] { values["problem"] = problem }
            return values
        }
        let values: [String: Any] = ["csrf": session.csrf, "title": "Evaluation: \(activity.title)", "activityTitle": activity.title,
                                     "path": Self.path(activity.id), "questions": questions, "hasProblems": !problems.isEmpty,
                                     "problemList": activity.evaluation.compactMap { question in
                                         problems[question.id].map { ["field": "q-\(question.id)", "message": "Question: \(question.question) — \($0)"] }
                                     }]
        return pages.page("evaluation", values, status: problems.isEmpty ? .ok : .unprocessableContent)
    }

    private func saveEvaluation(_ session: LearnerSession, _ entry: ActivityCatalog.Entry, form: [String: String]) async throws -> Response {
        let activity = entry.activity
        guard !activity.evaluation.isEmpty else { return notFound(session) }
        var answers: [String: String] = [:], problems: [String: String] = [:]
        for question in activity.evaluation {
            let answer = (form["q-\(question.id)"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
            if let problem = question.problem(with: answer) { problems[question.id] = problem }
            if !answer.isEmpty { answers[question.id] = answer }
        }
        guard problems.isEmpty else { return try await evaluationPage(session, entry, answers: answers, problems: problems) }
        let json = String(decoding: ClaimDocument.encode(answers), as: UTF8.self)
        try await store.saveEvaluation(accountID: session.account.id, activityID: activity.id, answers: json, at: clock.now())
        return LearnerRoutes.redirect("/activities/\(Self.path(activity.id))/claim")
    }

    // MARK: Claim

    private func claimPage(_ session: LearnerSession, _ entry: ActivityCatalog.Entry, form: [String: String] = [:],
                           problems: [(field: String, message: String)] = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let activity = entry.activity
        let details = AccountDetails(json: session.account.profile)
        guard details.readyToClaim else { return LearnerRoutes.redirect("/account?gate=\(Self.path(activity.id))") }
        let standing = try await standing(session, activity)
        if standing.certificate != nil { return LearnerRoutes.redirect("/activities/\(Self.path(activity.id))") }
        if Self.needsEvaluation(activity) && !standing.evaluationDone {
            guard !activity.evaluation.isEmpty else {
                return pages.page("message", ["title": "Evaluation needed", "heading": "This activity's evaluation is needed first",
                                              "message": "The provider requires the evaluation before any claim, and it is not set up on this site. Ask the activity's provider how to complete it."],
                                  status: .conflict)
            }
            return LearnerRoutes.redirect("/activities/\(Self.path(activity.id))/evaluation")
        }
        guard let learner = try? ClaimDocument(account: session.account, details: details).identity() else {
            return LearnerRoutes.redirect("/account")
        }
        let offers = ClaimDocument.offers(activity: activity, learner: learner)
        let problemByField = Dictionary(problems.map { ($0.field, $0.message) }, uniquingKeysWith: { "\($0) \($1)" })
        let credits: [[String: Any]] = offers.filter { !$0.isMOC }.map { offer in
            ["field": offer.field, "label": offer.label, "maximum": "\(offer.maximum)",
             "value": form[offer.field] ?? "", "problem": problemByField[offer.field] ?? ""]
        }
        var values: [String: Any] = ["csrf": session.csrf, "title": "Claim credit: \(activity.title)", "activityTitle": activity.title,
                                     "path": Self.path(activity.id), "credits": credits, "professional": details.professional,
                                     "participationOnly": offers.first?.type == .participation,
                                     "completionDate": form["completionDate"] ?? Self.defaultCompletion(activity, now: clock.now()).description,
                                     "startDate": activity.startDate.description, "endDate": activity.endDate.description,
                                     "attested": form["attest"] == "yes",
                                     "problems": problems.map { ["field": $0.field, "message": $0.message] }, "hasProblems": !problems.isEmpty]
        for field in ["completionDate", "attest", "moc-boardID", "moc-boardFirst", "moc-boardLast", "moc-birthMonthDay", "moc-consent", "moc-pointType"] {
            if let problem = problemByField[field] { values["problem-\(field)"] = problem }
        }
        if let deadline = activity.claimDeadline {
            values["deadline"] = DeadlineText.claimBy(deadline, in: activity.timeZone)
            values["closed"] = clock.now() > deadline
        }
        if let moc = offers.first(where: \.isMOC), let board = moc.designation.board {
            let given = MOCDetails(form: form, board: board.id)
            values["moc"] = [
                "field": moc.field, "board": board.abbreviation, "boardName": board.name, "maximum": "\(moc.maximum)",
                "value": form[moc.field] ?? "", "problem": problemByField[moc.field] ?? "",
                "boardID": form.isEmpty ? (details.board == board.id ? details.boardID : "") : given.boardID,
                "firstOnRecord": form.isEmpty ? (details.board == board.id ? details.boardFirst : "") : given.boardFirst,
                "lastOnRecord": form.isEmpty ? (details.board == board.id ? details.boardLast : "") : given.boardLast,
                "birthMonthDay": form.isEmpty ? details.birthMonthDay : given.birthMonthDay,
                "consent": given.consent,
                "pointTypes": moc.designation.pointTypes.map { ["value": $0, "label": BoardCatalog.pointTypeName($0), "selected": given.pointType == $0 || moc.designation.pointTypes.count == 1] },
                "hasPointTypes": !moc.designation.pointTypes.isEmpty,
            ] as [String: Any]
        }
        return pages.page("claim", values, status: status)
    }

    /// The activity's last day, or today when it has not ended yet.
    static func defaultCompletion(_ activity: Activity, now: Date) -> CivilDate {
        min(activity.endDate, CivilDate.day(of: now, in: activity.timeZone))
    }

    private func claim(_ session: LearnerSession, _ entry: ActivityCatalog.Entry, form: [String: String]) async throws -> Response {
        let activity = entry.activity
        let details = AccountDetails(json: session.account.profile)
        guard details.readyToClaim else { return LearnerRoutes.redirect("/account?gate=\(Self.path(activity.id))") }
        guard let desk else {
            return pages.page("message", ["title": "Claims are closed", "heading": "Claiming is not set up on this site",
                                          "message": "This service checks certificates but does not issue them (it has no certificate-id key). Ask the provider."],
                              status: .serviceUnavailable)
        }
        guard claimsPerAccount.allow(session.account.id) else {
            return pages.tooManyRequests("message", ["title": "Too many claims", "heading": "Too many claims in a minute",
                                                     "message": "Wait a minute, then send your claim again."])
        }
        let standing = try await standing(session, activity)
        if standing.certificate != nil { return LearnerRoutes.redirect("/activities/\(Self.path(activity.id))") }
        guard let learner = try? ClaimDocument(account: session.account, details: details).identity() else {
            return LearnerRoutes.redirect("/account")
        }
        let offers = ClaimDocument.offers(activity: activity, learner: learner)
        let now = clock.now()
        let made = ClaimDocument(account: session.account, details: details)
            .claim(offers: offers, form: form, evaluationCompleted: standing.evaluationDone, at: now)
        var problems: [(field: String, message: String)] = []
        if made.claimFields.isEmpty {
            problems.append((offers.first?.field ?? "completionDate", "Give the amount you claim: at most the maximum shown, in steps of 0.25."))
        }
        if form["attest"] != "yes" {
            problems.append(("attest", "Tick the attestation: you claim only the credit commensurate with the extent of your participation."))
        }
        if let moc = made.moc, !moc.consent {
            problems.append(("moc-consent", "Tick the consent to report, or leave the MOC points empty to claim credit without MOC."))
        }
        if problems.isEmpty {
            do {
                let result = try await desk.issue(entry, learnerDocument: made.document, at: now)
                logger.info("issued \(result.id) for activity \(activity.id)\(result.reproduced ? " (already issued)" : "")")
                return LearnerRoutes.redirect("/activities/\(Self.path(activity.id))?issued=\(result.id)")
            } catch let error as InputError {
                problems = error.problems.map { ClaimProblems.field($0, claimFields: made.claimFields, offers: offers) }
            }
        }
        return try await claimPage(session, entry, form: form, problems: problems, status: .unprocessableContent)
    }

    // MARK: Certificates and transcripts

    static func certificateValues(_ record: IssuedRecord) -> [String: Any] {
        ["id": record.id, "issued": ISODate.string(record.issuedAt).prefix(10).description,
         "credits": record.claims.map { Self.claimText($0) }.joined(separator: "; "),
         "status": record.status.rawValue, "isIssued": record.status == .issued,
         "reason": record.statusReason ?? "", "replacement": record.supersededBy ?? ""]
    }

    static func claimText(_ claim: IssuedClaim) -> String {
        let type = CreditType(rawValue: claim.creditType)
        let name = claim.board.map { "\($0.uppercased()) MOC points" } ?? type.map(OfferedCredit.name) ?? claim.creditType
        return "\(claim.amount) \(name)"
    }

    private func certificatesPage(_ session: LearnerSession) async throws -> Response {
        let records = try await store.certificates(learnerID: session.account.learnerID)
        let items: [[String: Any]] = records.reversed().map { record in
            var values = Self.certificateValues(record)
            values["activity"] = catalog.entry(record.activityID)?.activity.title ?? record.activityID
            values["hasBadge"] = badges != nil && record.status == .issued && record.learner != nil
            return values
        }
        return pages.page("certificates", ["title": "My certificates", "certificates": items, "hasCertificates": !items.isEmpty,
                                           "hasBadges": badges != nil])
    }

    private func download(_ session: LearnerSession, id: String) async throws -> Response {
        guard id.count <= 40, let facts = try await store.fileFacts(certificateID: id), facts.learnerID == session.account.learnerID else {
            return notFound(session)
        }
        guard facts.status == .issued else {
            let message = facts.status == .revoked
                ? "The provider revoked this certificate, so it is no longer offered for download. Ask the provider if you believe this is wrong."
                : "This certificate was replaced by a corrected one (\(facts.supersededBy ?? "see My certificates")), which is the one to download."
            return pages.page("message", ["title": "Certificate withdrawn", "heading": "This certificate is withdrawn", "message": message],
                              status: .gone)
        }
        var bytes = files.file(id: id, digest: facts.pdfSHA256)
        if bytes == nil {
            var kept = try await store.file(certificateID: id)
            if kept == nil, let desk, let record = try await store.record(id: id), let entry = catalog.entry(record.activityID) {
                // Issued on the command line into this registry: drawn again, exactly, once.
                kept = try await desk.reproduce(record, entry: entry, registry: store)
            }
            guard let checked = kept, Hex.sha256(checked) == facts.pdfSHA256 else {
                logger.warning("certificate \(id) has no file that matches its registry record")
                return notFound(session)
            }
            files.keep(checked, id: id, digest: facts.pdfSHA256)
            bytes = checked
        }
        return Response(status: .ok, headers: [
            .contentType: "application/pdf",
            .contentDisposition: "attachment; filename=\"certificate-\(id).pdf\"",
            .cacheControl: "private, no-store",
            .eTag: "\"\(facts.pdfSHA256)\"",
        ], body: .init(byteBuffer: ByteBuffer(bytes: bytes ?? [])))
    }

    /// The certificate's Open Badge, for the learner it was issued to.
    private func badge(_ session: LearnerSession, id: String) async throws -> Response {
        guard let badges, id.count <= 40, let record = try await store.record(id: id), record.learnerID == session.account.learnerID else {
            return notFound(session)
        }
        guard record.status == .issued else {
            return pages.page("message", ["title": "Certificate withdrawn", "heading": "This certificate is withdrawn",
                                          "message": "A revoked or replaced certificate has no badge; its status list entry says it is revoked."],
                              status: .gone)
        }
        guard let token = try await badges.badge(record) else { return notFound(session) }
        return Response(status: .ok, headers: [
            .contentType: "application/vc+jwt",
            .contentDisposition: "attachment; filename=\"badge-\(id).jwt\"",
            .cacheControl: "private, no-store",
        ], body: .init(byteBuffer: ByteBuffer(string: token + "\n")))
    }

    /// The learner's certificates of a period as a CLR 2.0 credential.
    private func learnerRecord(_ session: LearnerSession, query: Hummingbird.Parameters) async throws -> Response {
        guard let badges else { return notFound(session) }
        let fromText = query.get("from") ?? "", toText = query.get("to") ?? ""
        let from = fromText.isEmpty ? nil : CivilDate(iso: fromText), to = toText.isEmpty ? nil : CivilDate(iso: toText)
        guard fromText.isEmpty || from != nil, toText.isEmpty || to != nil else {
            return transcriptPage(session, values: ["from": fromText, "to": toText, "hasProblems": true,
                                                    "problems": [["field": from == nil ? "from" : "to", "message": "Write the days as YYYY-MM-DD, for example 2022-01-01."]]],
                                  status: .unprocessableContent)
        }
        let records = try await store.certificates(learnerID: session.account.learnerID).filter { record in
            guard let completion = record.learner?.completionDate else { return false }
            return (from.map { completion >= $0 } ?? true) && (to.map { completion <= $0 } ?? true)
        }
        let period = (from, to) == (nil, nil) ? "all records" : "\(from?.longForm ?? "…") – \(to?.longForm ?? "…")"
        guard let token = try await badges.learnerRecord(records, learnerName: records.last?.learnerName ?? session.account.email,
                                                         period: period) else {
            return transcriptPage(session, values: ["from": fromText, "to": toText, "hasProblems": true,
                                                    "problems": [["field": "from", "message": "No certificate of yours was completed in this period."]]],
                                  status: .unprocessableContent)
        }
        return Response(status: .ok, headers: [
            .contentType: "application/vc+jwt",
            .contentDisposition: "attachment; filename=\"transcript-clr.jwt\"",
            .cacheControl: "private, no-store",
        ], body: .init(byteBuffer: ByteBuffer(string: token + "\n")))
    }

    private func transcriptPage(_ session: LearnerSession, values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        var values = values
        values["title"] = "Transcript"
        values["hasBadges"] = badges != nil
        return pages.page("transcript", values, status: status)
    }

    private func transcript(_ session: LearnerSession, query: Hummingbird.Parameters) async throws -> Response {
        let fromText = query.get("from") ?? "", toText = query.get("to") ?? ""
        let from = fromText.isEmpty ? nil : CivilDate(iso: fromText), to = toText.isEmpty ? nil : CivilDate(iso: toText)
        var problems: [[String: String]] = []
        if !fromText.isEmpty, from == nil { problems.append(["field": "from", "message": "Write the first day as YYYY-MM-DD, for example 2022-01-01."]) }
        if !toText.isEmpty, to == nil { problems.append(["field": "to", "message": "Write the last day as YYYY-MM-DD, for example 2022-12-31."]) }
        if let from, let to, to < from { problems.append(["field": "to", "message": "The last day is before the first; swap them."]) }
        guard problems.isEmpty else {
            return transcriptPage(session, values: ["from": fromText, "to": toText, "problems": problems, "hasProblems": true],
                                  status: .unprocessableContent)
        }
        guard let desk else { return notFound(session) }
        let details = AccountDetails(json: session.account.profile)
        guard details.readyToClaim, let learner = try? ClaimDocument(account: session.account, details: details).identity() else {
            return LearnerRoutes.redirect("/account")
        }
        let records = try await store.certificates(learnerID: session.account.learnerID).filter { $0.status == .issued }
        var rows: [CompletionRecord] = []
        for record in records {
            guard let completion = record.learner?.completionDate else { continue }
            let activity = catalog.entry(record.activityID)?.activity
            for claim in record.claims {
                guard let type = CreditType(rawValue: claim.creditType), case .success(let amount) = CreditAmount.parse(claim.amount) else { continue }
                rows.append(CompletionRecord(row: rows.count + 1, learnerID: record.learnerID, completionDate: completion,
                                             activityTitle: activity?.title ?? record.activityID,
                                             provider: activity?.provider.name ?? "", format: activity?.format.phrase ?? "",
                                             creditType: type, amount: amount, board: claim.board?.uppercased(), pointType: claim.pointType.map(BoardCatalog.pointTypeName)))
            }
        }
        let now = clock.now()
        let bytes = try await desk.transcript(learner: learner, records: rows, from: from, to: to,
                                              issueDate: CivilDate.day(of: now, in: TimeZone(secondsFromGMT: 0) ?? .current),
                                              signedAt: now, folder: scratch)
        return Response(status: .ok, headers: [
            .contentType: "application/pdf",
            .contentDisposition: "attachment; filename=\"transcript.pdf\"",
            .cacheControl: "private, no-store",
        ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The claim deadline as learners read it: "Claim by November 14, 2022, 5:00 PM ET", in
/// the activity's time zone.
enum DeadlineText {
    static func claimBy(_ deadline: Date, in zone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = "MMMM d, yyyy, h:mm a v"
        var text = formatter.string(from: deadline)
        if text.hasSuffix(" Time") {
            // Outside North America the generic name is a country's ("Germany Time"): the zone's abbreviation reads better.
            formatter.dateFormat = "MMMM d, yyyy, h:mm a zzz"
            text = formatter.string(from: deadline)
        }
        return text
    }
}

/// A refusal of the core's learner reader or claim rules, moved to the claim form's field
/// it concerns and said to the learner.
enum ClaimProblems {
    static func field(_ problem: Problem, claimFields: [String], offers: [OfferedCredit]) -> (field: String, message: String) {
        let text = problem.message + (problem.hint.map { " — \($0)" } ?? "")
        let path = problem.field
        if path.hasPrefix("claims["), let close = path.firstIndex(of: "]"),
           let index = Int(path[path.index(path.startIndex, offsetBy: 7)..<close]), index < claimFields.count {
            let label = offers.first { $0.field == claimFields[index] }?.label ?? "The amount"
            return (claimFields[index], Self.sentence(label, text))
        }
        switch path {
        case "completionDate": return ("completionDate", Self.sentence("The completion date", text))
        case let board where board.hasPrefix("boards."): return ("moc-boardID", Self.sentence("Your board ID", text))
        case let board where board.hasPrefix("boardNames.") && board.hasSuffix(".last"):
            return ("moc-boardLast", Self.sentence("Your last name as on the board's record", text))
        case let board where board.hasPrefix("boardNames."): return ("moc-boardFirst", Self.sentence("Your first name as on the board's record", text))
        case "birthMonthDay": return ("moc-birthMonthDay", Self.sentence("Your birth month and day", text))
        case "mocConsent": return ("moc-consent", Self.sentence("The consent to report", text))
        case "evaluationCompleted": return ("claim", "The activity's evaluation is needed before a claim: complete it first.")
        case "claims", "claimedAt": return ("claim", Self.sentence("The claim", text))
        case "nabpEPID": return ("account", Self.sentence("Your NABP e-Profile ID (Account Details)", text))
        default: return ("account", "Your Account Details need a correction (\(path)): \(text)")
        }
    }

    /// "The completion date is required…": the core's messages often begin with the verb.
    static func sentence(_ subject: String, _ text: String) -> String {
        let verbs = ["is ", "must ", "claimed ", "'", "has "]
        if verbs.contains(where: text.hasPrefix) { return "\(subject) \(text)" }
        return "\(subject): \(text)"
    }
}

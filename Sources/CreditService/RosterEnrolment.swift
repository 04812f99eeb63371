import CreditRecords
import CreditRegistry
import Foundation

/// A staff import: every roster row with an email address becomes an account (when the
/// address has none), with the row's name, professional name, degrees and profession as
/// its Account Details, enrolled in the activity. The roster is the batch's own format.
/// A row that cannot be imported is reported and skipped; the others go on.
public enum RosterEnrolment {
    public struct Report: Sendable {
        public var enrolled = 0
        public var accountsMade = 0
        /// Rows skipped, each with its reason (the learner by id; no email or name shown).
        public var skipped: [Problem] = []
    }

    public static func importRoster(_ reader: RosterReader, activityID: String, store: any ServiceStore, at time: Date) async -> Report {
        var report = Report()
        let columns = reader.columns
        while let row = reader.next() {
            func skip(_ field: String, _ message: String, _ hint: String? = nil) {
                report.skipped.append(Problem(file: reader.file, row: row.number, field: field,
                                              learnerID: columns.learnerID(in: row), message: message, hint: hint))
            }
            guard let id = columns.learnerID(in: row) else {
                skip("id", "has no usable learner id", "give every row its id from the registration system"); continue
            }
            guard let email = columns.value("email", in: row)?.lowercased() else {
                skip("email", "has no email address, so the learner cannot sign in", "add the address the learner registered with"); continue
            }
            guard email.utf8.count <= 254, email.wholeMatch(of: Patterns.email) != nil else {
                skip("email", "is not an email address"); continue
            }
            var details = AccountDetails(form: [:])
            details.first = columns.value("first_name", in: row) ?? ""
            details.last = columns.value("last_name", in: row) ?? ""
            details.professional = columns.value("professional_name", in: row) ?? ""
            details.degrees = columns.value("degrees", in: row) ?? ""
            details.profession = columns.value("profession", in: row)?.lowercased() ?? ""
            details.nabpEPID = columns.value("nabp_epid", in: row) ?? ""
            details.birthMonthDay = columns.value("birth_month_day", in: row) ?? ""
            if let board = columns.value("moc_board", in: row)?.lowercased(), let boardID = columns.value("moc_board_id", in: row) {
                (details.board, details.boardID) = (board, boardID)
            }
            // What the learner can still give herself (a missing name or type) does not stop the import.
            if let problem = details.problems.first(where: { !["professional", "profession", "first", "last"].contains($0.field) }) {
                skip(problem.field, "cannot be imported: \(problem.message)"); continue
            }
            do {
                let (account, made) = try await store.accountImporting(email: email, learnerID: id, profile: details.json, at: time)
                try await store.enrol(accountID: account.id, activityID: activityID, via: .roster, at: time)
                report.enrolled += 1
                if made { report.accountsMade += 1 }
            } catch {
                skip("id", "\(error)")
            }
        }
        if let stopped = reader.stoppedEarly { report.skipped.append(stopped) }
        return report
    }
}

/// A sign-in link for an account, made by staff (to send by their own means, or in
/// development) as the sign-in page makes one: single use, 15 minutes, stored hashed.
public enum SignInLinks {
    public static func make(store: any ServiceStore, email: String, publicURL: String, at time: Date) async throws -> String? {
        guard let account = try await store.account(email: email.lowercased()) else { return nil }
        let token = Sessions.secret()
        try await store.addSignIn(tokenSHA256: Sessions.digest(token), accountID: account.id,
                                  expiresAt: time.addingTimeInterval(LearnerRoutes.linkLifetime))
        return "\(publicURL)/sign-in/\(token)"
    }
}

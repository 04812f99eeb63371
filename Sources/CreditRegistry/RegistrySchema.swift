import CreditRecords
import Foundation

/// The registry's tables, as SQL migrations in the order they are applied. The SQL keeps
/// to what SQLite and PostgreSQL both take (TEXT, INTEGER, BOOLEAN; `ON CONFLICT DO
/// NOTHING`), so a PostgreSQL implementation runs the same statements; only `v1`'s
/// signature column is SQLite's BLOB, which PostgreSQL spells BYTEA.
public enum RegistrySchema {
    /// A migration: its name, recorded once applied, and its statements.
    public struct Migration: Sendable {
        public var name: String
        public var statements: [String]
    }

    public static let migrations: [Migration] = [
        Migration(name: "v1", statements: [
            """
            CREATE TABLE certificate (
                id TEXT PRIMARY KEY NOT NULL, activityID TEXT NOT NULL, learnerID TEXT NOT NULL,
                kind TEXT NOT NULL, credits TEXT NOT NULL, learnerName TEXT NOT NULL, layout TEXT NOT NULL,
                statementVersions TEXT NOT NULL, activitySHA256 TEXT NOT NULL, learnerInput TEXT NOT NULL,
                pdfSHA256 TEXT NOT NULL, issuedAt TEXT NOT NULL, qrText TEXT, signature BLOB,
                signatureRoom INTEGER, signedAt TEXT, certified BOOLEAN NOT NULL, status TEXT NOT NULL,
                statusReason TEXT, supersededBy TEXT, supersedes TEXT, revision INTEGER NOT NULL,
                recordedAt TEXT NOT NULL)
            """,
            "CREATE INDEX certificate_by_learner ON certificate (activityID, learnerID)",
            "CREATE TABLE input (sha256 TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL)",
            """
            CREATE TABLE audit (
                sequence INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, certificateID TEXT NOT NULL,
                action TEXT NOT NULL, reason TEXT, actor TEXT NOT NULL)
            """,
            "CREATE INDEX audit_on_certificateID ON audit (certificateID)",
        ]),
        // Structured data for reports: the learner as checked (JSON), the layout's name and
        // version apart, and one row per credit a certificate awards. `v2Backfill` fills
        // them for certificates recorded before.
        Migration(name: "v2", statements: [
            "ALTER TABLE certificate ADD COLUMN learnerJSON TEXT",
            "ALTER TABLE certificate ADD COLUMN layoutName TEXT",
            "ALTER TABLE certificate ADD COLUMN layoutVersion INTEGER",
            """
            CREATE TABLE claim (
                certificateID TEXT NOT NULL REFERENCES certificate (id), position INTEGER NOT NULL,
                creditType TEXT NOT NULL, board TEXT, pointType TEXT, amount TEXT NOT NULL,
                PRIMARY KEY (certificateID, position))
            """,
            "CREATE INDEX claim_by_credit_type ON claim (creditType, board)",
        ]),
        // The service: learners' accounts (profile as JSON, as a learner file would give
        // it), one-time sign-in links and sessions (stored as SHA-256 of the secret only),
        // and the outbox of mail the server sends.
        Migration(name: "v3-service", statements: [
            """
            CREATE TABLE account (
                id TEXT PRIMARY KEY NOT NULL, email TEXT NOT NULL UNIQUE, learnerID TEXT NOT NULL UNIQUE,
                profile TEXT NOT NULL, createdAt TEXT NOT NULL)
            """,
            """
            CREATE TABLE sign_in (
                tokenSHA256 TEXT PRIMARY KEY NOT NULL, accountID TEXT NOT NULL REFERENCES account (id),
                expiresAt TEXT NOT NULL, usedAt TEXT)
            """,
            """
            CREATE TABLE session (
                idSHA256 TEXT PRIMARY KEY NOT NULL, accountID TEXT NOT NULL REFERENCES account (id),
                csrf TEXT NOT NULL, expiresAt TEXT NOT NULL)
            """,
            """
            CREATE TABLE outbox (
                id TEXT PRIMARY KEY NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
                createdAt TEXT NOT NULL, sentAt TEXT)
            """,
            "CREATE INDEX outbox_unsent ON outbox (sentAt, createdAt)",
        ]),
        // The learner's side: which activities she is enrolled in and how, her evaluation
        // answers, and each issued certificate's file, kept so that every download gives
        // the bytes first issued without drawing them again.
        Migration(name: "v4-learner", statements: [
            """
            CREATE TABLE enrolment (
                accountID TEXT NOT NULL REFERENCES account (id), activityID TEXT NOT NULL,
                via TEXT NOT NULL, enrolledAt TEXT NOT NULL, PRIMARY KEY (accountID, activityID))
            """,
            """
            CREATE TABLE evaluation (
                accountID TEXT NOT NULL REFERENCES account (id), activityID TEXT NOT NULL,
                answers TEXT NOT NULL, submittedAt TEXT NOT NULL, PRIMARY KEY (accountID, activityID))
            """,
            "CREATE TABLE certificate_file (certificateID TEXT PRIMARY KEY NOT NULL, pdf BLOB NOT NULL)",
            "CREATE INDEX certificate_learner ON certificate (learnerID, issuedAt)",
            "CREATE INDEX session_expiry ON session (expiresAt)",
            "CREATE INDEX sign_in_expiry ON sign_in (expiresAt)",
            // Delivery: a message the relay refused is tried again later, with the reason kept.
            "ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE outbox ADD COLUMN lastError TEXT",
            "ALTER TABLE outbox ADD COLUMN nextAttemptAt TEXT",
        ]),
        // What was reported to whom: every record of every export, in order, so that the
        // next export sends only what is new or changed, and the deletes a correction needs.
        Migration(name: "v5-reporting", statements: [
            """
            CREATE TABLE report_entry (
                target TEXT NOT NULL, sequence INTEGER NOT NULL, creditID TEXT NOT NULL, certificateID TEXT NOT NULL,
                action TEXT NOT NULL, contentSHA256 TEXT NOT NULL, fields TEXT NOT NULL, exportFile TEXT NOT NULL,
                exportedAt TEXT NOT NULL, PRIMARY KEY (target, sequence))
            """,
            "CREATE INDEX report_entry_credit ON report_entry (target, creditID, sequence)",
        ]),
        // What a receiving service answered for a record it was sent (CPE Monitor: accepted,
        // or rejected with its message); and each certificate's place in the published
        // status list of its badge, given once and never reused.
        Migration(name: "v6-report-status", statements: [
            "ALTER TABLE report_entry ADD COLUMN status TEXT",
            "ALTER TABLE report_entry ADD COLUMN statusMessage TEXT",
            "CREATE TABLE status_position (certificateID TEXT PRIMARY KEY, position INTEGER NOT NULL UNIQUE)",
        ]),
    ]

    /// What `v2` fills in for a certificate recorded by registry v1, from its columns: the
    /// claims from the `credits` text, the layout's name and version from `layout`, and the
    /// learner from `learnerInput` when that is a learner file (a roster row stays as given).
    public static func v2Backfill(credits: String, layout: String, learnerInput: String)
        -> (claims: [IssuedClaim], layoutName: String, layoutVersion: Int, learner: Learner?) {
        let parts = layout.split(separator: " ")
        let version = parts.last.flatMap { $0.hasPrefix("v") ? Int($0.dropFirst()) : nil }
        let name = version == nil ? layout : parts.dropLast().joined(separator: " ")
        var learner: Learner?
        if !learnerInput.hasPrefix("{\"_roster\"") {
            learner = try? LearnerReader.read(Data(learnerInput.utf8), displayName: "registry")
        }
        var claims = IssuedClaim.parse(credits: credits)
        // A learner file also knows the board's point type, which the v1 text left out.
        if let learner, learner.claims.count == claims.count {
            claims = learner.claims.map(IssuedClaim.init)
        }
        return (claims, name, version ?? 1, learner)
    }
}

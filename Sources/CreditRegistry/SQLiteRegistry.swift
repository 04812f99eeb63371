import CreditRecords
import Foundation
import GRDB

/// The registry in an SQLite file, through GRDB (which stays inside this file): the
/// schema's migrations, then plain SQL over `certificate`, `claim`, `input` and `audit`.
public final class SQLiteRegistry: CertificateRegistry, @unchecked Sendable {
    public let file: URL
    public var location: String { file.path }
    /// A pool where the file can be written (readers run side by side, beside one writer, in
    /// write-ahead logging); a single connection where it is only read.
    private let database: any DatabaseWriter

    public init(file: URL) throws {
        self.file = file
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw InputError([Problem(file: file.path, field: "", message: "cannot be created: its folder cannot be made (\(error.localizedDescription))",
                                      hint: "give a registry path in a folder you can write to")])
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // Write-ahead logging: a batch records each certificate in its own short transaction,
        // durable at checkpoints rather than fsynced one by one.
        configuration.prepareDatabase { db in
            // Switching needs the file to itself: only a new registry is switched.
            if try String.fetchOne(db, sql: "PRAGMA journal_mode")?.lowercased() != "wal" {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            database = try Self.opening {
                let database = try DatabasePool(path: file.path, configuration: configuration)
                try Self.migrate(database)
                return database
            }
        } catch {
            throw InputError([Problem(file: file.path, field: "", message: "cannot be opened as a certificate registry (\(error))",
                                      hint: "give the registry file CreditPress made, or a new path for a new registry")])
        }
    }

    /// Opens an existing registry to read only: nothing is created, upgraded or written,
    /// so a mistyped path is an error and a registry on read-only media can be read.
    public init(reading file: URL) throws {
        self.file = file
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw InputError([Problem(file: file.path, field: "", message: "there is no registry at this path",
                                      hint: "check the path: verify reads a registry and never creates one")])
        }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        do {
            var opened: DatabaseQueue
            var current: Bool
            do {
                opened = try DatabaseQueue(path: file.path, configuration: configuration)
                current = try opened.read { db in try Self.migrator.appliedIdentifiers(db).contains("v2") }
            } catch {
                // A write-ahead-logged file on read-only media: SQLite cannot make the shared
                // memory file it needs beside it. A private copy is read instead; nobody can
                // write the original there, so the copy says what it says.
                let copy = FileManager.default.temporaryDirectory
                    .appendingPathComponent("creditpress-registry-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sqlite")
                try FileManager.default.copyItem(at: file, to: copy)
                defer { unlink(copy.path) }
                var writable = Configuration()
                writable.busyMode = .timeout(10)
                opened = try DatabaseQueue(path: copy.path, configuration: writable)
                // Out of write-ahead logging, the copy is one file, read through the open
                // descriptor once its name is gone: nothing is left behind, however the program ends.
                try opened.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
                current = try opened.read { db in try Self.migrator.appliedIdentifiers(db).contains("v2") }
            }
            database = opened
            guard current else {
                throw InputError([Problem(file: file.path, field: "", message: "was written by an earlier CreditPress and is not yet upgraded",
                                          hint: "run any issuing command with this registry once, where it can be written, to upgrade it")])
            }
        } catch let error as InputError {
            throw error
        } catch {
            throw InputError([Problem(file: file.path, field: "", message: "cannot be read as a certificate registry (\(error))",
                                      hint: "give the registry file CreditPress made")])
        }
    }

    /// Runs `open` again while another process holds the new file to itself (switching it to
    /// write-ahead logging, which SQLite's busy timeout does not wait for), for up to 10 s.
    private static func opening(_ open: () throws -> DatabasePool) throws -> DatabasePool {
        let deadline = ContinuousClock.now + .seconds(10)
        while true {
            do {
                return try open()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && ContinuousClock.now < deadline {
                usleep(20_000)
            }
        }
    }

    /// Applies the migrations not yet applied. GRDB reads which were applied outside the
    /// transaction that applies the next one, so two processes opening a new registry at once
    /// can both try one; the loser's attempt fails and is rolled back, and looking again it
    /// finds the migration applied by the winner.
    private static func migrate(_ database: DatabasePool) throws {
        var attempt = 0
        while true {
            do {
                try migrator.migrate(database)
                return
            } catch {
                attempt += 1
                if attempt >= RegistrySchema.migrations.count + 2 { throw error }
            }
        }
    }

    /// The schema's migrations; `v2` also fills in what v1 records lacked.
    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in RegistrySchema.migrations {
            migrator.registerMigration(migration.name) { db in
                for statement in migration.statements { try db.execute(sql: statement) }
                if migration.name == "v2" { try backfillV2(db) }
            }
        }
        return migrator
    }

    private static func backfillV2(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: "SELECT id, credits, layout, learnerInput FROM certificate")
        for row in rows {
            let id: String = row["id"]
            let filled = RegistrySchema.v2Backfill(credits: row["credits"], layout: row["layout"], learnerInput: row["learnerInput"])
            try db.execute(sql: "UPDATE certificate SET learnerJSON = ?, layoutName = ?, layoutVersion = ? WHERE id = ?",
                           arguments: [try filled.learner.map(Self.json), filled.layoutName, filled.layoutVersion, id])
            try insertClaims(filled.claims, of: id, db)
        }
    }

    // MARK: Reading

    public func record(id: String) async throws -> IssuedRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE id = ?", arguments: [id]).map { try Self.record($0, db) }
        }
    }

    public func latest(activityID: String, learnerID: String) async throws -> IssuedRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE activityID = ? AND learnerID = ? ORDER BY revision DESC LIMIT 1",
                             arguments: [activityID, learnerID]).map { try Self.record($0, db) }
        }
    }

    public func audit(id: String) async throws -> [AuditEntry] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM audit WHERE certificateID = ? ORDER BY sequence", arguments: [id]).map { row in
                AuditEntry(sequence: row["sequence"], at: row["at"], certificateID: row["certificateID"],
                           action: row["action"], reason: row["reason"], actor: row["actor"])
            }
        }
    }

    public func input(sha256: String) async throws -> String? {
        try await database.read { try String.fetchOne($0, sql: "SELECT text FROM input WHERE sha256 = ?", arguments: [sha256]) }
    }

    private static func record(_ row: Row, _ db: Database) throws -> IssuedRecord {
        let id: String = row["id"]
        let claims = try Row.fetchAll(db, sql: "SELECT * FROM claim WHERE certificateID = ? ORDER BY position", arguments: [id]).map {
            IssuedClaim(creditType: $0["creditType"], board: $0["board"], pointType: $0["pointType"], amount: $0["amount"])
        }
        let learnerJSON: String? = row["learnerJSON"]
        return IssuedRecord(
            id: id, activityID: row["activityID"], learnerID: row["learnerID"], kind: row["kind"],
            claims: claims.isEmpty ? IssuedClaim.parse(credits: row["credits"]) : claims,
            learnerName: row["learnerName"],
            learner: try learnerJSON.map { try JSONDecoder().decode(Learner.self, from: Data($0.utf8)) },
            layoutName: row["layoutName"] ?? row["layout"], layoutVersion: row["layoutVersion"] ?? 1,
            statementVersions: row["statementVersions"], activitySHA256: row["activitySHA256"],
            learnerInput: row["learnerInput"], pdfSHA256: row["pdfSHA256"], issuedAt: row["issuedAt"],
            qrText: row["qrText"], signature: row["signature"], signatureRoom: row["signatureRoom"],
            signedAt: row["signedAt"], certified: row["certified"],
            status: IssuedRecord.Status(rawValue: row["status"]) ?? .issued, statusReason: row["statusReason"],
            supersededBy: row["supersededBy"], supersedes: row["supersedes"], revision: row["revision"],
            recordedAt: row["recordedAt"])
    }

    // MARK: Writing

    public func recordOrFetch(_ record: IssuedRecord, activityText: String, actor: String) async throws -> RecordOutcome {
        try await database.write { db in
            try Self.keepInput(activityText, db)
            guard try Self.insert(record, db) else {
                guard let existing = try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE id = ?", arguments: [record.id]) else {
                    throw RegistryError("certificate \(record.id) could not be recorded, and no certificate of that id is recorded")
                }
                return .existing(try Self.record(existing, db))
            }
            try Self.insertAudit(AuditEntry(at: record.recordedAt, certificateID: record.id, action: "issue", reason: nil, actor: actor), db)
            return .recorded(record)
        }
    }

    public func revoke(id: String, reason: String, actor: String, at time: Date) async throws {
        try await change(id) { db, record in
            guard record.status == .issued else {
                throw RegistryError("\(id) is already \(record.status.rawValue); nothing was changed")
            }
            try db.execute(sql: "UPDATE certificate SET status = 'revoked', statusReason = ? WHERE id = ?", arguments: [reason, id])
            try Self.insertAudit(AuditEntry(at: time, certificateID: id, action: "revoke", reason: reason, actor: actor), db)
        }
    }

    public func supersede(id: String, with replacement: IssuedRecord, reason: String, activityText: String,
                          actor: String) async throws {
        try await change(id) { db, record in
            if let later = record.supersededBy {
                throw RegistryError("\(id) was replaced by \(later) already; reissue \(later) instead")
            }
            switch record.status {
            case .issued:
                try db.execute(sql: "UPDATE certificate SET status = 'superseded', statusReason = ?, supersededBy = ? WHERE id = ?",
                               arguments: [reason, replacement.id, id])
            case .revoked:
                // A revoked certificate stays revoked, with its reason; it only learns its replacement.
                try db.execute(sql: "UPDATE certificate SET supersededBy = ? WHERE id = ?", arguments: [replacement.id, id])
            case .superseded:
                throw RegistryError("\(id) is superseded and cannot be reissued")
            }
            try Self.keepInput(activityText, db)
            guard try Self.insert(replacement, db) else {
                throw RegistryError("certificate \(replacement.id) is recorded already; nothing was changed")
            }
            let time = replacement.recordedAt
            try Self.insertAudit(AuditEntry(at: time, certificateID: id, action: "supersede", reason: "by \(replacement.id): \(reason)", actor: actor), db)
            try Self.insertAudit(AuditEntry(at: time, certificateID: replacement.id, action: "reissue", reason: "replaces \(id): \(reason)", actor: actor), db)
        }
    }

    /// Inserts `record` and its claims unless its id is taken; false when it was.
    private static func insert(_ record: IssuedRecord, _ db: Database) throws -> Bool {
        try db.execute(sql: """
            INSERT INTO certificate (id, activityID, learnerID, kind, credits, learnerName, learnerJSON, layout, layoutName,
                layoutVersion, statementVersions, activitySHA256, learnerInput, pdfSHA256, issuedAt, qrText, signature,
                signatureRoom, signedAt, certified, status, statusReason, supersededBy, supersedes, revision, recordedAt)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
            """, arguments: [
                record.id, record.activityID, record.learnerID, record.kind, record.credits, record.learnerName,
                try record.learner.map(json), record.layout, record.layoutName, record.layoutVersion,
                record.statementVersions, record.activitySHA256, record.learnerInput, record.pdfSHA256, record.issuedAt,
                record.qrText, record.signature, record.signatureRoom, record.signedAt, record.certified,
                record.status.rawValue, record.statusReason, record.supersededBy, record.supersedes, record.revision,
                record.recordedAt,
            ])
        guard db.changesCount == 1 else { return false }
        try insertClaims(record.claims, of: record.id, db)
        return true
    }

    private static func insertClaims(_ claims: [IssuedClaim], of id: String, _ db: Database) throws {
        for (position, claim) in claims.enumerated() {
            try db.execute(sql: "INSERT INTO claim (certificateID, position, creditType, board, pointType, amount) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [id, position, claim.creditType, claim.board, claim.pointType, claim.amount])
        }
    }

    private static func keepInput(_ text: String, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO input (sha256, text) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       arguments: [Hex.sha256(Array(text.utf8)), text])
    }

    private static func insertAudit(_ entry: AuditEntry, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO audit (at, certificateID, action, reason, actor) VALUES (?, ?, ?, ?, ?)",
                       arguments: [entry.at, entry.certificateID, entry.action, entry.reason, entry.actor])
    }

    /// The learner as the registry keeps it: JSON with sorted keys.
    private static func json(_ learner: Learner) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(learner), as: UTF8.self)
    }

    private func change(_ id: String, _ body: @escaping @Sendable (Database, IssuedRecord) throws -> Void) async throws {
        let location = file.path
        do {
            try await database.write { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM certificate WHERE id = ?", arguments: [id]) else {
                    throw RegistryError("\(id) is not in the registry \(location)")
                }
                try body(db, try Self.record(row, db))
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError("the registry \(location) could not be changed: \(error)")
        }
    }
}

// MARK: The service's tables

extension SQLiteRegistry: ReportLedger {
    public func certificates(activityID: String) async throws -> [IssuedRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM certificate WHERE activityID = ? ORDER BY issuedAt, revision, id",
                             arguments: [activityID]).map { try Self.record($0, db) }
        }
    }

    public func latestEntries(target: String) async throws -> [String: ReportEntry] {
        try await database.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM report_entry e WHERE target = ? AND sequence = (
                    SELECT MAX(sequence) FROM report_entry l WHERE l.target = e.target AND l.creditID = e.creditID)
                """, arguments: [target])
            var latest: [String: ReportEntry] = [:]
            for row in rows {
                let fields = (try? JSONDecoder().decode([String].self, from: Data((row["fields"] as String).utf8))) ?? []
                latest[row["creditID"]] = ReportEntry(
                    creditID: row["creditID"], certificateID: row["certificateID"],
                    action: ReportEntry.Action(rawValue: row["action"]) ?? .delete, contentSHA256: row["contentSHA256"],
                    fields: fields, exportFile: row["exportFile"], exportedAt: ISODate.date(row["exportedAt"]) ?? Date(timeIntervalSince1970: 0),
                    status: row["status"], statusMessage: row["statusMessage"])
            }
            return latest
        }
    }

    public func record(_ entries: [ReportEntry], target: String) async throws {
        try await database.write { db in
            var sequence = try Int.fetchOne(db, sql: "SELECT MAX(sequence) FROM report_entry WHERE target = ?", arguments: [target]) ?? 0
            for entry in entries {
                sequence += 1
                let fields = String(decoding: try JSONEncoder().encode(entry.fields), as: UTF8.self)
                try db.execute(sql: """
                    INSERT INTO report_entry (target, sequence, creditID, certificateID, action, contentSHA256, fields, exportFile, exportedAt,
                                              status, statusMessage)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [target, sequence, entry.creditID, entry.certificateID, entry.action.rawValue, entry.contentSHA256,
                                     fields, entry.exportFile, ISODate.string(entry.exportedAt), entry.status, entry.statusMessage])
            }
        }
    }

    public func statusPositions(for certificateIDs: [String]) async throws -> [String: Int] {
        try await database.write { db in
            var positions: [String: Int] = [:]
            var next = (try Int.fetchOne(db, sql: "SELECT MAX(position) FROM status_position") ?? -1) + 1
            for id in certificateIDs where positions[id] == nil {
                if let known = try Int.fetchOne(db, sql: "SELECT position FROM status_position WHERE certificateID = ?", arguments: [id]) {
                    positions[id] = known
                    continue
                }
                try db.execute(sql: "INSERT INTO status_position (certificateID, position) VALUES (?, ?)", arguments: [id, next])
                positions[id] = next
                next += 1
            }
            return positions
        }
    }

    public func withdrawnCertificateIDs() async throws -> Set<String> {
        try await database.read { db in
            Set(try String.fetchAll(db, sql: "SELECT id FROM certificate WHERE status <> ?", arguments: [IssuedRecord.Status.issued.rawValue]))
        }
    }

    public func allStatusPositions() async throws -> [String: Int] {
        try await database.read { db in
            var positions: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT certificateID, position FROM status_position") {
                positions[row["certificateID"]] = row["position"]
            }
            return positions
        }
    }
}

extension SQLiteRegistry: ServiceStore {
    public func account(email: String) async throws -> Account? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM account WHERE email = ?", arguments: [email.lowercased()]).map(Self.account)
        }
    }

    public func account(id: String) async throws -> Account? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM account WHERE id = ?", arguments: [id]).map(Self.account)
        }
    }

    public func accountMaking(email: String, learnerID: String, at time: Date) async throws -> Account {
        let address = email.lowercased()
        return try await database.write { db in
            try db.execute(sql: """
                INSERT INTO account (id, email, learnerID, profile, createdAt) VALUES (?, ?, ?, '{}', ?)
                ON CONFLICT DO NOTHING
                """, arguments: [UUID().uuidString.lowercased(), address, learnerID, ISODate.string(time)])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM account WHERE email = ?", arguments: [address]) else {
                throw RegistryError("the account for this address could not be made")
            }
            return Self.account(row)
        }
    }

    public func saveProfile(accountID: String, profile: String) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE account SET profile = ? WHERE id = ?", arguments: [profile, accountID])
        }
    }

    public func addSignIn(tokenSHA256: String, accountID: String, expiresAt: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO sign_in (tokenSHA256, accountID, expiresAt) VALUES (?, ?, ?)",
                           arguments: [tokenSHA256, accountID, ISODate.string(expiresAt)])
        }
    }

    public func redeemSignIn(tokenSHA256: String, at time: Date) async throws -> String? {
        let now = ISODate.string(time)
        return try await database.write { db in
            try db.execute(sql: "UPDATE sign_in SET usedAt = ? WHERE tokenSHA256 = ? AND usedAt IS NULL AND expiresAt > ?",
                           arguments: [now, tokenSHA256, now])
            guard db.changesCount == 1 else { return nil }
            return try String.fetchOne(db, sql: "SELECT accountID FROM sign_in WHERE tokenSHA256 = ?", arguments: [tokenSHA256])
        }
    }

    public func addSession(idSHA256: String, accountID: String, csrf: String, expiresAt: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO session (idSHA256, accountID, csrf, expiresAt) VALUES (?, ?, ?, ?)",
                           arguments: [idSHA256, accountID, csrf, ISODate.string(expiresAt)])
        }
    }

    public func session(idSHA256: String, at time: Date) async throws -> (accountID: String, csrf: String)? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT accountID, csrf FROM session WHERE idSHA256 = ? AND expiresAt > ?",
                             arguments: [idSHA256, ISODate.string(time)]).map { ($0["accountID"], $0["csrf"]) }
        }
    }

    public func endSession(idSHA256: String) async throws {
        try await database.write { db in try db.execute(sql: "DELETE FROM session WHERE idSHA256 = ?", arguments: [idSHA256]) }
    }

    public func enqueue(_ mail: OutgoingMail) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO outbox (id, recipient, subject, body, createdAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [mail.id, mail.recipient, mail.subject, mail.body, ISODate.string(mail.createdAt)])
        }
    }

    public func unsentMail(limit: Int, at time: Date) async throws -> [OutgoingMail] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM outbox WHERE sentAt IS NULL AND (nextAttemptAt IS NULL OR nextAttemptAt <= ?)
                ORDER BY createdAt, id LIMIT ?
                """, arguments: [ISODate.string(time), limit]).map { row in
                OutgoingMail(id: row["id"], recipient: row["recipient"], subject: row["subject"], body: row["body"],
                             createdAt: ISODate.date(row["createdAt"]) ?? Date(timeIntervalSince1970: 0), attempts: row["attempts"])
            }
        }
    }

    public func markFailed(id: String, reason: String, retryAt: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE outbox SET attempts = attempts + 1, lastError = ?, nextAttemptAt = ? WHERE id = ?",
                           arguments: [reason, ISODate.string(retryAt), id])
        }
    }

    public func markSent(id: String, at time: Date) async throws {
        try await database.write { db in
            try db.execute(sql: "UPDATE outbox SET sentAt = ? WHERE id = ?", arguments: [ISODate.string(time), id])
        }
    }

    public func pruneExpired(at time: Date) async throws -> Int {
        let now = ISODate.string(time)
        return try await database.write { db in
            try db.execute(sql: "DELETE FROM session WHERE expiresAt <= ?", arguments: [now])
            var removed = db.changesCount
            try db.execute(sql: "DELETE FROM sign_in WHERE expiresAt <= ?", arguments: [now])
            removed += db.changesCount
            return removed
        }
    }

    public func accountImporting(email: String, learnerID: String, profile: String, at time: Date) async throws -> (account: Account, made: Bool) {
        let address = email.lowercased()
        return try await database.write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM account WHERE email = ?", arguments: [address]) {
                return (Self.account(row), false)
            }
            if try String.fetchOne(db, sql: "SELECT email FROM account WHERE learnerID = ?", arguments: [learnerID]) != nil {
                throw RegistryError("learner id \(learnerID) already belongs to an account with another email address")
            }
            let id = UUID().uuidString.lowercased()
            try db.execute(sql: "INSERT INTO account (id, email, learnerID, profile, createdAt) VALUES (?, ?, ?, ?, ?)",
                           arguments: [id, address, learnerID, profile, ISODate.string(time)])
            return (Account(id: id, email: address, learnerID: learnerID, profile: profile, createdAt: time), true)
        }
    }

    public func enrol(accountID: String, activityID: String, via: EnrolmentRoute, at time: Date) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO enrolment (accountID, activityID, via, enrolledAt) VALUES (?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """, arguments: [accountID, activityID, via.rawValue, ISODate.string(time)])
        }
    }

    public func enrolments(accountID: String) async throws -> [EnrolmentRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM enrolment WHERE accountID = ? ORDER BY enrolledAt, activityID",
                             arguments: [accountID]).map { row in
                EnrolmentRecord(activityID: row["activityID"], via: EnrolmentRoute(rawValue: row["via"]) ?? .roster,
                                enrolledAt: ISODate.date(row["enrolledAt"]) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    public func saveEvaluation(accountID: String, activityID: String, answers: String, at time: Date) async throws {
        try await database.write { db in
            try db.execute(sql: """
                INSERT INTO evaluation (accountID, activityID, answers, submittedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT (accountID, activityID) DO UPDATE SET answers = excluded.answers, submittedAt = excluded.submittedAt
                """, arguments: [accountID, activityID, answers, ISODate.string(time)])
        }
    }

    public func evaluation(accountID: String, activityID: String) async throws -> (answers: String, submittedAt: Date)? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT answers, submittedAt FROM evaluation WHERE accountID = ? AND activityID = ?",
                             arguments: [accountID, activityID]).map {
                ($0["answers"], ISODate.date($0["submittedAt"]) ?? Date(timeIntervalSince1970: 0))
            }
        }
    }

    public func keepFile(certificateID: String, pdf: [UInt8]) async throws {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO certificate_file (certificateID, pdf) VALUES (?, ?) ON CONFLICT DO NOTHING",
                           arguments: [certificateID, Data(pdf)])
        }
    }

    public func file(certificateID: String) async throws -> [UInt8]? {
        try await database.read { db in
            try Data.fetchOne(db, sql: "SELECT pdf FROM certificate_file WHERE certificateID = ?", arguments: [certificateID]).map(Array.init)
        }
    }

    public func sessionAccount(idSHA256: String, at time: Date) async throws -> (account: Account, csrf: String)? {
        try await database.read { db in
            try Row.fetchOne(db, sql: """
                SELECT account.*, session.csrf AS sessionCSRF FROM session JOIN account ON account.id = session.accountID
                WHERE session.idSHA256 = ? AND session.expiresAt > ?
                """, arguments: [idSHA256, ISODate.string(time)]).map { (Self.account($0), $0["sessionCSRF"]) }
        }
    }

    public func fileFacts(certificateID: String) async throws -> (learnerID: String, status: IssuedRecord.Status, pdfSHA256: String, supersededBy: String?)? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT learnerID, status, pdfSHA256, supersededBy FROM certificate WHERE id = ?",
                             arguments: [certificateID]).map {
                ($0["learnerID"], IssuedRecord.Status(rawValue: $0["status"]) ?? .revoked, $0["pdfSHA256"], $0["supersededBy"])
            }
        }
    }

    public func certificates(learnerID: String) async throws -> [IssuedRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM certificate WHERE learnerID = ? ORDER BY issuedAt, revision, id",
                             arguments: [learnerID]).map { try Self.record($0, db) }
        }
    }

    private static func account(_ row: Row) -> Account {
        Account(id: row["id"], email: row["email"], learnerID: row["learnerID"], profile: row["profile"],
                createdAt: ISODate.date(row["createdAt"]) ?? Date(timeIntervalSince1970: 0))
    }
}

import CreditRecords
import Crypto
import Foundation
import GRDB

/// One issued certificate as the registry keeps it.
public struct IssuedRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "certificate"

    public enum Status: String, Codable, Sendable, DatabaseValueConvertible {
        case issued, revoked, superseded
    }

    public var id: String
    public var activityID: String
    public var learnerID: String
    public var kind: String
    /// `ama-pra-category-1 38.75; …`, as printed.
    public var credits: String
    public var learnerName: String
    /// `physician-cme v1`, and the statement templates' versions as JSON.
    public var layout: String
    public var statementVersions: String
    /// The exact input: the activity file's SHA-256 (its text is in `input`) and the learner's record.
    public var activitySHA256: String
    public var learnerInput: String
    public var pdfSHA256: String
    /// What reproduces the issued file byte for byte: the issue date, the QR text and the
    /// CMS signature with its signing time.
    public var issuedAt: Date
    public var qrText: String?
    public var signature: Data?
    /// The bytes `/Contents` had room for.
    public var signatureRoom: Int?
    public var signedAt: Date?
    /// A DocMDP certification signature.
    public var certified: Bool
    public var status: Status
    public var statusReason: String?
    public var supersededBy: String?
    public var supersedes: String?
    /// 1 for the first certificate of an activity and learner, 2 for its first reissue…
    public var revision: Int
    public var recordedAt: Date

    package init(id: String, activityID: String, learnerID: String, kind: String, credits: String, learnerName: String, layout: String, statementVersions: String, activitySHA256: String, learnerInput: String, pdfSHA256: String, issuedAt: Date, qrText: String?, signature: Data?, signatureRoom: Int?, signedAt: Date?, certified: Bool, status: Status, statusReason: String?, supersededBy: String?, supersedes: String?, revision: Int, recordedAt: Date) {
        self.id = id
        self.activityID = activityID
        self.learnerID = learnerID
        self.kind = kind
        self.credits = credits
        self.learnerName = learnerName
        self.layout = layout
        self.statementVersions = statementVersions
        self.activitySHA256 = activitySHA256
        self.learnerInput = learnerInput
        self.pdfSHA256 = pdfSHA256
        self.issuedAt = issuedAt
        self.qrText = qrText
        self.signature = signature
        self.signatureRoom = signatureRoom
        self.signedAt = signedAt
        self.certified = certified
        self.status = status
        self.statusReason = statusReason
        self.supersededBy = supersededBy
        self.supersedes = supersedes
        self.revision = revision
        self.recordedAt = recordedAt
    }

    /// `ama-pra-category-1 20; moc:abim 20`, as the `credits` column and verification write them.
    public static func credits(_ claims: [Learner.Claim]) -> String {
        claims.map { "\($0.code) \($0.amount)" }.joined(separator: "; ")
    }
}

/// One entry of the audit trail.
public struct AuditEntry: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "audit"
    public var sequence: Int64?
    public var at: Date
    public var certificateID: String
    /// `issue`, `reissue`, `revoke`, `supersede`.
    public var action: String
    public var reason: String?
    public var actor: String

    public mutating func didInsert(_ inserted: InsertionSuccess) { sequence = inserted.rowID }
}

/// The registry of issued certificates, as issuing and verification use it. The SQLite
/// file is the one kept here; a server database for several instances fits behind the
/// same methods (`Registry.open` chooses by the address it is given).
public protocol CertificateRegistry: AnyObject, Sendable {
    /// Where the registry is, for messages.
    var location: String { get }
    func record(id: String) throws -> IssuedRecord?
    /// The newest certificate of an activity and learner.
    func latest(activityID: String, learnerID: String) throws -> IssuedRecord?
    func audit(id: String) throws -> [AuditEntry]
    /// The text of an input recorded under its SHA-256.
    func input(sha256: String) throws -> String?
    /// Records newly issued certificates, with the activity text they were made from, at once.
    func recordIssued(_ records: [IssuedRecord], activityText: String, actor: String) throws
    func revoke(id: String, reason: String, actor: String, at time: Date) throws(RegistryError)
    /// Records `replacement` as superseding `id`, at once.
    func supersede(id: String, with replacement: IssuedRecord, reason: String, activityText: String,
                   actor: String) throws(RegistryError)
}

/// Finding and opening registries, and what every kind shares.
public enum Registry {
    /// The registry at `address`: today an SQLite file path.
    public static func open(_ address: URL) throws -> any CertificateRegistry {
        try SQLiteRegistry(file: address)
    }

    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.sha256(bytes)
    }
}

/// The registry in an SQLite file, through GRDB: plain SQL over three tables
/// (`certificate`, `input`, `audit`).
public final class SQLiteRegistry: CertificateRegistry, @unchecked Sendable {
    public let file: URL
    public var location: String { file.path }
    private let database: DatabaseQueue

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
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            database = try DatabaseQueue(path: file.path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch {
            throw InputError([Problem(file: file.path, field: "", message: "cannot be opened as a certificate registry (\(error))",
                                      hint: "give the registry file CreditPress made, or a new path for a new registry")])
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "certificate") { table in
                table.primaryKey("id", .text)
                table.column("activityID", .text).notNull()
                table.column("learnerID", .text).notNull()
                table.column("kind", .text).notNull()
                table.column("credits", .text).notNull()
                table.column("learnerName", .text).notNull()
                table.column("layout", .text).notNull()
                table.column("statementVersions", .text).notNull()
                table.column("activitySHA256", .text).notNull()
                table.column("learnerInput", .text).notNull()
                table.column("pdfSHA256", .text).notNull()
                table.column("issuedAt", .datetime).notNull()
                table.column("qrText", .text)
                table.column("signature", .blob)
                table.column("signatureRoom", .integer)
                table.column("signedAt", .datetime)
                table.column("certified", .boolean).notNull()
                table.column("status", .text).notNull()
                table.column("statusReason", .text)
                table.column("supersededBy", .text)
                table.column("supersedes", .text)
                table.column("revision", .integer).notNull()
                table.column("recordedAt", .datetime).notNull()
            }
            try db.create(index: "certificate_by_learner", on: "certificate", columns: ["activityID", "learnerID"])
            try db.create(table: "input") { table in
                table.primaryKey("sha256", .text)
                table.column("text", .text).notNull()
            }
            try db.create(table: "audit") { table in
                table.autoIncrementedPrimaryKey("sequence")
                table.column("at", .datetime).notNull()
                table.column("certificateID", .text).notNull().indexed()
                table.column("action", .text).notNull()
                table.column("reason", .text)
                table.column("actor", .text).notNull()
            }
        }
        return migrator
    }

    public func record(id: String) throws -> IssuedRecord? {
        try database.read { try IssuedRecord.fetchOne($0, key: id) }
    }

    public func latest(activityID: String, learnerID: String) throws -> IssuedRecord? {
        try database.read { db in
            try IssuedRecord.filter(Column("activityID") == activityID && Column("learnerID") == learnerID)
                .order(Column("revision").desc).fetchOne(db)
        }
    }

    public func audit(id: String) throws -> [AuditEntry] {
        try database.read { db in
            try AuditEntry.filter(Column("certificateID") == id).order(Column("sequence")).fetchAll(db)
        }
    }

    public func input(sha256: String) throws -> String? {
        try database.read { try String.fetchOne($0, sql: "SELECT text FROM input WHERE sha256 = ?", arguments: [sha256]) }
    }

    public func recordIssued(_ records: [IssuedRecord], activityText: String, actor: String) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO input (sha256, text) VALUES (?, ?)",
                           arguments: [Registry.sha256Hex(Array(activityText.utf8)), activityText])
            for record in records {
                try record.insert(db)
                let entry = AuditEntry(at: record.recordedAt, certificateID: record.id, action: "issue", reason: nil, actor: actor)
                try entry.insert(db)
            }
        }
    }

    public func revoke(id: String, reason: String, actor: String, at time: Date) throws(RegistryError) {
        try change(id) { db, record in
            guard record.status == .issued else {
                throw RegistryError("\(id) is already \(record.status.rawValue); nothing was changed")
            }
            record.status = .revoked
            record.statusReason = reason
            try record.update(db)
            let entry = AuditEntry(at: time, certificateID: id, action: "revoke", reason: reason, actor: actor)
            try entry.insert(db)
        }
    }

    public func supersede(id: String, with replacement: IssuedRecord, reason: String, activityText: String,
                          actor: String) throws(RegistryError) {
        try change(id) { db, record in
            guard record.status == .issued else {
                throw RegistryError("\(id) is \(record.status.rawValue) and cannot be reissued")
            }
            record.status = .superseded
            record.statusReason = reason
            record.supersededBy = replacement.id
            try record.update(db)
            try db.execute(sql: "INSERT OR IGNORE INTO input (sha256, text) VALUES (?, ?)",
                           arguments: [Registry.sha256Hex(Array(activityText.utf8)), activityText])
            try replacement.insert(db)
            let old = AuditEntry(at: replacement.recordedAt, certificateID: id, action: "supersede", reason: "by \(replacement.id): \(reason)", actor: actor)
            try old.insert(db)
            let new = AuditEntry(at: replacement.recordedAt, certificateID: replacement.id, action: "reissue", reason: "replaces \(id): \(reason)", actor: actor)
            try new.insert(db)
        }
    }

    private func change(_ id: String, _ body: @escaping (Database, inout IssuedRecord) throws -> Void) throws(RegistryError) {
        do {
            try database.write { db in
                guard var record = try IssuedRecord.fetchOne(db, key: id) else {
                    throw RegistryError("\(id) is not in the registry \(self.file.path)")
                }
                try body(db, &record)
            }
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError("the registry \(file.path) could not be changed: \(error)")
        }
    }
}

/// A registry change that was refused or failed.
public struct RegistryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

import CreditRecords
import Foundation

/// The registry of issued certificates, as issuing, verification and the service use it.
/// Every write names who acts and when. The SQLite file is the implementation kept here; a
/// server database for several instances fits behind the same methods and shares the
/// schema's SQL (`RegistrySchema`).
public protocol CertificateRegistry: AnyObject, Sendable {
    /// Where the registry is, for messages.
    var location: String { get }
    func record(id: String) async throws -> IssuedRecord?
    /// The newest certificate of an activity and learner.
    func latest(activityID: String, learnerID: String) async throws -> IssuedRecord?
    func audit(id: String) async throws -> [AuditEntry]
    /// The text of an input recorded under its SHA-256.
    func input(sha256: String) async throws -> String?
    /// Records a newly issued certificate with the activity text it was made from, in one
    /// step that cannot race: when a certificate with its id is recorded already, nothing is
    /// written and that one is returned. The audit entry is `record.recordedAt` by `actor`.
    func recordOrFetch(_ record: IssuedRecord, activityText: String, actor: String) async throws -> RecordOutcome
    func revoke(id: String, reason: String, actor: String, at time: Date) async throws
    /// Records `replacement` as superseding `id`, at once, at `replacement.recordedAt`.
    func supersede(id: String, with replacement: IssuedRecord, reason: String, activityText: String,
                   actor: String) async throws
}

/// Finding and opening registries.
public enum Registry {
    /// The registry at `address`: today an SQLite file path, made or upgraded as needed.
    public static func open(_ address: URL) throws -> any CertificateRegistry {
        try SQLiteRegistry(file: address)
    }

    /// The registry at `address` to read only, as `verify` does: it must exist, is never
    /// created or upgraded, and may sit on read-only media.
    public static func openForReading(_ address: URL) throws -> any CertificateRegistry {
        try SQLiteRegistry(reading: address)
    }
}

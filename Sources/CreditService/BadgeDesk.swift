import CreditBadges
import CreditRecords
import CreditRegistry
import Foundation
import Hummingbird

/// The service's Open Badges: a learner's badge and CLR, made from the registry's records
/// on asking; the issuer profile, the activities' achievements and the status list that
/// revokes badges, published for anyone who checks one.
actor BadgeDesk {
    let signer: BadgeSigner
    let addresses: BadgeAddresses
    let boards: BoardCatalog
    let store: any ServiceStore & CertificateRegistry
    let catalog: ActivityCatalog
    let clock: any CreditClock
    /// The signed status list and when it was made: made again after `listLifetime`, so a
    /// revocation shows within a minute while the list is not re-signed for every check.
    private var list: (token: String, madeAt: Date)?
    static let listLifetime: TimeInterval = 60

    init(signer: BadgeSigner, addresses: BadgeAddresses, boards: BoardCatalog, store: any ServiceStore & CertificateRegistry,
         catalog: ActivityCatalog, clock: any CreditClock) {
        (self.signer, self.addresses, self.boards, self.store) = (signer, addresses, boards, store)
        (self.catalog, self.clock) = (catalog, clock)
    }

    /// The activity a certificate was issued from: as recorded at issue, else the catalog's.
    func activity(of record: IssuedRecord) async -> Activity? {
        if let recorded = await BadgeMaker.recordedActivity(record, registry: store, boards: boards) { return recorded }
        return catalog.entry(record.activityID)?.activity
    }

    /// The signed badge of an issued certificate.
    func badge(_ record: IssuedRecord) async throws -> String? {
        guard BadgeMaker.refusal(record) == nil, let activity = await activity(of: record) else { return nil }
        let position = try await store.statusPositions(for: [record.id])[record.id] ?? 0
        let credential = try BadgeMaker(activity: activity, addresses: addresses, boards: boards)
            .credential(record, position: position, salt: BadgeMaker.newSalt())
        return try await signer.sign(credential)
    }

    /// The signed CLR of the learner's issued certificates completed in the period.
    func learnerRecord(_ records: [IssuedRecord], learnerName: String, period: String) async throws -> String? {
        let current = records.filter { BadgeMaker.refusal($0) == nil }
        guard !current.isEmpty else { return nil }
        let positions = try await store.statusPositions(for: current.map(\.id))
        var held: [(record: IssuedRecord, activity: Activity, position: Int)] = []
        for record in current {
            guard let activity = await activity(of: record) else { continue }
            held.append((record, activity, positions[record.id] ?? 0))
        }
        guard let first = held.first else { return nil }
        let clr = try ClrCredential(learnerName: learnerName, period: period, certificates: held, addresses: addresses,
                                    boards: boards, issuerName: first.activity.provider.name, salt: BadgeMaker.newSalt(),
                                    at: clock.now())
        return try await signer.sign(clr)
    }

    /// The status list as published now.
    func statusList() async throws -> String {
        let now = clock.now()
        if let list, now.timeIntervalSince(list.madeAt) < Self.listLifetime, now >= list.madeAt { return list.token }
        let credential = StatusListCredential(addresses: addresses, positions: try await store.allStatusPositions(),
                                              withdrawn: try await store.withdrawnCertificateIDs(), at: now)
        let token = try await signer.sign(credential)
        list = (token, now)
        return token
    }

    /// The issuer's profile: the provider of the service's activities.
    nonisolated func issuer() -> OpenBadgeCredential.Profile {
        let name = catalog.all.first?.activity.provider.name ?? "CreditPress"
        return OpenBadgeCredential.Profile(id: addresses.issuer, type: ["Profile"], name: name, url: addresses.base)
    }

    /// An activity's achievement, as its badges hold it.
    nonisolated func achievement(_ id: String) -> OpenBadgeCredential.Achievement? {
        catalog.entry(id).map { BadgeMaker(activity: $0.activity, addresses: addresses, boards: boards).achievement }
    }
}

/// The public documents badges point to.
struct BadgeRoutes {
    let desk: BadgeDesk

    func add(to router: Router<ServiceContext>) {
        router.get("/issuer") { _, _ in try Self.json(desk.issuer()) }
        router.get("/achievements/:activity") { _, context in
            guard let achievement = desk.achievement(context.parameters.get("activity") ?? "") else {
                return Response(status: .notFound, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"no such activity\"}\n")))
            }
            return try Self.json(achievement)
        }
        router.get("/status/badges") { _, _ in
            let token = try await desk.statusList()
            return Response(status: .ok, headers: [.contentType: "application/vc+jwt", .cacheControl: "public, max-age=60"],
                            body: .init(byteBuffer: ByteBuffer(string: token)))
        }
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json", .cacheControl: "public, max-age=300"],
                        body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }
}

import CreditBadges
import CreditRecords
import CreditRegistry
import Foundation
import Hummingbird
import Logging

/// The running service: its configuration, what it verifies with, its pages.
public struct Service: Sendable {
    public let configuration: ServiceConfiguration
    let verification: VerificationService
    let pages: Pages
    let limiter: RateLimiter
    let store: any ServiceStore
    let registry: any ServiceStore & CertificateRegistry
    let environment: CreditEnvironment
    let logger: Logger
    let signInsPerAddress = RateLimiter(perMinute: 10)
    let signInsPerEmail = RateLimiter(perMinute: 3)
    /// Links tried per address: a script guessing links is stopped long before it could find one.
    let redemptionsPerAddress = RateLimiter(perMinute: 30)
    /// Claims posted per account.
    let claimsPerAccount = RateLimiter(perMinute: 20)
    let catalog: ActivityCatalog
    let desk: IssuingDesk?
    /// Drains the outbox: into the development folder, or to the SMTP server.
    let mail: MailDelivery
    let files = FileCache()
    /// Open Badges and CLRs, when certificates are signed.
    let badges: BadgeDesk?

    public init(configuration: ServiceConfiguration, environment: CreditEnvironment, registry: any CertificateRegistry & ServiceStore,
                logger: Logger = Logger(label: "creditpress")) async throws {
        self.configuration = configuration
        self.store = registry
        self.registry = registry
        self.environment = environment
        self.logger = logger
        verification = VerificationService(registry: registry, trustRoots: configuration.trustRoots,
                                           signers: configuration.signers, clock: environment.clock)
        pages = try await Pages(resources: configuration.resources)
        limiter = RateLimiter(perMinute: configuration.verificationsPerMinute)
        desk = try configuration.idKey.map {
            try IssuingDesk(environment: environment, idKey: $0, signing: configuration.signing, registry: registry)
        }
        let drainer: (any MailDrainer)? = configuration.outboxFolder.map {
            FolderMailDrainer(store: registry, folder: $0, clock: environment.clock)
        } ?? configuration.smtp.map {
            SMTPMailDrainer(store: registry, settings: $0, clock: environment.clock, logger: logger)
        }
        mail = MailDelivery(drainer: drainer, store: registry, clock: environment.clock, logger: logger)
        let boards = try BoardCatalog(file: environment.resources.boards)
        catalog = try ActivityCatalog(files: configuration.activityFiles, boards: boards)
        if let signing = configuration.signing {
            badges = BadgeDesk(signer: try await BadgeSigner(identity: signing, algorithm: configuration.badgeAlgorithm),
                               addresses: BadgeAddresses(base: configuration.publicURL), boards: boards, store: registry,
                               catalog: catalog, clock: environment.clock)
        } else {
            badges = nil
        }
    }
}

extension Service {
    /// Hands on every message that is due now (the running service does this by itself);
    /// how many went.
    @discardableResult
    public func drainOutbox() async throws -> Int {
        try await mail.drainer?.drain() ?? 0
    }
}

/// Every route of the service, for the server and for in-process tests.
public func buildRouter(_ service: Service) -> Router<ServiceContext> {
    let router = Router(context: ServiceContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: FileMiddleware(service.configuration.resources.root.appendingPathComponent("Templates/web/static").path,
                                          urlBasePath: "/static", cacheControl: .init([(MediaType(type: .any), [.maxAge(3600)])]),
                                          searchForIndexHtml: false))
    VerifyRoutes(service: service.verification, pages: service.pages, maximumUpload: service.configuration.maximumUpload)
        .add(to: router, limiter: service.limiter, address: ClientAddress(trustedProxies: service.configuration.trustedProxies))
    let clock = service.environment.clock
    LearnerRoutes(store: service.store, sessions: Sessions(store: service.store, clock: clock), pages: service.pages, clock: clock,
                  publicURL: service.configuration.publicURL,
                  developmentOutbox: service.configuration.outboxFolder, mail: service.mail,
                  logger: service.logger, signInsPerAddress: service.signInsPerAddress, signInsPerEmail: service.signInsPerEmail,
                  redemptionsPerAddress: service.redemptionsPerAddress,
                  address: ClientAddress(trustedProxies: service.configuration.trustedProxies))
        .add(to: router)
    LearnerArea(store: service.registry, sessions: Sessions(store: service.store, clock: clock), pages: service.pages, clock: clock,
                catalog: service.catalog, desk: service.desk, scratch: service.configuration.scratchFolder, logger: service.logger,
                files: service.files, claimsPerAccount: service.claimsPerAccount, badges: service.badges)
        .add(to: router)
    if let badges = service.badges { BadgeRoutes(desk: badges).add(to: router) }
    return router
}

/// The application `creditpress serve` runs.
public func buildApplication(_ service: Service, logger: Logger) -> some ApplicationProtocol {
    Application(router: buildRouter(service),
                configuration: .init(address: .hostname(service.configuration.host, port: service.configuration.port),
                                     serverName: "CreditPress"),
                services: [service.mail],
                logger: logger)
}

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
    let catalog: ActivityCatalog
    let desk: IssuingDesk?

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
        catalog = try ActivityCatalog(files: configuration.activityFiles, boards: try BoardCatalog(file: environment.resources.boards))
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
        .add(to: router, limiter: service.limiter)
    let clock = service.environment.clock
    LearnerRoutes(store: service.store, sessions: Sessions(store: service.store, clock: clock), pages: service.pages, clock: clock,
                  publicURL: service.configuration.publicURL,
                  drainer: service.configuration.outboxFolder.map { FolderMailDrainer(store: service.store, folder: $0, clock: clock) },
                  logger: service.logger, signInsPerAddress: service.signInsPerAddress, signInsPerEmail: service.signInsPerEmail)
        .add(to: router)
    LearnerArea(store: service.registry, sessions: Sessions(store: service.store, clock: clock), pages: service.pages, clock: clock,
                catalog: service.catalog, desk: service.desk, scratch: service.configuration.scratchFolder, logger: service.logger)
        .add(to: router)
    return router
}

/// The application `creditpress serve` runs.
public func buildApplication(_ service: Service, logger: Logger) -> some ApplicationProtocol {
    Application(router: buildRouter(service),
                configuration: .init(address: .hostname(service.configuration.host, port: service.configuration.port),
                                     serverName: "CreditPress"),
                logger: logger)
}

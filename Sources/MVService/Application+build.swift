import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import MVAuth
import MVBackends
import MVBilling
import MVCore
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// The parts of a running service, shared by the API (`serve`) and worker-only (`worker`) processes.
struct ServiceComponents {
    let logger: Logger
    let postgres: PostgresClient
    let httpClient: HTTPClient
    let migrator: Migrator
    let gate: ReadyGate
    let tokens: TokenIssuer
    let identities: PostgresIdentityStore
    let teams: TeamStore
    let keys: APIKeyStore
    /// Verifiers of the configured external identity providers, by issuer.
    let externalVerifiers: [String: ExternalTokenVerifier]
    let audit: AuditLog
    let refreshTokens: PostgresRefreshTokenStore
    let ledger: Ledger
    let rateLimiter: RateLimiter
    /// Leased batches of the leased rate-limit policies (`api`).
    let tokenLeases: RateTokenLeases
    /// Principals' standing cached in process, invalidated by ``StandingListener``.
    let standing: StandingCache
    let prices: PriceTable
    let media: LocalMediaStore
    let assets: AssetStore
    let grants: AssetGrantStore
    let shares: ShareStore
    let queue: JobQueue
    let router: GenerationRouter
    let templates: PromptTemplates
    let worker: JobWorker
    /// Webhook endpoints and delivery logs.
    let webhooks: WebhookStore
    /// Where webhooks may be delivered (`webhooks.allowed_hosts`, public addresses).
    let webhookPolicy: WebhookURLPolicy
    /// Delivers webhooks from the outbox; runs beside ``worker``.
    let dispatcher: WebhookDispatcher
    /// Services that run in every process kind, in start order (stopped in reverse).
    let baseServices: [any Service]

    static func build(_ config: AppConfig) async throws -> ServiceComponents {
        let logger = Logger.service(level: config.logLevel)
        let database = try await DatabaseBootstrap.resolve(config, logger: logger)
        var postgresConfiguration = database.url.clientConfiguration
        postgresConfiguration.options.maximumConnections = config.databaseMaxConnections
        postgresConfiguration.options.minimumConnections = config.databaseMinConnections
        // No keep-alive query: the pool would cancel and re-arm its timer (a task and a sleep) on every release of a
        // connection, that is on every query; a connection that died is found by the next query on it.
        postgresConfiguration.options.keepAliveBehavior = nil
        let postgres = PostgresClient(configuration: postgresConfiguration, backgroundLogger: logger)
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: .init(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(120))))
        let migrator = Migrator(client: postgres, migrations: try Migration.load(directory: config.sqlDirectory), logger: logger)
        let gate = ReadyGate()
        let tokens = try await TokenIssuer.load(
            pem: config.auth.signingKeyPEM, keyPath: config.dataDirectory + "/keys/access-token-es256.pem",
            issuer: config.auth.issuer, audience: config.auth.audience, accessTTL: config.auth.accessTokenTTL)
        let serverSecret = try await ServerSecret.load(
            configured: config.auth.serverSecret, path: config.dataDirectory + "/keys/server-secret")
        let ledger = Ledger(logger: logger)
        let prices = config.prices
        let media = try LocalMediaStore(root: config.dataDirectory + "/media")
        let assets = AssetStore(client: postgres, media: media, logger: logger)
        var queue = JobQueue(client: postgres, ledger: ledger, logger: logger)
        queue.creditsLowThreshold = config.webhooks.creditsLowThreshold
        let webhookPolicy = WebhookURLPolicy(allowedHosts: config.webhooks.allowedHosts)
        let dispatcher = WebhookDispatcher(
            queue: WebhookDeliveryQueue(client: postgres, logger: logger), postgres: postgres,
            sender: WebhookSender(policy: webhookPolicy, timeout: config.webhooks.timeout, logger: logger), secret: serverSecret,
            settings: config.webhooks, logger: logger)
        guard let catalog = config.catalog else {
            throw ConfigError(file: config.backends.catalogPath, key: "", reason: "the model catalog is missing")
        }
        let router = GenerationRouter(configuration: config.backends, catalog: catalog, httpClient: httpClient, logger: logger)
        guard let templates = config.templates else {
            throw ConfigError(file: config.configDirectory, key: "", reason: "prompt templates are not loaded (AppConfig.load reads them)")
        }
        let handlers = Self.handlers(
            config: config, queue: queue, router: router, media: media, assets: assets, templates: templates, logger: logger)
        let worker = JobWorker(
            queue: queue, postgres: postgres, handlers: handlers, settings: config.jobs,
            name: "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))", logger: logger)
        return ServiceComponents(
            logger: logger, postgres: postgres, httpClient: httpClient, migrator: migrator, gate: gate, tokens: tokens,
            identities: PostgresIdentityStore(client: postgres, logger: logger),
            teams: TeamStore(client: postgres, logger: logger),
            keys: APIKeyStore(client: postgres, secret: serverSecret, logger: logger),
            externalVerifiers: Dictionary(
                uniqueKeysWithValues: config.auth.issuers.map { issuer in
                    let verifier = ExternalTokenVerifier(
                        issuer: issuer, fetcher: HTTPJWKSFetcher(client: httpClient), refetchInterval: config.auth.jwksRefetchInterval,
                        logger: logger)
                    return (issuer.issuer, verifier)
                }),
            audit: AuditLog(logger: logger),
            refreshTokens: PostgresRefreshTokenStore(client: postgres, logger: logger, ttl: config.auth.refreshTokenTTL),
            ledger: ledger, rateLimiter: RateLimiter(), tokenLeases: RateTokenLeases(limiter: RateLimiter()),
            standing: StandingCache(ttl: config.auth.standingCacheTTL), prices: prices, media: media, assets: assets,
            grants: AssetGrantStore(client: postgres, logger: logger),
            shares: ShareStore(client: postgres, secret: serverSecret, logger: logger), queue: queue,
            router: router, templates: templates, worker: worker,
            webhooks: WebhookStore(client: postgres, secret: serverSecret, logger: logger), webhookPolicy: webhookPolicy,
            dispatcher: dispatcher,
            baseServices: [
                EmbeddedPostgresService(cluster: database.ownedCluster), postgres, HTTPClientService(client: httpClient),
                MigrationService(migrator: migrator, gate: gate, logger: logger),
                GatedService(
                    gate: gate,
                    service: LotExpirySweeper(ledger: ledger, postgres: postgres, interval: config.expirySweepInterval, logger: logger)),
                GatedService(
                    gate: gate,
                    service: AssetSweeper(
                        postgres: postgres, media: media, restoreWindow: config.restoreWindow, interval: config.assetSweepInterval,
                        logger: logger)),
            ])
    }
}

extension ServiceComponents {
    /// The job handlers of every kind, on these stores (also what tests' hand-built workers run).
    static func handlers(
        config: AppConfig, queue: JobQueue, router: GenerationRouter, media: any MediaStore, assets: AssetStore,
        templates: PromptTemplates, logger: Logger
    ) -> [JobKind: any JobHandler] {
        let prices = config.prices
        let mergeStep = MergeStep(
            media: media, merger: VideoMerger(ffmpeg: FFmpegRunner(executable: config.backends.mock.ffmpegPath, timeout: config.mergeTimeout)),
            logger: logger)
        let videos = VideoJobHandler(router: router, media: media, assets: assets, prices: prices, ffprobePath: mergeStep.merger.ffprobePath)
        let scenes = ScenesJobHandler(router: router, assets: assets, prices: prices)
        let images = ImagesJobHandler(router: router, media: media, assets: assets, prices: prices)
        let projects = ProjectStore(client: queue.client, assets: assets, logger: logger)
        var renderer = ProjectRenderer(
            queue: queue, store: projects, assets: assets, media: media, scenes: scenes, images: images, videos: videos,
            templates: templates,
            slots: ClipSlots(store: projects, queue: queue, cap: config.projects.clipConcurrency, pollInterval: config.projects.slotPollInterval),
            merger: mergeStep.merger)
        // project.rendered: an outbox row in the transaction that records the final cut.
        renderer.rendered = { connection, project in
            _ = try await WebhookOutbox.enqueue(
                .projectRendered, teamID: project.teamID,
                payload: .object([
                    "project_id": .string(project.projectID.lowercased), "job_id": .string(project.jobID.lowercased),
                    "final_video_id": .string(project.finalVideoID.lowercased),
                ]),
                on: connection)
        }
        return [
            .generateVideo: videos, .createScenes: scenes, .generateCharacterReference: images,
            .mergeVideos: MergeJobHandler(step: mergeStep, assets: assets, prices: prices),
            .renderProject: RenderProjectHandler(renderer: renderer), .regenerateScene: RegenerateSceneHandler(renderer: renderer),
        ]
    }
}

/// Builds the whole service: database (embedded or `DATABASE_URL`), migrations, stores, provider router,
/// HTTP routes, and, unless disabled, in-process job workers. Used by `mvservice serve` and by the tests.
func buildApplication(_ config: AppConfig) async throws -> some ApplicationProtocol {
    let components = try await ServiceComponents.build(config)
    let router = buildRouter(config, components)
    var services = components.baseServices
    services.append(GatedService(
        gate: components.gate,
        service: StandingListener(postgres: components.postgres, cache: components.standing, logger: components.logger)))
    if config.runWorkers {
        services.append(GatedService(gate: components.gate, service: components.worker))
        services.append(GatedService(gate: components.gate, service: components.dispatcher))
    }
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "mvservice"),
        services: services, logger: components.logger)
    let gate = components.gate
    app.beforeServerStarts {
        try await gate.wait()
    }
    return app
}

/// Builds a worker-only process (`mvservice worker`): no HTTP server.
func buildWorkerGroup(_ config: AppConfig) async throws -> ServiceGroup {
    let components = try await ServiceComponents.build(config)
    return ServiceGroup(
        configuration: .init(
            services: components.baseServices + [
                GatedService(gate: components.gate, service: components.worker),
                GatedService(gate: components.gate, service: components.dispatcher),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: components.logger))
}

func buildRouter(_ config: AppConfig, _ c: ServiceComponents) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    let metrics = ServiceMetrics()
    router.add(middleware: MetricsMiddleware(metrics: metrics))
    router.add(middleware: ProblemMiddleware(maxJSONBodyBytes: config.maxJSONBodyBytes))
    router.add(middleware: MethodNotAllowedMiddleware())
    OpsController(
        postgres: c.postgres, migrator: c.migrator, metrics: metrics, tokens: c.tokens,
        generationOptions: GenerationOptions(router: c.router, templates: c.templates), logger: c.logger)
        .addRoutes(to: router)
    AuthController(
        identities: c.identities, refreshTokens: c.refreshTokens, tokens: c.tokens,
        hasher: PasswordHasher(cost: config.auth.bcryptCost), openRegistration: config.auth.openRegistration, audit: c.audit,
        postgres: c.postgres
    ).addRoutes(to: router.group("api/auth"))

    let api = router.group("api").add(
        middleware: AuthMiddleware(
            tokens: c.tokens, identities: c.identities, tokenLeases: c.tokenLeases, standing: c.standing,
            apiPolicy: config.policy("api"), postgres: c.postgres, verifiedTokens: VerifiedTokenCache(), keys: c.keys, external: c.externalVerifiers,
            externalIdentities: ExternalIdentityStore(client: c.postgres, logger: c.logger)))
    MeController(
        identities: c.identities, ledger: c.ledger, postgres: c.postgres, rateLimiter: c.rateLimiter, quotas: c.queue.quotas,
        policies: [config.policy("generate"), config.policy("api")])
        .addRoutes(me: api.group("me"), billing: api.group("billing"))
    PricesController(prices: config.prices, catalog: c.router.catalog).addRoutes(to: api.group("billing"))
    let generation = GenerationController(
        queue: c.queue, rateLimiter: c.rateLimiter, quoter: Quoter(router: c.router, prices: c.prices), templates: c.templates,
        assets: c.assets,
        policy: config.policy("generate"), maxAttempts: config.jobs.maxAttempts
    )
    generation.addRoutes(to: api.group("mv"))
    VideosController(assets: c.assets, media: c.media, restoreWindow: config.restoreWindow).addRoutes(to: api.group("mv"))
    AssetsController(assets: c.assets, media: c.media, restoreWindow: config.restoreWindow).addRoutes(to: api.group("mv"))
    AssetSharingController(assets: c.assets, grants: c.grants, shares: c.shares).addRoutes(to: api.group("mv"))
    UploadsController(
        assets: c.assets, media: c.media, inspector: UploadInspector(ffmpeg: FFmpegRunner(executable: config.backends.mock.ffmpegPath)),
        maxUploadBytes: config.maxUploadBytes, restoreWindow: config.restoreWindow
    ).addRoutes(to: api.group("mv"))
    ProjectsController(
        projects: ProjectStore(client: c.postgres, assets: c.assets, logger: c.logger), assets: c.assets,
        admission: generation, templates: c.templates, restoreWindow: config.restoreWindow
    ).addRoutes(to: api.group("mv"))
    // Share links answer anyone holding a valid token: outside /api, no auth middleware.
    ShareLinkController(shares: c.shares, media: c.media).addRoutes(to: router)
    JobsController(queue: c.queue).addRoutes(to: api.group("jobs"))
    let standingBarrier = StandingBarrierMiddleware(standing: c.standing, postgres: c.postgres)
    TeamsController(teams: c.teams, identities: c.identities, media: TeamMediaStore(client: c.postgres, logger: c.logger))
        .addRoutes(to: api.group("teams").add(middleware: standingBarrier))
    KeysController(keys: c.keys, teams: c.teams).addRoutes(to: api.group("keys").add(middleware: standingBarrier))
    QuotasController(quotas: c.queue.quotas, teams: c.teams).addRoutes(to: api.group("teams"))
    WebhooksController(store: c.webhooks, teams: c.teams, policy: c.webhookPolicy).addRoutes(to: api.group("teams"))
    AuditController(audit: c.audit, teams: c.teams, postgres: c.postgres)
        .addRoutes(teams: api.group("teams"), admin: api.group("admin"))
    ReportsController(
        report: CostReport(logger: c.logger), prices: CostReportPrice.catalog(c.router.catalog), teams: c.teams, postgres: c.postgres
    ).addRoutes(teams: api.group("teams"), admin: api.group("admin"))
    AdminController(
        identities: c.identities, ledger: c.ledger, router: c.router, postgres: c.postgres,
        logger: c.logger)
        .addRoutes(to: api.group("admin").add(middleware: standingBarrier))
    RateLimitOverridesController(
        overrides: TeamRateLimits(client: c.postgres, logger: c.logger), teams: c.teams,
        defaults: ["generate": config.policy("generate"), "api": config.policy("api")]
    ).addRoutes(to: api.group("admin"))
    return router
}

/// Shuts an `HTTPClient` down with the service group.
struct HTTPClientService: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}

/// Starts `service` only once `gate` opens (migrations applied).
struct GatedService: Service {
    let gate: ReadyGate
    let service: any Service

    func run() async throws {
        try await gate.wait()
        try await service.run()
    }
}

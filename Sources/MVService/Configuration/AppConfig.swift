import Foundation
import Logging
import MVAuth
import MVBackends
import MVBilling
import MVCore

/// Everything `buildApplication` needs, as plain values. Loaded from `configs/service.yaml`, then environment
/// variables, then command-line flags (see ``AppConfig/load(configPath:environment:overrides:)``); tests build one in code.
struct AppConfig: Sendable {
    /// Address the HTTP server binds.
    var host: String = "127.0.0.1"
    /// Port the HTTP server binds; 0 picks a free one.
    var port: Int = 8080
    /// Root of everything the service writes locally: the embedded PostgreSQL cluster, media, the signing key.
    var dataDirectory: String = ".mvdata"
    /// External PostgreSQL (`postgres://user:pass@host:port/db`). `nil` runs the embedded cluster under ``dataDirectory``.
    var databaseURL: String?
    /// Folder holding the numbered `NNN_name.sql` migrations.
    var sqlDirectory: String = "sql"
    /// Folder holding the YAML configuration (prices, rate limits, models, prompts).
    var configDirectory: String = "configs"
    /// Maximum pooled PostgreSQL connections per process.
    var databaseMaxConnections: Int = 20
    /// Pooled connections kept open however idle (`database.min_connections`, at most the maximum). Connections
    /// beyond it close after 30 s idle, which costs the pool a timer task every time such a connection is released;
    /// equal to the maximum, the hot path schedules none.
    var databaseMinConnections: Int = 0
    /// Log level of the service's own logger.
    var logLevel: Logger.Level = .info
    /// Identity and token settings.
    var auth = AuthSettings()
    /// Job-queue settings.
    var jobs = JobSettings()
    /// Webhook delivery settings.
    var webhooks = WebhookSettings()
    /// Project render settings (`projects:`).
    var projects = ProjectSettings()
    /// How often credit lots past their expiry are swept (`billing.expiry_sweep_seconds`).
    var expirySweepInterval: Duration = .seconds(30)
    /// How long a deleted asset can be restored (`media.restore_window_hours`, default 72).
    var restoreWindow: Duration = .seconds(72 * 3600)
    /// How often retention and purging of deleted assets run (`media.sweep_seconds`, default 60).
    var assetSweepInterval: Duration = .seconds(60)
    /// How long one ffmpeg run of a merge may take before it is killed (`media.merge_timeout_seconds`, default 900).
    var mergeTimeout: Duration = .seconds(900)
    /// Request limits.
    var maxJSONBodyBytes: Int = 1 << 20
    /// Largest accepted upload in bytes (`limits.max_upload_bytes`, default 50 MB), enforced while streaming.
    var maxUploadBytes: Int64 = 52_428_800
    /// Rate-limit policies by name (`generate`, `api`).
    var rateLimits: [String: RateLimitPolicy] = AppConfig.defaultRateLimits
    /// Credit prices (`pricing.yaml`).
    var prices = PriceTable()
    /// The model catalog (`models.yaml`, or the file `MV_MODELS_CATALOG` names); nil when there is no such file.
    var catalog: ModelCatalog?
    /// Prompt templates, defaults and flavors (`parameters.yaml`, `*_prompts.yaml`, `flavors/`); nil when the
    /// configuration folder has no `scene_prompts.yaml`.
    var templates: PromptTemplates?
    /// The model catalog file `MV_MODELS_CATALOG` names; nil means `models.yaml` in ``configDirectory``.
    var modelsCatalogPath: String?
    /// Providers and the mock.
    var backends = BackendsConfiguration()
    /// Whether `serve` also runs job workers in-process.
    var runWorkers: Bool = true
    /// Whether the HTTP API runs (false for `mvservice worker`).
    var runHTTP: Bool = true

    /// Creates a configuration with defaults.
    init() {}

    /// Settings of MVAuth as the service uses them.
    struct AuthSettings: Sendable {
        /// `iss` of issued access tokens.
        var issuer: String = "mvservice"
        /// `aud` of issued access tokens.
        var audience: String = "mvservice-api"
        /// Lifetime of access tokens.
        var accessTokenTTL: Duration = .seconds(900)
        /// Lifetime of refresh tokens.
        var refreshTokenTTL: Duration = .seconds(30 * 86_400)
        /// Whether `POST /api/auth/register` is open to anyone.
        var openRegistration: Bool = true
        /// bcrypt cost (>= 10).
        var bcryptCost: Int = 12
        /// How long an instance may reuse a principal's standing (role, disabled) without asking PostgreSQL; changes
        /// reach every instance at once through NOTIFY, this only bounds a lost notification. Zero disables it.
        var standingCacheTTL: Duration = .seconds(10)
        /// ES256 private key PEM; when nil a key is generated into the data directory on first run.
        var signingKeyPEM: String?
        /// The server secret behind API-key digests and share links (at least 32 bytes; `MV_SERVER_SECRET`); when nil
        /// one is generated into the data directory on first run. Every instance of one deployment needs the same.
        var serverSecret: String?
        /// External identity providers whose JWTs are accepted (`auth.issuers`).
        var issuers: [ExternalIssuer] = []
        /// Fewest time between two fetches of one issuer's key set (a minute; tests shorten it).
        var jwksRefetchInterval: Duration = ExternalTokenVerifier.defaultRefetchInterval
        /// Creates defaults.
        init() {}
    }

    /// Settings of the Postgres job queue and its workers.
    struct JobSettings: Sendable {
        /// Jobs one worker process runs at once.
        var concurrency: Int = 8
        /// How long a claim stays valid without a heartbeat.
        var lease: Duration = .seconds(30)
        /// Heartbeat period (well under the lease).
        var heartbeat: Duration = .seconds(10)
        /// Fallback polling period when no NOTIFY arrives.
        var pollInterval: Duration = .seconds(2)
        /// Attempts before a job fails for good.
        var maxAttempts: Int = 3
        /// First retry delay cap; doubles per attempt (full jitter).
        var retryBase: Duration = .seconds(2)
        /// Largest retry delay.
        var retryCap: Duration = .seconds(60)
        /// How long SIGTERM waits for in-flight jobs.
        var drainTimeout: Duration = .seconds(300)
        /// Creates defaults.
        init() {}
    }

    /// Settings of project renders.
    struct ProjectSettings: Sendable {
        /// Clips of one team rendering at once, across every render and worker (`projects.clip_concurrency`).
        var clipConcurrency: Int = 3
        /// How often a clip waiting for a free slot of its team asks again (`projects.slot_poll_seconds`).
        var slotPollInterval: Duration = .seconds(1)
        /// Creates defaults.
        init() {}
    }

    /// The named rate-limit policy (validated to exist at load; falls back to a strict default).
    func policy(_ name: String) -> RateLimitPolicy {
        rateLimits[name] ?? Self.defaultRateLimits[name] ?? RateLimitPolicy(name: name, capacity: 10, refillPerSecond: 1)
    }

    /// Defaults used when `configs/ratelimits.yaml` is absent.
    static let defaultRateLimits: [String: RateLimitPolicy] = [
        "generate": RateLimitPolicy(name: "generate", capacity: 10, refillPerSecond: 10.0 / 60.0),
        "api": RateLimitPolicy(name: "api", capacity: 600, refillPerSecond: 10),
    ]
}

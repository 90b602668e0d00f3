import Foundation
import Logging
import MVBackends
import MVBilling
import MVCore

/// Everything `buildApplication` needs, as plain values. Loaded from `configs/service.yaml`, then environment
/// variables, then command-line flags (see ``AppConfig/load(configPath:environment:overrides:)``); tests build one in code.
public struct AppConfig: Sendable {
    /// Address the HTTP server binds.
    public var host: String = "127.0.0.1"
    /// Port the HTTP server binds; 0 picks a free one.
    public var port: Int = 8080
    /// Root of everything the service writes locally: the embedded PostgreSQL cluster, media, the signing key.
    public var dataDirectory: String = ".mvdata"
    /// External PostgreSQL (`postgres://user:pass@host:port/db`). `nil` runs the embedded cluster under ``dataDirectory``.
    public var databaseURL: String?
    /// Folder holding the numbered `NNN_name.sql` migrations.
    public var sqlDirectory: String = "sql"
    /// Folder holding the YAML configuration (prices, rate limits, models, prompts).
    public var configDirectory: String = "configs"
    /// Maximum pooled PostgreSQL connections per process.
    public var databaseMaxConnections: Int = 20
    /// Log level of the service's own logger.
    public var logLevel: Logger.Level = .info
    /// Identity and token settings.
    public var auth = AuthSettings()
    /// Job-queue settings.
    public var jobs = JobSettings()
    /// Request limits.
    public var maxJSONBodyBytes: Int = 1 << 20
    /// Rate-limit policies by name (`generate`, `api`).
    public var rateLimits: [String: RateLimitPolicy] = AppConfig.defaultRateLimits
    /// Credit prices (`pricing.yaml`).
    public var prices = PriceTable()
    /// The model catalog (`models.yaml`, or the file `MV_MODELS_CATALOG` names); nil when there is no such file.
    public var catalog: ModelCatalog?
    /// Prompt templates, defaults and flavors (`parameters.yaml`, `*_prompts.yaml`, `flavors/`); nil when the
    /// configuration folder has no `scene_prompts.yaml`.
    public var templates: PromptTemplates?
    /// The model catalog file `MV_MODELS_CATALOG` names; nil means `models.yaml` in ``configDirectory``.
    public var modelsCatalogPath: String?
    /// Providers and the mock.
    public var backends = BackendsConfiguration()
    /// Whether `serve` also runs job workers in-process.
    public var runWorkers: Bool = true
    /// Whether the HTTP API runs (false for `mvservice worker`).
    public var runHTTP: Bool = true

    /// Creates a configuration with defaults.
    public init() {}

    /// Settings of MVAuth as the service uses them.
    public struct AuthSettings: Sendable {
        /// `iss` of issued access tokens.
        public var issuer: String = "mvservice"
        /// `aud` of issued access tokens.
        public var audience: String = "mvservice-api"
        /// Lifetime of access tokens.
        public var accessTokenTTL: Duration = .seconds(900)
        /// Lifetime of refresh tokens.
        public var refreshTokenTTL: Duration = .seconds(30 * 86_400)
        /// Whether `POST /api/auth/register` is open to anyone.
        public var openRegistration: Bool = true
        /// bcrypt cost (>= 10).
        public var bcryptCost: Int = 12
        /// ES256 private key PEM; when nil a key is generated into the data directory on first run.
        public var signingKeyPEM: String?
        /// Creates defaults.
        public init() {}
    }

    /// Settings of the Postgres job queue and its workers.
    public struct JobSettings: Sendable {
        /// Jobs one worker process runs at once.
        public var concurrency: Int = 8
        /// How long a claim stays valid without a heartbeat.
        public var lease: Duration = .seconds(30)
        /// Heartbeat period (well under the lease).
        public var heartbeat: Duration = .seconds(10)
        /// Fallback polling period when no NOTIFY arrives.
        public var pollInterval: Duration = .seconds(2)
        /// Attempts before a job fails for good.
        public var maxAttempts: Int = 3
        /// First retry delay cap; doubles per attempt (full jitter).
        public var retryBase: Duration = .seconds(2)
        /// Largest retry delay.
        public var retryCap: Duration = .seconds(60)
        /// How long SIGTERM waits for in-flight jobs.
        public var drainTimeout: Duration = .seconds(300)
        /// Creates defaults.
        public init() {}
    }

    /// The named rate-limit policy (validated to exist at load; falls back to a strict default).
    func policy(_ name: String) -> RateLimitPolicy {
        rateLimits[name] ?? Self.defaultRateLimits[name] ?? RateLimitPolicy(name: name, capacity: 10, refillPerSecond: 1)
    }

    /// Defaults used when `configs/ratelimits.yaml` is absent.
    public static let defaultRateLimits: [String: RateLimitPolicy] = [
        "generate": RateLimitPolicy(name: "generate", capacity: 10, refillPerSecond: 10.0 / 60.0),
        "api": RateLimitPolicy(name: "api", capacity: 600, refillPerSecond: 10),
    ]
}

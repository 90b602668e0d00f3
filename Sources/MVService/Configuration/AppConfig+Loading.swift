import Foundation
import Logging
import MVAuth
import MVBackends
import MVBilling
import MVCore

/// Values given on the command line; they win over the environment and the file.
struct ConfigOverrides: Sendable {
    /// `--host`.
    var host: String?
    /// `--port`.
    var port: Int?
    /// `--data-dir`.
    var dataDirectory: String?
    /// `--database-url`.
    var databaseURL: String?

    /// Creates overrides; nil fields change nothing.
    init(host: String? = nil, port: Int? = nil, dataDirectory: String? = nil, databaseURL: String? = nil) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.databaseURL = databaseURL
    }
}

extension AppConfig {
    /// Loads `configPath` (a missing file means defaults), then applies the environment, then `overrides`, then
    /// loads the YAML files beside it (prices, rate limits) and validates the result.
    /// - Throws: ``ConfigError`` naming the file, key and reason.
    static func load(
        configPath: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        overrides: ConfigOverrides = ConfigOverrides()
    ) throws(ConfigError) -> AppConfig {
        var config = AppConfig()
        config.configDirectory = URL(fileURLWithPath: configPath).deletingLastPathComponent().path
        if FileManager.default.fileExists(atPath: configPath) {
            let file = try decodeServiceFile(at: configPath)
            try config.apply(file, path: configPath)
        }
        try config.applyEnvironment(environment)
        if let host = overrides.host { config.host = host }
        if let port = overrides.port { config.port = port }
        if let dataDirectory = overrides.dataDirectory { config.dataDirectory = dataDirectory }
        if let databaseURL = overrides.databaseURL { config.databaseURL = databaseURL }
        try config.loadSiblingFiles()
        try config.validate(source: configPath)
        return config
    }

    /// Loads every YAML file the service reads besides `service.yaml`, from ``configDirectory``: prices, rate limits,
    /// the model catalog (``modelsCatalogPath`` when set, which must then exist) and the prompt templates, each when
    /// present. This is the only place configuration files are read; `buildApplication` gets them as values and
    /// refuses to start without a catalog and templates.
    mutating func loadSiblingFiles() throws(ConfigError) {
        func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
        let pricing = configDirectory + "/pricing.yaml"
        if exists(pricing) { prices = try PriceTable.load(path: pricing) }
        let limits = configDirectory + "/ratelimits.yaml"
        if exists(limits) { rateLimits = try RateLimitPolicies.load(path: limits).byName }
        backends.catalogPath = modelsCatalogPath ?? configDirectory + "/models.yaml"
        if modelsCatalogPath != nil || exists(backends.catalogPath) { catalog = try ModelCatalog.load(path: backends.catalogPath) }
        if exists(configDirectory + "/scene_prompts.yaml") { templates = try PromptTemplates.load(directory: configDirectory) }
    }

    /// One `auth.issuers` entry, checked (see ``ExternalIssuer``); claim names default to `sub`, `email`, `name`.
    private static func issuer(_ entry: ServiceFile.Issuer, file: String, key: String) throws(ConfigError) -> ExternalIssuer {
        let claims = entry.claims
        return try ExternalIssuer(
            issuer: entry.issuer ?? "", jwksURL: entry.jwksUrl ?? "", audience: entry.audience ?? "",
            algorithms: entry.algorithms ?? [],
            claims: ExternalIssuer.ClaimNames(
                subject: claims?.subject ?? "sub", email: claims?.email ?? "email", name: claims?.name ?? "name",
                team: claims?.team, teamName: claims?.teamName, role: claims?.role),
            file: file, key: key)
    }

    private static func decodeServiceFile(at path: String) throws(ConfigError) -> ServiceFile {
        try YAMLField.load(path: path).decode(ServiceFile.self)
    }

    private mutating func apply(_ file: ServiceFile, path: String) throws(ConfigError) {
        if let value = file.server?.host { host = value }
        if let value = file.server?.port { port = value }
        if let value = file.dataDir { dataDirectory = value }
        if let value = file.database?.url { databaseURL = value }
        if let value = file.database?.maxConnections { databaseMaxConnections = value }
        if let value = file.database?.minConnections {
            guard value >= 0 else { throw ConfigError(file: path, key: "database.min_connections", reason: "must be >= 0") }
            databaseMinConnections = value
        }
        if let value = file.billing?.expirySweepSeconds {
            guard value >= 0.1, value <= 3600 else {
                throw ConfigError(file: path, key: "billing.expiry_sweep_seconds", reason: "must be 0.1...3600, got \(value)")
            }
            expirySweepInterval = .milliseconds(Int64(value * 1000))
        }
        if let value = file.media?.restoreWindowHours {
            guard value >= 0, value <= 24 * 365 else {
                throw ConfigError(file: path, key: "media.restore_window_hours", reason: "must be 0...8760, got \(value)")
            }
            restoreWindow = .seconds(Int64(value * 3600))
        }
        if let value = file.media?.sweepSeconds {
            guard value >= 0.1, value <= 86_400 else {
                throw ConfigError(file: path, key: "media.sweep_seconds", reason: "must be 0.1...86400, got \(value)")
            }
            assetSweepInterval = .milliseconds(Int64(value * 1000))
        }
        if let value = file.media?.mergeTimeoutSeconds {
            guard value >= 1, value <= 86_400 else {
                throw ConfigError(file: path, key: "media.merge_timeout_seconds", reason: "must be 1...86400, got \(value)")
            }
            mergeTimeout = .milliseconds(Int64(value * 1000))
        }
        if let value = file.projects?.clipConcurrency {
            guard (1...100).contains(value) else {
                throw ConfigError(file: path, key: "projects.clip_concurrency", reason: "must be 1...100, got \(value)")
            }
            projects.clipConcurrency = value
        }
        if let value = file.projects?.slotPollSeconds {
            guard value >= 0.05, value <= 60 else {
                throw ConfigError(file: path, key: "projects.slot_poll_seconds", reason: "must be 0.05...60, got \(value)")
            }
            projects.slotPollInterval = .milliseconds(Int64(value * 1000))
        }
        if let auth = file.auth {
            if let value = auth.issuer { self.auth.issuer = value }
            if let value = auth.audience { self.auth.audience = value }
            if let value = auth.accessTokenTtlSeconds { self.auth.accessTokenTTL = .seconds(value) }
            if let value = auth.refreshTokenTtlDays { self.auth.refreshTokenTTL = .seconds(value * 86_400) }
            if let value = auth.bcryptCost { self.auth.bcryptCost = value }
            if let value = auth.standingCacheSeconds { self.auth.standingCacheTTL = .seconds(value) }
            if let value = auth.signingKeyPem { self.auth.signingKeyPEM = value }
            if let value = auth.serverSecret { self.auth.serverSecret = value }
            if let issuers = auth.issuers {
                self.auth.issuers = try issuers.enumerated().map { index, entry throws(ConfigError) in
                    try Self.issuer(entry, file: path, key: "auth.issuers[\(index)]")
                }
            }
            if let value = auth.registration {
                switch value {
                case "open": self.auth.openRegistration = true
                case "closed": self.auth.openRegistration = false
                default: throw ConfigError(file: path, key: "auth.registration", reason: "must be open or closed, not \(value)")
                }
            }
        }
        if let jobs = file.jobs {
            if let value = jobs.concurrency { self.jobs.concurrency = value }
            if let value = jobs.leaseSeconds { self.jobs.lease = .seconds(value) }
            if let value = jobs.heartbeatSeconds { self.jobs.heartbeat = .seconds(value) }
            if let value = jobs.pollIntervalSeconds { self.jobs.pollInterval = .seconds(value) }
            if let value = jobs.maxAttempts { self.jobs.maxAttempts = value }
            if let value = jobs.retryBaseSeconds { self.jobs.retryBase = .seconds(value) }
            if let value = jobs.retryCapSeconds { self.jobs.retryCap = .seconds(value) }
            if let value = jobs.drainTimeoutSeconds { self.jobs.drainTimeout = .seconds(value) }
        }
        if let value = file.limits?.maxJsonBodyBytes { maxJSONBodyBytes = value }
        try applyWebhooks(file.webhooks, path: path)
        if let value = file.limits?.maxUploadBytes { maxUploadBytes = value }
        if let mock = file.mock {
            if let value = mock.delayMinSeconds { backends.mock.delayMin = value }
            if let value = mock.delayMaxSeconds { backends.mock.delayMax = value }
            if let value = mock.failureRate { backends.mock.failureRate = value }
        }
        if let value = file.logLevel {
            guard let level = Logger.Level(rawValue: value) else {
                throw ConfigError(file: path, key: "log_level", reason: "unknown level \(value)")
            }
            logLevel = level
        }
    }

    private mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigError) {
        func value(_ name: String) -> String? {
            guard let raw = environment[name]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        if let raw = value("MV_HOST") { host = raw }
        if let raw = value("MV_PORT") {
            guard let number = Int(raw) else { throw ConfigError(file: "environment", key: "MV_PORT", reason: "not a number: \(raw)") }
            port = number
        }
        if let raw = value("MV_DATA_DIR") { dataDirectory = raw }
        if let raw = value("DATABASE_URL") { databaseURL = raw }
        if let raw = value("MV_SERVER_SECRET") { auth.serverSecret = raw }
        if let raw = value("MV_LOG_LEVEL") {
            guard let level = Logger.Level(rawValue: raw) else {
                throw ConfigError(file: "environment", key: "MV_LOG_LEVEL", reason: "unknown level \(raw)")
            }
            logLevel = level
        }
        if value("MV_DEBUG_MODE")?.lowercased() == "true" { logLevel = .debug }
        let fileMock = backends.mock
        backends = BackendsConfiguration.fromEnvironment(environment)
        if let path = value("MV_MODELS_CATALOG") { modelsCatalogPath = path }
        if environment["MOCK_VIDEO_DELAY_MIN"] == nil { backends.mock.delayMin = fileMock.delayMin }
        if environment["MOCK_VIDEO_DELAY_MAX"] == nil { backends.mock.delayMax = fileMock.delayMax }
        if environment["MOCK_FAILURE_RATE"] == nil { backends.mock.failureRate = fileMock.failureRate }
    }

    /// Checks ranges and relations between values.
    func validate(source: String) throws(ConfigError) {
        guard (0...65_535).contains(port) else { throw ConfigError(file: source, key: "server.port", reason: "must be 0...65535") }
        guard !dataDirectory.isEmpty else { throw ConfigError(file: source, key: "data_dir", reason: "must not be empty") }
        guard databaseMinConnections <= databaseMaxConnections else {
            throw ConfigError(
                file: source, key: "database.min_connections",
                reason: "must be at most database.max_connections (\(databaseMaxConnections)), got \(databaseMinConnections)")
        }
        guard auth.standingCacheTTL >= .zero, auth.standingCacheTTL <= .seconds(60) else {
            throw ConfigError(file: source, key: "auth.standing_cache_seconds", reason: "must be 0...60")
        }
        guard auth.bcryptCost >= 10, auth.bcryptCost <= 16 else {
            throw ConfigError(file: source, key: "auth.bcrypt_cost", reason: "must be 10...16")
        }
        if let secret = auth.serverSecret, !secret.trimmingCharacters(in: .whitespaces).isEmpty,
            secret.utf8.count < ServerSecret.minimumBytes
        {
            throw ConfigError(file: source, key: "auth.server_secret", reason: "must be at least \(ServerSecret.minimumBytes) bytes")
        }
        var issuerNames: Set<String> = [auth.issuer]
        for (index, issuer) in auth.issuers.enumerated() {
            guard issuerNames.insert(issuer.issuer).inserted else {
                throw ConfigError(
                    file: source, key: "auth.issuers[\(index)].issuer",
                    reason: "\(issuer.issuer) is named twice (or is this service's own auth.issuer)")
            }
        }
        guard jobs.concurrency >= 1 else { throw ConfigError(file: source, key: "jobs.concurrency", reason: "must be >= 1") }
        guard jobs.maxAttempts >= 1 else { throw ConfigError(file: source, key: "jobs.max_attempts", reason: "must be >= 1") }
        guard jobs.heartbeat < jobs.lease else {
            throw ConfigError(file: source, key: "jobs.heartbeat_seconds", reason: "must be shorter than jobs.lease_seconds")
        }
        guard maxJSONBodyBytes >= 1024 else { throw ConfigError(file: source, key: "limits.max_json_body_bytes", reason: "must be >= 1024") }
        guard maxUploadBytes >= 1024 else { throw ConfigError(file: source, key: "limits.max_upload_bytes", reason: "must be >= 1024") }
        guard backends.mock.delayMin >= 0, backends.mock.delayMax >= backends.mock.delayMin else {
            throw ConfigError(file: source, key: "mock.delay_min_seconds", reason: "need 0 <= min <= max")
        }
        if let url = databaseURL, DatabaseURL(url) == nil {
            throw ConfigError(file: source, key: "database.url", reason: "not a postgres:// URL")
        }
        for name in ["generate", "api"] where rateLimits[name] == nil {
            throw ConfigError(file: configDirectory + "/ratelimits.yaml", key: name, reason: "policy missing")
        }
    }
}

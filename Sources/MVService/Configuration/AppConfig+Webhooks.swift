import MVCore

extension AppConfig {
    /// Webhook delivery settings (`webhooks:` in service.yaml).
    struct WebhookSettings: Sendable {
        /// Hosts (names or IP literals) that may be reached over http and at private or loopback addresses
        /// (`webhooks.allowed_hosts`; tests use 127.0.0.1). Everything else must be https to public addresses.
        var allowedHosts: [String] = []
        /// Deadline of one delivery request, connect included (`webhooks.timeout_seconds`).
        var timeout: Duration = .seconds(10)
        /// First retry delay cap; doubles per attempt, full jitter (`webhooks.retry_base_seconds`).
        var retryBase: Duration = .seconds(5)
        /// Largest retry delay (`webhooks.retry_cap_seconds`).
        var retryCap: Duration = .seconds(3600)
        /// How long after an event (or its replay) delivery is retried before giving up (`webhooks.max_age_hours`).
        var maxAge: Duration = .seconds(24 * 3600)
        /// Fallback polling period when no NOTIFY arrives (`webhooks.poll_interval_seconds`).
        var pollInterval: Duration = .seconds(2)
        /// Attempts one dispatcher sends at once (`webhooks.concurrency`).
        var concurrency: Int = 8
        /// `credits.low` fires when a hold takes available credits below this (`webhooks.credits_low_threshold`; 0 = never).
        var creditsLowThreshold: Int64 = 100
        /// Creates defaults.
        init() {}
    }

    /// Applies `webhooks:` of service.yaml.
    mutating func applyWebhooks(_ file: ServiceFile.Webhooks?, path: String) throws(ConfigError) {
        guard let file else { return }
        func seconds(_ value: Double?, _ key: String, _ range: ClosedRange<Double>) throws(ConfigError) -> Duration? {
            guard let value else { return nil }
            guard range.contains(value) else {
                throw ConfigError(file: path, key: "webhooks.\(key)", reason: "must be \(range.lowerBound)...\(range.upperBound), got \(value)")
            }
            return .milliseconds(Int64(value * 1000))
        }
        if let hosts = file.allowedHosts { webhooks.allowedHosts = hosts.map { $0.lowercased() } }
        if let value = try seconds(file.timeoutSeconds, "timeout_seconds", 0.1...120) { webhooks.timeout = value }
        if let value = try seconds(file.retryBaseSeconds, "retry_base_seconds", 0.01...86_400) { webhooks.retryBase = value }
        if let value = try seconds(file.retryCapSeconds, "retry_cap_seconds", 0.01...86_400) { webhooks.retryCap = value }
        if let value = try seconds(file.pollIntervalSeconds, "poll_interval_seconds", 0.05...3600) { webhooks.pollInterval = value }
        if let hours = file.maxAgeHours {
            guard hours > 0, hours <= 24 * 30 else {
                throw ConfigError(file: path, key: "webhooks.max_age_hours", reason: "must be > 0 and <= 720, got \(hours)")
            }
            webhooks.maxAge = .milliseconds(Int64(hours * 3_600_000))
        }
        if let value = file.concurrency {
            guard (1...256).contains(value) else { throw ConfigError(file: path, key: "webhooks.concurrency", reason: "must be 1...256") }
            webhooks.concurrency = value
        }
        if let value = file.creditsLowThreshold {
            guard value >= 0 else { throw ConfigError(file: path, key: "webhooks.credits_low_threshold", reason: "must be >= 0") }
            webhooks.creditsLowThreshold = value
        }
        guard webhooks.retryBase <= webhooks.retryCap else {
            throw ConfigError(file: path, key: "webhooks.retry_base_seconds", reason: "must not exceed webhooks.retry_cap_seconds")
        }
    }
}

extension ServiceFile {
    /// `webhooks:` of service.yaml.
    struct Webhooks: Decodable {
        var allowedHosts: [String]?
        var timeoutSeconds: Double?
        var retryBaseSeconds: Double?
        var retryCapSeconds: Double?
        var maxAgeHours: Double?
        var pollIntervalSeconds: Double?
        var concurrency: Int?
        var creditsLowThreshold: Int64?
    }
}

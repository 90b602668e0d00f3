import Foundation
import MVCore

/// Everything the router and the provider clients need: keys, endpoints, limits, timeouts, retry and
/// circuit-breaker policy. All durations have production defaults; tests shrink them.
public struct BackendsConfiguration: Sendable {
    /// Replicate API token (`REPLICATE_API_TOKEN` or `REPLICATE_API_KEY`); `nil` = Replicate not configured.
    public var replicateToken: String?
    /// Replicate API base, without `/v1` (`REPLICATE_BASE_URL`).
    public var replicateBaseURL: String = "https://api.replicate.com"
    /// Hosts (and their subdomains) Replicate outputs may be downloaded from, besides the API host.
    public var replicateDeliveryHosts: [String] = ["replicate.delivery"]
    /// Gemini API key (`GEMINI_API_KEY`); `nil` = Gemini not configured.
    public var geminiKey: String?
    /// Gemini API base, without `/v1beta` (`GEMINI_BASE_URL`).
    public var geminiBaseURL: String = "https://generativelanguage.googleapis.com"
    /// `MOCK_VID_GENS=true`: every generation uses the mock provider.
    public var forceMock: Bool = false
    /// Mock provider settings.
    public var mock: MockConfiguration = MockConfiguration()
    /// Path of the model catalog YAML.
    public var catalogPath: String = "configs/models.yaml"

    /// Seconds a Replicate create request may block (`Prefer: wait=N`, 1...60).
    public var replicatePreferWaitSeconds: Int = 5
    /// Reference images up to this size go inline as `data:` URIs; bigger ones through the Files API.
    public var inlineReferenceLimitBytes: Int = 256 * 1024
    /// Timeout of one ordinary API call (create, poll, cancel). A create with `Prefer: wait` adds its wait.
    public var requestTimeout: Duration = .seconds(30)
    /// Whole-transfer deadline of one output download.
    public var downloadTimeout: Duration = .seconds(300)
    /// Size cap of a downloaded video.
    public var maxVideoBytes: Int64 = 512 * 1024 * 1024
    /// Size cap of a downloaded image.
    public var maxImageBytes: Int64 = 50 * 1024 * 1024
    /// First poll interval of a provider job; grows by 1.5x per poll.
    public var pollInitialInterval: Duration = .milliseconds(500)
    /// Largest poll interval.
    public var pollMaxInterval: Duration = .seconds(10)
    /// Consecutive transient poll failures tolerated before the job counts as failed.
    public var maxConsecutivePollErrors: Int = 5
    /// Overall deadline of one `generate*` call, across retries and failovers.
    public var overallDeadline: Duration = .seconds(30 * 60)
    /// Deadline of one provider job (create to terminal status).
    public var providerJobDeadline: Duration = .seconds(20 * 60)

    /// Attempts per provider/model for retryable errors (1 = no retries).
    public var maxAttemptsPerProvider: Int = 3
    /// Base of the capped full-jitter backoff.
    public var retryBaseDelay: Duration = .milliseconds(500)
    /// Cap of the backoff.
    public var retryMaxDelay: Duration = .seconds(20)
    /// A provider's `Retry-After` longer than this is not waited for: the router fails over instead.
    public var maxRetryAfter: Duration = .seconds(60)
    /// Retry budget: tokens available for retries across all calls of this process.
    public var retryBudgetTokens: Double = 20
    /// Tokens given back to the retry budget per successful call.
    public var retryBudgetRefillPerSuccess: Double = 0.5

    /// Consecutive failures that open a provider's circuit breaker.
    public var breakerFailureThreshold: Int = 5
    /// How long an open breaker rejects calls before letting one probe through (half-open).
    public var breakerOpenDuration: Duration = .seconds(30)
    /// Calls remembered for `recentErrorRate` and latency statistics.
    public var statsWindow: Int = 50

    /// The clock used for breakers and statistics (injectable so tests need no sleeps).
    public var now: @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }

    /// Creates a configuration with defaults: no provider keys (so `auto` uses the mock).
    public init() {}

    /// Creates a configuration from explicit values; the rest keep their defaults.
    /// - Parameters:
    ///   - replicateToken: Replicate token.
    ///   - replicateBaseURL: Replicate base URL.
    ///   - geminiKey: Gemini key.
    ///   - geminiBaseURL: Gemini base URL.
    ///   - forceMock: Force the mock provider.
    ///   - mock: Mock settings.
    ///   - catalogPath: Catalog path.
    public init(
        replicateToken: String?,
        replicateBaseURL: String = "https://api.replicate.com",
        geminiKey: String?,
        geminiBaseURL: String = "https://generativelanguage.googleapis.com",
        forceMock: Bool = false,
        mock: MockConfiguration = MockConfiguration(),
        catalogPath: String = "configs/models.yaml"
    ) {
        self.replicateToken = replicateToken
        self.replicateBaseURL = replicateBaseURL
        self.geminiKey = geminiKey
        self.geminiBaseURL = geminiBaseURL
        self.forceMock = forceMock
        self.mock = mock
        self.catalogPath = catalogPath
    }

    /// Whether the given provider has credentials.
    /// - Parameter provider: `replicate`, `gemini` or `mock`.
    /// - Returns: `true` when calls to it can be made.
    public func isConfigured(_ provider: ProviderName) -> Bool {
        switch provider {
        case .replicate: !(replicateToken ?? "").isEmpty
        case .gemini: !(geminiKey ?? "").isEmpty
        case .mock: true
        }
    }

    /// From environment variables (REPLICATE_API_TOKEN|REPLICATE_API_KEY, GEMINI_API_KEY, REPLICATE_BASE_URL, GEMINI_BASE_URL,
    /// MOCK_VID_GENS, MOCK_VIDEO_DELAY_MIN/MAX, MOCK_FAILURE_RATE, plus MV_FFMPEG_PATH and MV_MODELS_CATALOG).
    ///
    /// Empty values count as unset; unparsable numbers keep the default.
    /// - Parameter env: The environment, e.g. `ProcessInfo.processInfo.environment`.
    /// - Returns: The configuration.
    public static func fromEnvironment(_ env: [String: String]) -> BackendsConfiguration {
        func value(_ key: String) -> String? {
            guard let raw = env[key]?.trimmingWhitespaceAndNewlines(), !raw.isEmpty else { return nil }
            return raw
        }
        var config = BackendsConfiguration()
        config.replicateToken = value("REPLICATE_API_TOKEN") ?? value("REPLICATE_API_KEY")
        config.geminiKey = value("GEMINI_API_KEY")
        if let base = value("REPLICATE_BASE_URL") { config.replicateBaseURL = Self.stripSuffix(base, "/v1") }
        if let base = value("GEMINI_BASE_URL") { config.geminiBaseURL = Self.stripSuffix(base, "/v1beta") }
        if let flag = value("MOCK_VID_GENS") { config.forceMock = ["1", "true", "yes", "on"].contains(flag.lowercased()) }
        if let raw = value("MOCK_VIDEO_DELAY_MIN"), let number = Double(raw), number >= 0 { config.mock.delayMin = number }
        if let raw = value("MOCK_VIDEO_DELAY_MAX"), let number = Double(raw), number >= 0 { config.mock.delayMax = number }
        if config.mock.delayMax < config.mock.delayMin { config.mock.delayMax = config.mock.delayMin }
        if let raw = value("MOCK_FAILURE_RATE"), let number = Double(raw) { config.mock.failureRate = min(max(number, 0), 1) }
        if let path = value("MV_FFMPEG_PATH") { config.mock.ffmpegPath = path }
        if let path = value("MV_MODELS_CATALOG") { config.catalogPath = path }
        return config
    }

    private static func stripSuffix(_ base: String, _ suffix: String) -> String {
        var trimmed = base
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        if trimmed.hasSuffix(suffix) { trimmed.removeLast(suffix.count) }
        return trimmed
    }
}

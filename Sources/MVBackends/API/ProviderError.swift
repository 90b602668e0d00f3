/// Typed provider failure.
///
/// `code` is a stable machine code (``Code``); `retryable` drives the router (retry the same provider with backoff)
/// while a non-retryable error makes the router fail over to the next candidate.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable machine code with what it means for retries and provider health. Open for new codes (a struct with
    /// static members, like `HTTPClientError`), compared by value.
    public struct Code: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
        /// The snake_case code.
        public var rawValue: String
        /// Creates a code.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Creates a code from a literal (tests, comparisons).
        public init(stringLiteral value: String) { self.rawValue = value }
        /// The raw code.
        public var description: String { rawValue }

        /// The provider could not be reached, answered 5xx, or its circuit breaker is open.
        public static let providerUnavailable: Code = "provider_unavailable"
        /// The provider's safety filter refused the prompt or the output.
        public static let contentPolicy: Code = "content_policy"
        /// The provider answered 429.
        public static let rateLimited: Code = "rate_limited"
        /// The account's quota or billing at the provider is exhausted.
        public static let quotaExhausted: Code = "quota_exhausted"
        /// The output was truncated or malformed.
        public static let invalidOutput: Code = "invalid_output"
        /// The provider rejected the request as invalid.
        public static let invalidRequest: Code = "invalid_request"
        /// The provider rejected our credentials (401/403).
        public static let authFailed: Code = "auth_failed"
        /// The model id is not served any more (404 on the model).
        public static let modelRetired: Code = "model_retired"
        /// A deadline passed.
        public static let timeout: Code = "timeout"
        /// The calling task was cancelled.
        public static let canceled: Code = "canceled"
        /// Every candidate failed; ``ProviderError/failovers`` says how.
        public static let allProvidersFailed: Code = "all_providers_failed"
        /// No configured model supports a requested feature.
        public static let unsupportedFeature: Code = "unsupported_feature"
        /// The mock's injected failure (`MOCK_FAILURE_RATE`).
        public static let mockFailure: Code = "mock_failure"
        /// The provider reported the generation as failed.
        public static let generationFailed: Code = "generation_failed"
        /// The output could not be downloaded.
        public static let downloadFailed: Code = "download_failed"
        /// The provider job id could not be saved before waiting (never retried: it would pay twice).
        public static let checkpointFailed: Code = "checkpoint_failed"
        /// A resumed provider job no longer exists.
        public static let jobNotFound: Code = "job_not_found"

        /// Whether no retry or failover can help: the request itself is the problem (or it was cancelled).
        public var isFinal: Bool {
            [.contentPolicy, .invalidRequest, .unsupportedFeature, .canceled].contains(self)
        }

        /// Whether the failure says the provider is unhealthy, and so moves its circuit breaker and error rate.
        public var countsAgainstProvider: Bool {
            ![.contentPolicy, .canceled, .unsupportedFeature, .invalidRequest, .checkpointFailed, .rateLimited, .mockFailure,
              .jobNotFound].contains(self)
        }
    }

    /// Stable machine code.
    public var code: Code
    /// Human readable detail; never contains secrets.
    public var message: String
    /// The provider that failed; nil for failures of the router itself.
    public var provider: ProviderName?
    /// Whether retrying the same provider may succeed.
    public var retryable: Bool
    /// How long the provider asked us to wait (`Retry-After`, Gemini `RetryInfo`).
    public var retryAfter: Duration?
    /// HTTP status of the provider response, when there was one.
    public var httpStatus: Int?
    /// For `all_providers_failed`: every provider/model tried and why it failed.
    public var failovers: [FailoverRecord]

    /// Creates an error.
    /// - Parameters:
    ///   - code: Machine code.
    ///   - message: Detail.
    ///   - provider: Provider name.
    ///   - retryable: Whether a retry may help.
    ///   - retryAfter: Provider-requested delay.
    ///   - httpStatus: HTTP status.
    ///   - failovers: Earlier failures.
    public init(
        code: Code,
        message: String,
        provider: ProviderName?,
        retryable: Bool,
        retryAfter: Duration? = nil,
        httpStatus: Int? = nil,
        failovers: [FailoverRecord] = []
    ) {
        self.code = code
        self.message = message
        self.provider = provider
        self.retryable = retryable
        self.retryAfter = retryAfter
        self.httpStatus = httpStatus
        self.failovers = failovers
    }

    /// `provider: code: message`.
    public var description: String { "\(source): \(code): \(message)" }

    /// The provider's name, or `router`.
    public var source: String { provider?.rawValue ?? "router" }
}

extension ProviderError {
    /// Requested features the chosen model(s) cannot do. Non-retryable.
    /// - Parameters:
    ///   - message: What is unsupported.
    ///   - provider: Provider name, `router` by default.
    /// - Returns: The error.
    public static func unsupportedFeature(_ message: String, provider: ProviderName? = nil) -> ProviderError {
        ProviderError(code: .unsupportedFeature, message: message, provider: provider, retryable: false)
    }

    /// The calling task was cancelled. Non-retryable.
    /// - Parameter provider: Provider name.
    /// - Returns: The error.
    public static func canceled(provider: ProviderName?) -> ProviderError {
        ProviderError(code: .canceled, message: "generation was canceled", provider: provider, retryable: false)
    }

    /// A deadline passed.
    /// - Parameters:
    ///   - message: Which deadline.
    ///   - provider: Provider name.
    ///   - retryable: Whether retrying makes sense.
    /// - Returns: The error.
    public static func timeout(_ message: String, provider: ProviderName?, retryable: Bool = true) -> ProviderError {
        ProviderError(code: .timeout, message: message, provider: provider, retryable: retryable)
    }

    /// The provider returned something that is not a complete, valid output. Never success.
    /// - Parameters:
    ///   - message: What was wrong.
    ///   - provider: Provider name.
    ///   - retryable: Whether retrying makes sense.
    /// - Returns: The error.
    public static func invalidOutput(_ message: String, provider: ProviderName?, retryable: Bool = true) -> ProviderError {
        ProviderError(code: .invalidOutput, message: message, provider: provider, retryable: retryable)
    }

    /// `code: message`, used in failover records.
    var summary: String { "\(code): \(message)" }
}

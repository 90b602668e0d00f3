/// Typed provider failure.
///
/// `code` is a stable machine code; `retryable` drives the router (retry the same provider with backoff)
/// while a non-retryable error makes the router fail over to the next candidate.
///
/// Codes: `provider_unavailable`, `content_policy`, `rate_limited`, `quota_exhausted`, `invalid_output`,
/// `invalid_request`, `auth_failed`, `model_retired`, `timeout`, `canceled`, `all_providers_failed`,
/// `unsupported_feature`, `mock_failure`, `generation_failed`, `download_failed`, `checkpoint_failed`,
/// `job_not_found`.
public struct ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine code, see the type's documentation.
    public var code: String
    /// Human readable detail; never contains secrets.
    public var message: String
    /// Provider name that failed (`router` for router-level failures).
    public var provider: String
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
        code: String,
        message: String,
        provider: String,
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
    public var description: String { "\(provider): \(code): \(message)" }
}

extension ProviderError {
    /// Requested features the chosen model(s) cannot do. Non-retryable.
    /// - Parameters:
    ///   - message: What is unsupported.
    ///   - provider: Provider name, `router` by default.
    /// - Returns: The error.
    public static func unsupportedFeature(_ message: String, provider: String = "router") -> ProviderError {
        ProviderError(code: "unsupported_feature", message: message, provider: provider, retryable: false)
    }

    /// The calling task was cancelled. Non-retryable.
    /// - Parameter provider: Provider name.
    /// - Returns: The error.
    public static func canceled(provider: String) -> ProviderError {
        ProviderError(code: "canceled", message: "generation was canceled", provider: provider, retryable: false)
    }

    /// A deadline passed.
    /// - Parameters:
    ///   - message: Which deadline.
    ///   - provider: Provider name.
    ///   - retryable: Whether retrying makes sense.
    /// - Returns: The error.
    public static func timeout(_ message: String, provider: String, retryable: Bool = true) -> ProviderError {
        ProviderError(code: "timeout", message: message, provider: provider, retryable: retryable)
    }

    /// The provider returned something that is not a complete, valid output. Never success.
    /// - Parameters:
    ///   - message: What was wrong.
    ///   - provider: Provider name.
    ///   - retryable: Whether retrying makes sense.
    /// - Returns: The error.
    public static func invalidOutput(_ message: String, provider: String, retryable: Bool = true) -> ProviderError {
        ProviderError(code: "invalid_output", message: message, provider: provider, retryable: retryable)
    }

    /// `code: message`, used in failover records.
    var summary: String { "\(code): \(message)" }
}

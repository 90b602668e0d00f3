import MVBackends

/// Why a job failed, as stored in `jobs.error` and shown (as a problem document) when the job is read: a stable
/// public code with retry advice and a message. Knows nothing of HTTP.
struct JobFailure: Error, Sendable, Equatable, Codable {
    /// The stable public codes of failed jobs. `isRetryable` is the advice to clients: whether submitting the same
    /// request again later may succeed.
    enum Code: String, Sendable, Codable, CaseIterable {
        /// Every candidate provider was down, timed out, rate limited or out of quota.
        case providerUnavailable = "provider_unavailable"
        /// A provider returned truncated or malformed output.
        case invalidOutput = "invalid_output"
        /// The provider's safety filter refused the prompt or the output.
        case contentBlocked = "content_blocked"
        /// The provider rejected the request, or no model supports a requested feature.
        case invalidInput = "invalid_input"
        /// The provider rejected our credentials or no longer serves the model: an operator must fix configuration.
        case providerAuth = "provider_auth"
        /// The mock provider's injected failure (`MOCK_FAILURE_RATE`).
        case mockFailure = "mock_failure"
        /// The worker running the job stopped heartbeating and the job ran out of attempts.
        case workerLost = "worker_lost"
        /// The job was canceled.
        case canceled
        /// No worker handles this kind of job.
        case unsupportedJob = "unsupported_job"
        /// An unexpected failure inside the service.
        case internalError = "internal_error"

        /// Whether submitting the same request again later may succeed.
        var isRetryable: Bool {
            switch self {
            case .providerUnavailable, .invalidOutput, .mockFailure, .workerLost, .internalError: true
            case .contentBlocked, .invalidInput, .providerAuth, .canceled, .unsupportedJob: false
            }
        }

        /// The public code of a provider failure.
        init(_ code: ProviderError.Code) {
            switch code {
            case .contentPolicy: self = .contentBlocked
            case .invalidRequest, .unsupportedFeature: self = .invalidInput
            case .authFailed, .modelRetired: self = .providerAuth
            case .invalidOutput: self = .invalidOutput
            case .mockFailure: self = .mockFailure
            case .canceled: self = .canceled
            default: self = .providerUnavailable
            }
        }
    }

    /// The public code.
    var code: Code
    /// What happened, for people; never secrets, SQL or paths.
    var message: String
    /// Every provider and model tried before the last failure, as `provider/model: code: message`.
    var failovers: [String]?

    /// Creates a failure.
    init(_ code: Code, _ message: String, failovers: [String]? = nil) {
        self.code = code
        self.message = message
        self.failovers = failovers
    }

    /// A provider failure under its public code.
    init(_ error: ProviderError) {
        self.init(
            Code(error.code), "\(error.source): \(error.message)",
            failovers: error.failovers.isEmpty ? nil : error.failovers.map { "\($0.provider)/\($0.model): \($0.error)" })
    }

    private enum CodingKeys: String, CodingKey {
        case code, message, retryable, failovers
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(Code.self, forKey: .code)
        message = try container.decode(String.self, forKey: .message)
        failovers = try container.decodeIfPresent([String].self, forKey: .failovers)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(code.isRetryable, forKey: .retryable)
        try container.encodeIfPresent(failovers, forKey: .failovers)
    }
}

/// A failed attempt as the worker records it: the failure, and whether the queue may run the job again.
struct AttemptFailure: Error, Sendable {
    /// What to store.
    var failure: JobFailure
    /// Whether another attempt may succeed (and may be made without paying twice).
    var retry: Bool

    /// Maps a provider error. Content, input and feature problems are final. Otherwise the job is tried again only
    /// when the router says another try is safe: it marks a failed create that may have reached the provider
    /// (5xx, timeout, broken connection) as not retryable, because a second try could start a second paid
    /// generation. The mock's injected failures are always retried, as the predecessor's mock mode did.
    init(_ error: ProviderError) {
        failure = JobFailure(error)
        retry = !error.code.isFinal && (error.retryable || error.code == .mockFailure)
    }

    init(_ failure: JobFailure, retry: Bool) {
        self.failure = failure
        self.retry = retry
    }
}

import MVCore
/// Maps Replicate HTTP answers and transport failures to ``ProviderError``.
///
/// A create request (POST) is never retried when it may have reached Replicate (5xx, broken
/// connection, timeout): that could start a second, billed prediction. Those fail over instead.
/// Only 429 and "never connected" are retried on create. Polls (GET) are idempotent and retried.
enum ReplicateErrors {
    enum Phase {
        case create
        case poll
        case other
    }

    static let provider = ProviderName.replicate

    static func from(_ exchange: HTTPExchange, phase: Phase) -> ProviderError {
        let problem = exchange.decode(ReplicateProblem.self)
        let detail = problem?.detail ?? problem?.title ?? String(exchange.text.prefix(200))
        let status = exchange.status
        func error(_ code: ProviderError.Code, retryable: Bool, after: Duration? = nil) -> ProviderError {
            ProviderError(
                code: code, message: "HTTP \(status): \(detail)", provider: provider, retryable: retryable, retryAfter: after, httpStatus: status)
        }
        switch status {
        case 401, 403: return error(.authFailed, retryable: false)
        case 402: return error(.quotaExhausted, retryable: false)
        case 404, 410: return error(phase == .poll ? .jobNotFound : .modelRetired, retryable: false)
        case 400, 413, 422: return error(.invalidRequest, retryable: false)
        case 429: return error(.rateLimited, retryable: true, after: exchange.retryAfter)
        case 500...599: return error(.providerUnavailable, retryable: phase != .create, after: exchange.retryAfter)
        default: return error(.providerUnavailable, retryable: false)
        }
    }

    static func from(_ failure: TransportFailure, phase: Phase) -> ProviderError {
        switch failure {
        case .canceled:
            return .canceled(provider: provider)
        case .notConnected(let detail):
            return ProviderError(code: .providerUnavailable, message: "cannot connect: \(detail)", provider: provider, retryable: true)
        case .timedOut(let detail):
            return .timeout("request timed out: \(detail)", provider: provider, retryable: phase != .create)
        case .broken(let detail):
            return ProviderError(
                code: .providerUnavailable, message: "connection failed: \(detail)", provider: provider, retryable: phase != .create)
        }
    }

    /// A finished prediction that did not succeed.
    static func from(prediction: ReplicatePrediction) -> ProviderError {
        let text = prediction.error?.text ?? "prediction \(prediction.status)"
        switch prediction.status {
        case "failed":
            let lower = text.lowercased()
            let policy = ["safety", "sensitive", "flagged", "policy", "nsfw", "prohibited"].contains { lower.contains($0) }
            return ProviderError(
                code: policy ? ProviderError.Code.contentPolicy : .generationFailed, message: String(text.prefix(500)), provider: provider, retryable: !policy)
        case "canceled":
            return ProviderError(code: .generationFailed, message: "prediction was canceled at the provider", provider: provider, retryable: true)
        case "aborted":
            return ProviderError(code: .generationFailed, message: "prediction was aborted before it started", provider: provider, retryable: true)
        default:
            return .invalidOutput("unexpected prediction status \(prediction.status)", provider: provider, retryable: false)
        }
    }
}

/// Maps Gemini API errors (`{"error":{"code","status","message","details"}}`) to ``ProviderError``.
///
/// 400 `API_KEY_INVALID` and 403 → `auth_failed`; 404 → `model_retired`; 429 → `rate_limited` with
/// the `RetryInfo` delay, except per-day quotas → `quota_exhausted` (not retryable). 5xx are retried
/// for idempotent-enough calls (generateContent, polls, 503 on create); 500/504 on a job create fail over.
enum GeminiErrors {
    static let provider = ProviderName.gemini

    static func from(_ exchange: HTTPExchange, jobCreate: Bool = false) -> ProviderError {
        let body = exchange.decode(GeminiWire.ErrorBody.self)?.error
        let status = exchange.status
        let canonical = body?.status ?? ""
        let message = "HTTP \(status) \(canonical): \(String((body?.message ?? exchange.text).prefix(300)))"
        let details = body?.details ?? []
        func error(_ code: ProviderError.Code, retryable: Bool, after: Duration? = nil) -> ProviderError {
            ProviderError(code: code, message: message, provider: provider, retryable: retryable, retryAfter: after, httpStatus: status)
        }
        switch status {
        case 400:
            if details.contains(where: { $0.reason == "API_KEY_INVALID" }) { return error(.authFailed, retryable: false) }
            return error(.invalidRequest, retryable: false)
        case 401, 403: return error(.authFailed, retryable: false)
        case 404: return error(.modelRetired, retryable: false)
        case 429:
            let perDay = details.contains { $0.violations?.contains { ($0.quotaId ?? "").contains("PerDay") } ?? false }
            if perDay { return error(.quotaExhausted, retryable: false) }
            let delay = details.compactMap(\.retryDelay).first.flatMap(parseDelay) ?? exchange.retryAfter
            return error(.rateLimited, retryable: true, after: delay)
        case 503: return error(.providerUnavailable, retryable: true, after: exchange.retryAfter)
        case 500...599: return error(.providerUnavailable, retryable: !jobCreate)
        default: return error(.providerUnavailable, retryable: false)
        }
    }

    static func from(_ failure: TransportFailure, jobCreate: Bool = false) -> ProviderError {
        switch failure {
        case .canceled: return .canceled(provider: provider)
        case .notConnected(let detail):
            return ProviderError(code: .providerUnavailable, message: "cannot connect: \(detail)", provider: provider, retryable: true)
        case .timedOut(let detail): return .timeout("request timed out: \(detail)", provider: provider, retryable: !jobCreate)
        case .broken(let detail):
            return ProviderError(code: .providerUnavailable, message: "connection failed: \(detail)", provider: provider, retryable: !jobCreate)
        }
    }

    /// A protobuf Duration string such as `"34.4s"`.
    static func parseDelay(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = Double(text.dropLast()), seconds >= 0 else { return nil }
        return .milliseconds(Int(seconds * 1000))
    }
}

/// Why a webhook request was refused (mapped to problem documents at the HTTP edge, `Problem+Webhooks.swift`).
enum WebhookError: Error, Equatable, Sendable {
    /// The URL is malformed, not https, or its host is (or resolves to) an address webhooks may not reach.
    case invalidURL(String)
    /// The team already has the most endpoints allowed.
    case tooManyEndpoints(limit: Int)
    /// The delivery is being attempted right now; replay it once that attempt is recorded.
    case deliveryInFlight
    /// No such endpoint or delivery in this team.
    case notFound(String)
}

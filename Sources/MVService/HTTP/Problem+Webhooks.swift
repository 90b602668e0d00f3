import HTTPTypes

extension Problem {
    /// Webhook refusals: 422 naming `url`, 409 (endpoint limit, attempt in flight), 404.
    init(_ error: WebhookError) {
        switch error {
        case .invalidURL(let reason):
            self = .invalid("url", reason)
        case .tooManyEndpoints(let limit):
            self = .conflict(code: "webhook_limit_reached", "A team can register at most \(limit) webhook endpoints.")
        case .deliveryInFlight:
            self = .conflict(code: "delivery_in_flight", "This delivery is being attempted right now; replay it once the attempt is recorded.")
        case .notFound(let what):
            self = .notFound(what)
        }
    }
}

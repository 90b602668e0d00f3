import Foundation
import MVCore
import PostgresNIO

/// A team's webhook endpoint as the API shows it (the secret never appears here; see ``CreatedWebhookEndpoint``).
struct WebhookEndpoint: Codable, Sendable, Equatable {
    var id: UUID
    var teamId: UUID
    var url: String
    var events: [WebhookEvent]
    var description: String?
    var enabled: Bool
    var createdAt: Date
    var updatedAt: Date
}

/// The answer to a registration: the endpoint plus its signing secret, shown this once.
struct CreatedWebhookEndpoint: Encodable, Sendable {
    var endpoint: WebhookEndpoint
    /// `whsec_...`.
    var secret: String

    private enum Keys: String, CodingKey { case secret }

    func encode(to encoder: any Encoder) throws {
        try endpoint.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(secret, forKey: .secret)
    }
}

/// One event's way to one endpoint, with every attempt.
struct WebhookDelivery: Codable, Sendable, Equatable {
    /// Where a delivery stands.
    enum Status: String, Codable, CaseIterable, Sendable, PostgresStringEnum {
        /// Waiting for its next attempt.
        case pending
        /// Being attempted now.
        case sending
        /// The receiver answered 2xx.
        case succeeded
        /// Gave up after `webhooks.max_age_hours` without a 2xx.
        case failed
    }

    /// One attempt.
    struct Attempt: Codable, Sendable, Equatable {
        var attempt: Int
        var startedAt: Date
        var latencyMs: Int
        var responseCode: Int?
        var error: String?
        var succeeded: Bool
    }

    var id: UUID
    var endpointId: UUID
    var eventId: UUID
    /// `webhook-id` of every attempt (`msg_...`).
    var messageId: String
    var eventType: WebhookEvent
    var status: Status
    var attempts: Int
    /// When the next attempt is due (pending deliveries only).
    var nextAttemptAt: Date?
    var lastResponseCode: Int?
    var lastLatencyMs: Int?
    var lastError: String?
    var createdAt: Date
    var updatedAt: Date
    /// Every attempt, oldest first.
    var attemptLog: [Attempt]
}

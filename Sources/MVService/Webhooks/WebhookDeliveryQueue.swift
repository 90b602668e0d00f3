import Foundation
import Logging
import MVCore
import PostgresNIO

/// A delivery a dispatcher claimed: what to send, and the fencing token its result must present.
struct ClaimedDelivery: Sendable {
    var id: UUID
    var claimToken: Int64
    /// This attempt's number (1 for the first).
    var attempt: Int
    var endpointID: UUID
    var url: String
    var sealedSecret: Data
    var eventID: UUID
    var eventType: WebhookEvent
    /// The exact body (the event's stored payload, printed by PostgreSQL the same way every time).
    var body: String
}

/// The deliveries' side of the outbox: claims due attempts with `FOR UPDATE SKIP LOCKED` under a lease (so any number of
/// dispatchers never take the same attempt), and records each attempt's result fenced by the claim token.
struct WebhookDeliveryQueue: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// Claims up to `limit` due deliveries of enabled endpoints: pending ones whose time has come, and sending ones
    /// whose lease expired (their dispatcher died mid-attempt). Each gets `attempts + 1` and a new claim token.
    func claim(limit: Int, lease: Duration) async throws -> [ClaimedDelivery] {
        let rows = try await client.query(
            """
            WITH picked AS (
                SELECT d.id FROM webhook_deliveries d
                WHERE ((d.status = 'pending' AND d.next_attempt_at <= now()) OR (d.status = 'sending' AND d.lease_expires_at < now()))
                    AND EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = d.endpoint_id AND e.enabled)
                ORDER BY d.next_attempt_at
                LIMIT \(max(1, limit))
                FOR UPDATE OF d SKIP LOCKED
            ), claimed AS (
                UPDATE webhook_deliveries d SET status = 'sending', attempts = d.attempts + 1, claim_token = d.claim_token + 1,
                    lease_expires_at = now() + make_interval(secs => \(lease.seconds)), updated_at = now()
                FROM picked WHERE d.id = picked.id
                RETURNING d.id, d.claim_token, d.attempts, d.endpoint_id, d.event_id
            )
            SELECT c.id, c.claim_token, c.attempts, e.id, e.url, e.secret_sealed, ev.id, ev.type, ev.payload::text
            FROM claimed c
            JOIN webhook_endpoints e ON e.id = c.endpoint_id
            JOIN webhook_events ev ON ev.id = c.event_id
            """, logger: logger)
        var claimed: [ClaimedDelivery] = []
        for try await row in rows.decode((UUID, Int64, Int, UUID, String, Data, UUID, WebhookEvent, String).self) {
            claimed.append(
                ClaimedDelivery(
                    id: row.0, claimToken: row.1, attempt: row.2, endpointID: row.3, url: row.4, sealedSecret: row.5, eventID: row.6,
                    eventType: row.7, body: row.8))
        }
        return claimed
    }

    /// Records one attempt and moves the delivery on, in one statement, only while `delivery`'s claim is current:
    /// `succeeded` on a 2xx; else `pending` again after `retryDelay`, or `failed` when that would pass the end of
    /// its window (`window_started_at + maxAge`).
    /// - Returns: The delivery's new status, or nil when the claim went stale (nothing written).
    @discardableResult
    func record(
        _ delivery: ClaimedDelivery, outcome: WebhookSender.Outcome, startedAt: Date, latency: Duration, retryDelay: Duration,
        maxAge: Duration
    ) async throws -> WebhookDelivery.Status? {
        let latencyMs = Int(max(0, latency.seconds * 1000).rounded())
        let rows = try await client.query(
            """
            WITH updated AS (
                UPDATE webhook_deliveries SET
                    status = CASE
                        WHEN \(outcome.succeeded) THEN 'succeeded'
                        WHEN now() + make_interval(secs => \(retryDelay.seconds)) >= window_started_at + make_interval(secs => \(maxAge.seconds))
                            THEN 'failed'
                        ELSE 'pending' END,
                    next_attempt_at = CASE WHEN \(outcome.succeeded) THEN next_attempt_at
                        ELSE now() + make_interval(secs => \(retryDelay.seconds)) END,
                    lease_expires_at = NULL, last_response_code = \(outcome.responseCode)::int4, last_latency_ms = \(latencyMs)::int4,
                    last_error = \(outcome.error)::text, updated_at = now()
                WHERE id = \(delivery.id) AND claim_token = \(delivery.claimToken) AND status = 'sending'
                RETURNING id, status
            ), logged AS (
                INSERT INTO webhook_attempts (delivery_id, attempt, started_at, latency_ms, response_code, error, succeeded)
                SELECT id, \(delivery.attempt), \(startedAt), \(latencyMs)::int4, \(outcome.responseCode)::int4, \(outcome.error)::text,
                    \(outcome.succeeded)
                FROM updated
                ON CONFLICT (delivery_id, attempt) DO NOTHING
            )
            SELECT status FROM updated
            """, logger: logger)
        for try await status in rows.decode(WebhookDelivery.Status.self) { return status }
        return nil
    }
}

import Foundation
import Logging
import MVAuth
import MVCore
import PostgresNIO

/// Endpoints and the delivery log of one team (the controller has checked the caller may manage the team's webhooks).
/// Every query names the team, so an id from another team is simply not found.
struct WebhookStore: Sendable {
    /// The most endpoints one team may register.
    static let maxEndpointsPerTeam = 20

    let client: PostgresClient
    let secret: ServerSecret
    let logger: Logger

    /// The team's endpoints, oldest first.
    func endpoints(teamID: UUID) async throws -> [WebhookEndpoint] {
        let rows = try await client.query(
            """
            SELECT id, team_id, url, events, description, enabled, created_at, updated_at
            FROM webhook_endpoints WHERE team_id = \(teamID) ORDER BY created_at, id
            """, logger: logger)
        var endpoints: [WebhookEndpoint] = []
        for try await row in rows.decode((UUID, UUID, String, [String], String?, Bool, Date, Date).self) {
            endpoints.append(Self.endpoint(row))
        }
        return endpoints
    }

    /// One endpoint of the team, or nil.
    func endpoint(id: UUID, teamID: UUID) async throws -> WebhookEndpoint? {
        let rows = try await client.query(
            """
            SELECT id, team_id, url, events, description, enabled, created_at, updated_at
            FROM webhook_endpoints WHERE id = \(id) AND team_id = \(teamID)
            """, logger: logger)
        for try await row in rows.decode((UUID, UUID, String, [String], String?, Bool, Date, Date).self) {
            return Self.endpoint(row)
        }
        return nil
    }

    /// Registers an endpoint (URL already checked) with a fresh secret, stored sealed; the team row is locked so the
    /// per-team limit holds under concurrent registrations.
    /// - Returns: The endpoint and its secret (to show once).
    /// - Throws: ``WebhookError/tooManyEndpoints(limit:)``.
    func create(
        teamID: UUID, url: String, events: [WebhookEvent], description: String?, createdBy: UUID
    ) async throws -> (WebhookEndpoint, WebhookSecret) {
        let id = UUID()
        let signing = WebhookSecret.generate()
        let sealed = try signing.sealed(with: secret, endpointID: id)
        let eventNames = events.map(\.rawValue)
        let endpoint = try await client.transaction(logger: logger) { connection -> WebhookEndpoint in
            let rows = try await connection.query(
                """
                WITH team AS (SELECT id FROM teams WHERE id = \(teamID) FOR UPDATE)
                SELECT (SELECT count(*) FROM webhook_endpoints WHERE team_id = \(teamID))::int8 FROM team
                """, logger: logger)
            var count: Int64 = 0
            for try await value in rows.decode(Int64.self) { count = value }
            guard count < Self.maxEndpointsPerTeam else { throw WebhookError.tooManyEndpoints(limit: Self.maxEndpointsPerTeam) }
            let inserted = try await connection.query(
                """
                INSERT INTO webhook_endpoints (id, team_id, url, events, description, secret_sealed, created_by)
                VALUES (\(id), \(teamID), \(url), \(eventNames), \(description), \(sealed), \(createdBy))
                RETURNING id, team_id, url, events, description, enabled, created_at, updated_at
                """, logger: logger)
            for try await row in inserted.decode((UUID, UUID, String, [String], String?, Bool, Date, Date).self) {
                return Self.endpoint(row)
            }
            throw WebhookError.notFound("team")
        }
        return (endpoint, signing)
    }

    /// Changes what is given (nil keeps; a blank description clears it).
    /// - Returns: The endpoint, or nil when the team has no such endpoint.
    func update(id: UUID, teamID: UUID, url: String?, events: [WebhookEvent]?, description: String?, enabled: Bool?) async throws
        -> WebhookEndpoint?
    {
        let eventNames = events?.map(\.rawValue)
        let clear = description.map { $0.trimmingWhitespaceAndNewlines().isEmpty } ?? false
        let rows = try await client.query(
            """
            UPDATE webhook_endpoints SET url = COALESCE(\(url), url), events = COALESCE(\(eventNames)::text[], events),
                description = CASE WHEN \(clear) THEN NULL ELSE COALESCE(\(description), description) END,
                enabled = COALESCE(\(enabled), enabled), updated_at = now()
            WHERE id = \(id) AND team_id = \(teamID)
            RETURNING id, team_id, url, events, description, enabled, created_at, updated_at
            """, logger: logger)
        for try await row in rows.decode((UUID, UUID, String, [String], String?, Bool, Date, Date).self) {
            return Self.endpoint(row)
        }
        return nil
    }

    /// Removes an endpoint and its deliveries (nothing more is sent to it).
    /// - Returns: Whether it existed.
    func delete(id: UUID, teamID: UUID) async throws -> Bool {
        let rows = try await client.query(
            "DELETE FROM webhook_endpoints WHERE id = \(id) AND team_id = \(teamID) RETURNING id", logger: logger)
        for try await _ in rows.decode(UUID.self) { return true }
        return false
    }

    /// One page of an endpoint's delivery log, newest first, each with every attempt (one query).
    func deliveries(endpointID: UUID, teamID: UUID, after: (createdAt: Date, id: UUID)?, limit: Int) async throws -> [WebhookDelivery] {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.deliveryColumns)
            FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
            WHERE d.endpoint_id = \(endpointID) AND d.team_id = \(teamID)
                AND (\(after?.createdAt)::timestamptz IS NULL OR (d.created_at, d.id) < (\(after?.createdAt), \(after?.id)))
            ORDER BY d.created_at DESC, d.id DESC
            LIMIT \(min(max(limit, 1), 100))
            """, logger: logger)
        var deliveries: [WebhookDelivery] = []
        for try await row in rows { deliveries.append(try Self.delivery(row)) }
        return deliveries
    }

    /// One delivery of the endpoint, or nil.
    func delivery(id: UUID, endpointID: UUID, teamID: UUID) async throws -> WebhookDelivery? {
        let rows = try await client.query(
            """
            SELECT \(unescaped: Self.deliveryColumns)
            FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
            WHERE d.id = \(id) AND d.endpoint_id = \(endpointID) AND d.team_id = \(teamID)
            """, logger: logger)
        for try await row in rows { return try Self.delivery(row) }
        return nil
    }

    /// Replays a delivery: a new attempt of the SAME message (same `webhook-id` and body), due now, with a fresh
    /// give-up window; dispatchers are woken when this commits.
    /// - Returns: The delivery as it now stands.
    /// - Throws: ``WebhookError/notFound(_:)``, ``WebhookError/deliveryInFlight`` (an attempt is running).
    func replay(id: UUID, endpointID: UUID, teamID: UUID) async throws -> WebhookDelivery {
        let replayed = try await client.transaction(logger: logger) { connection -> Bool in
            let rows = try await connection.query(
                """
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), window_started_at = now(), updated_at = now()
                WHERE id = \(id) AND endpoint_id = \(endpointID) AND team_id = \(teamID) AND status <> 'sending'
                RETURNING id
                """, logger: logger)
            guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { return false }
            try await connection.query("SELECT pg_notify(\(WebhookOutbox.channel), 'ready')", logger: logger)
            return true
        }
        guard let delivery = try await delivery(id: id, endpointID: endpointID, teamID: teamID) else {
            throw WebhookError.notFound("delivery")
        }
        guard replayed else { throw WebhookError.deliveryInFlight }
        return delivery
    }

    private static let deliveryColumns = """
        d.id, d.endpoint_id, d.event_id, ev.type, d.status, d.attempts,
        CASE WHEN d.status = 'pending' THEN d.next_attempt_at END, d.last_response_code, d.last_latency_ms, d.last_error,
        d.created_at, d.updated_at,
        coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                'attempt', a.attempt, 'started_at', a.started_at, 'latency_ms', a.latency_ms, 'response_code', a.response_code,
                'error', a.error, 'succeeded', a.succeeded) ORDER BY a.attempt)
            FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::jsonb)
        """

    private static func endpoint(_ row: (UUID, UUID, String, [String], String?, Bool, Date, Date)) -> WebhookEndpoint {
        WebhookEndpoint(
            id: row.0, teamId: row.1, url: row.2, events: row.3.compactMap(WebhookEvent.init(rawValue:)), description: row.4,
            enabled: row.5, createdAt: row.6, updatedAt: row.7)
    }

    private static func delivery(_ row: PostgresRow) throws -> WebhookDelivery {
        let c = row.makeRandomAccess()
        let eventID = try c[2].decode(UUID.self)
        return WebhookDelivery(
            id: try c[0].decode(UUID.self), endpointId: try c[1].decode(UUID.self), eventId: eventID,
            messageId: WebhookSignature.messageID(eventID), eventType: try c[3].decode(WebhookEvent.self),
            status: try c[4].decode(WebhookDelivery.Status.self), attempts: try c[5].decode(Int.self),
            nextAttemptAt: try c[6].decode(Date?.self), lastResponseCode: try c[7].decode(Int?.self),
            lastLatencyMs: try c[8].decode(Int?.self), lastError: try c[9].decode(String?.self), createdAt: try c[10].decode(Date.self),
            updatedAt: try c[11].decode(Date.self), attemptLog: try c[12].decode(JSONB<[WebhookDelivery.Attempt]>.self).value)
    }
}

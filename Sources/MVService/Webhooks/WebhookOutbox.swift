import Foundation
import Logging
import MVCore
import PostgresNIO

/// The durable outbox of webhook events. Every call runs ONE statement (`webhook_enqueue`, sql/015) on the CALLER's
/// connection, inside the transaction that makes the change it announces: the event exists if and only if that
/// change commits. When no enabled endpoint of the team subscribes to the event nothing is written. A NOTIFY on
/// ``channel`` wakes the dispatchers at commit.
///
/// ```swift
/// try await client.transaction(logger: logger) { connection in
///     ... // the state change
///     try await WebhookOutbox.enqueue(.projectRendered, teamID: teamID, payload: .object(["project_id": .string(id)]), on: connection)
/// }
/// ```
enum WebhookOutbox {
    /// NOTIFY channel dispatchers listen on.
    static let channel = "mv_webhooks"

    /// The logger of calls that do not pass their own.
    static let defaultLogger = Logger(label: "mvservice.webhooks.outbox")

    /// Writes `event` for `teamID` with `payload` as the body's `data` (one event, one delivery per subscribed endpoint).
    /// - Returns: The number of deliveries written (0 when no endpoint subscribes).
    /// - Throws: A `PSQLError` (the caller's transaction then rolls back with its change).
    @discardableResult
    static func enqueue(
        _ event: WebhookEvent, teamID: UUID, payload: JSONValue, on connection: PostgresConnection, logger: Logger = WebhookOutbox.defaultLogger
    ) async throws -> Int {
        let rows = try await connection.query(
            "SELECT webhook_enqueue(\(UUID()), \(teamID), \(event.rawValue), \(JSONB(payload)))", logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    /// Writes a job event whose `data.job` is built from the job's row as this transaction sees it (state, cost, result
    /// or error), in one statement. Call it after the job's final UPDATE and its hold's resolution.
    @discardableResult
    static func enqueueJob(_ event: WebhookEvent, jobID: UUID, on connection: PostgresConnection, logger: Logger = WebhookOutbox.defaultLogger)
        async throws -> Int
    {
        let rows = try await connection.query(
            """
            SELECT webhook_enqueue(\(UUID()), j.team_id, \(event.rawValue), jsonb_build_object('job', jsonb_build_object(
                'id', j.id, 'kind', j.kind, 'status', j.state, 'team_id', j.team_id, 'user_id', j.user_id, 'project_id', j.project_id,
                'attempts', j.attempts, 'created_at', j.created_at, 'finished_at', j.finished_at,
                'cost', jsonb_build_object('quoted', j.quoted, 'charged', j.charged, 'released', j.released),
                'result', j.result, 'error', j.error)))
            FROM jobs j WHERE j.id = \(jobID)
            """, logger: logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }
}

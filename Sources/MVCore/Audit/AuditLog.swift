import Foundation
import Logging
import PostgresNIO

/// The append-only audit log (`audit_events`). Events are written on the caller's connection, inside the transaction
/// of the change they record, so a rolled-back change leaves no event and a committed one always has its event.
public struct AuditLog: Sendable {
    let logger: Logger

    /// Creates the log.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Appends `event` on `connection` (in the caller's transaction).
    public func record(_ event: AuditEvent, on connection: PostgresConnection) async throws {
        try await connection.query("""
            INSERT INTO audit_events (actor_user, actor_key, team_id, action, target_type, target_id, ip, user_agent, detail)
            VALUES (\(event.actorUserID), \(event.actorKeyID), \(event.teamID), \(event.action.rawValue), \(event.target?.type),
                \(event.target?.id), \(event.origin.ip), \(event.origin.userAgent), \(JSONB(JSONValue.object(event.detail))))
            """, logger: logger)
    }

    /// Appends `event` in a transaction of its own (for events that record no other change, like a failed login).
    public func record(_ event: AuditEvent, client: PostgresClient) async throws {
        try await client.withConnection { connection in try await record(event, on: connection) }
    }
}

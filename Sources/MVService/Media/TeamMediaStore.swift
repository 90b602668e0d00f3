import Foundation
import Logging
import MVCore
import PostgresNIO

/// A team's media settings and footprint: `retention_days` (generated assets older than that are soft-deleted by
/// ``AssetSweeper``) and disk usage for `GET /api/teams/{id}`.
struct TeamMediaStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// What a team's assets take: the bytes of its stored rows (live or still restorable) and its live assets.
    struct Usage: Codable, Sendable, Equatable {
        var bytes: Int64
        var count: Int
    }

    /// The team's retention and usage, in one query.
    func media(teamID: UUID) async throws -> (retentionDays: Int?, usage: Usage) {
        let rows = try await client.query("""
            SELECT t.retention_days,
                (SELECT coalesce(sum(a.size), 0)::bigint FROM assets a WHERE a.team_id = t.id),
                (SELECT count(*)::int FROM assets a WHERE a.team_id = t.id AND a.deleted_at IS NULL)
            FROM teams t WHERE t.id = \(teamID)
            """, logger: logger)
        for try await (days, bytes, count) in rows.decode((Int?, Int64, Int).self) {
            return (days, Usage(bytes: bytes, count: count))
        }
        return (nil, Usage(bytes: 0, count: 0))
    }

    /// Sets `retention_days` (0: keep forever) in one statement and records `team.updated`, in one transaction.
    func setRetention(teamID: UUID, days: Int, by actor: AuditEvent.Actor) async throws {
        let value: Int? = days == 0 ? nil : days
        try await client.transaction(logger: logger) { connection in
            try await connection.query("UPDATE teams SET retention_days = \(value) WHERE id = \(teamID)", logger: logger)
            try await AuditLog(logger: logger).record(
                AuditEvent(
                    .teamUpdated, by: actor, teamID: teamID, target: .init(type: "team", id: teamID.lowercased),
                    detail: ["retention_days": value.map { .number(Double($0)) } ?? .null]),
                on: connection)
        }
    }
}

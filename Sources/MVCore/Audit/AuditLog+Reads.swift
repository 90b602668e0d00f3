import Foundation
import PostgresNIO

extension AuditLog {
    /// One audit event as read.
    public struct Entry: Codable, Sendable, Equatable {
        /// Who acted.
        public struct Actor: Codable, Sendable, Equatable {
            /// The acting user.
            public var userId: UUID?
            /// The API key used.
            public var apiKeyId: UUID?
        }

        /// Position in the log (the pagination cursor).
        public var id: Int64
        /// When.
        public var at: Date
        /// Who.
        public var actor: Actor
        /// The team concerned.
        public var teamId: UUID?
        /// The stable action name.
        public var action: String
        /// What was acted on.
        public var target: AuditEvent.Target?
        /// Client address.
        public var ip: String?
        /// Client user agent.
        public var userAgent: String?
        /// Extra facts.
        public var detail: JSONValue
    }

    /// Filters of an audit listing; nil means any.
    public struct Filter: Sendable {
        /// Only this team's events (nil: every team, for platform admins).
        public var teamID: UUID?
        /// Only events by this user.
        public var actorUserID: UUID?
        /// Only this action.
        public var action: AuditAction?
        /// Events at or after this time.
        public var from: Date?
        /// Events before this time (half-open range).
        public var to: Date?
        /// Keyset cursor: events with a smaller id.
        public var before: Int64?
        /// Page size, 1...100.
        public var limit = 50

        /// Creates a filter.
        public init() {}
    }

    /// Events newest first, one page, in one query.
    public func events(_ filter: Filter, client: PostgresClient) async throws -> [Entry] {
        let rows = try await client.query("""
            SELECT id, at, actor_user, actor_key, team_id, action, target_type, target_id, ip, user_agent, detail
            FROM audit_events
            WHERE (\(filter.teamID)::uuid IS NULL OR team_id = \(filter.teamID))
                AND (\(filter.actorUserID)::uuid IS NULL OR actor_user = \(filter.actorUserID))
                AND (\(filter.action?.rawValue)::text IS NULL OR action = \(filter.action?.rawValue))
                AND (\(filter.from)::timestamptz IS NULL OR at >= \(filter.from))
                AND (\(filter.to)::timestamptz IS NULL OR at < \(filter.to))
                AND (\(filter.before)::bigint IS NULL OR id < \(filter.before))
            ORDER BY id DESC
            LIMIT \(min(max(filter.limit, 1), 100))
            """, logger: logger)
        var entries: [Entry] = []
        let columns = (Int64, Date, UUID?, UUID?, UUID?, String, String?, String?, String?, String?, JSONB<JSONValue>).self
        for try await row in rows.decode(columns) {
            let target = row.6.map { AuditEvent.Target(type: $0, id: row.7 ?? "") }
            entries.append(Entry(
                id: row.0, at: row.1, actor: .init(userId: row.2, apiKeyId: row.3), teamId: row.4, action: row.5, target: target,
                ip: row.8, userAgent: row.9, detail: row.10.value))
        }
        return entries
    }
}

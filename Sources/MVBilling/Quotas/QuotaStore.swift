import Foundation
import Logging
import MVCore
import PostgresNIO

/// Quotas on PostgreSQL (`quotas`, `quota_usage`, `quota_charges`; `sql/009_credit_lots_quotas.sql`). Management
/// writes its audit event in the change's transaction; admission counts with SQL function `quota_charge` (sql/018), inside
/// the one statement that admits a job. Who may manage which quota is the caller's decision.
public struct QuotaStore: Sendable {
    /// The largest limit accepted.
    public static let maximumLimit: Int64 = 1_000_000_000_000

    let client: PostgresClient
    let audit: AuditLog
    let logger: Logger

    /// Creates the store.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.audit = AuditLog(logger: logger)
        self.logger = logger
    }

    /// The team's quotas with their current period's usage, oldest first; only `quotaID` when given; with
    /// `onlyApplicable`, only those that count `userID` and `apiKeyID`: the team's, the member's and the key's.
    public func list(
        teamID: UUID, quotaID: UUID? = nil, userID: UUID? = nil, apiKeyID: UUID? = nil, onlyApplicable: Bool = false
    ) async throws -> [Quota] {
        let rows = try await client.query(
            """
            SELECT q.id, q.team_id, q.subject_type, q.subject_id, q.period, q.limit_credits, q.action, coalesce(u.used, 0)::int8,
                   p.period_start, p.resets_at
            FROM quotas AS q
            JOIN teams AS t ON t.id = q.team_id
            CROSS JOIN LATERAL quota_period_bounds(q.period, t.time_zone) AS p
            LEFT JOIN quota_usage AS u ON u.quota_id = q.id AND u.period_start = p.period_start
            WHERE q.team_id = \(teamID) AND (\(quotaID)::uuid IS NULL OR q.id = \(quotaID)::uuid)
              AND (NOT \(onlyApplicable) OR q.subject_type = 'team'
                   OR (q.subject_type = 'member' AND q.subject_id = \(userID)::uuid)
                   OR (q.subject_type = 'api_key' AND q.subject_id = \(apiKeyID)::uuid))
            ORDER BY q.created_at, q.id
            """,
            logger: logger)
        var quotas: [Quota] = []
        for try await row in rows.decode(
            (UUID, UUID, Quota.SubjectType, UUID, Quota.Period, Int64, Quota.Action, Int64, Date, Date).self)
        {
            quotas.append(
                Quota(
                    id: row.0, teamId: row.1, subject: .init(type: row.2, id: row.3), period: row.4, limit: row.5, action: row.6,
                    used: row.7, periodStart: row.8, resetsAt: row.9))
        }
        return quotas
    }

    /// The team's quota `id`, or nil.
    public func quota(id: UUID, teamID: UUID) async throws -> Quota? {
        try await list(teamID: teamID, quotaID: id).first
    }

    /// Creates a quota and records `quota.created`, in one transaction.
    /// - Throws: ``QuotaError/invalidInput(field:message:)`` for a limit out of range; ``QuotaError/unknownSubject`` for a
    ///   subject that is not the team, one of its members, or one of its live API keys; ``QuotaError/duplicate``.
    public func create(
        teamID: UUID, subject: Quota.Subject, period: Quota.Period, limit: Int64, action: Quota.Action, by actor: AuditEvent.Actor
    ) async throws -> Quota {
        try Self.validate(limit: limit)
        let id = UUID()
        do {
            try await client.transaction(logger: logger) { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO quotas (id, team_id, subject_type, subject_id, period, limit_credits, action, created_by)
                    SELECT \(id), \(teamID), \(subject.type), \(subject.id), \(period), \(limit), \(action), \(actor.userID)
                    WHERE CASE \(subject.type)
                        WHEN 'team' THEN \(subject.id) = \(teamID)
                        WHEN 'member' THEN EXISTS (SELECT 1 FROM memberships WHERE team_id = \(teamID) AND user_id = \(subject.id))
                        ELSE EXISTS (SELECT 1 FROM api_keys WHERE id = \(subject.id) AND team_id = \(teamID) AND revoked_at IS NULL)
                    END
                    RETURNING id
                    """,
                    logger: logger)
                var inserted = false
                for try await _ in rows.decode(UUID.self) { inserted = true }
                guard inserted else { throw QuotaError.unknownSubject }
                try await audit.record(
                    AuditEvent(.quotaCreated, by: actor, teamID: teamID, target: .init(type: "quota", id: id.lowercased),
                        detail: Self.detail(subject: subject, period: period, limit: limit, action: action)),
                    on: connection)
            }
        } catch let error where PostgresErrors.isUniqueViolation(error) {
            throw QuotaError.duplicate
        }
        guard let quota = try await quota(id: id, teamID: teamID) else { throw QuotaError.notFound }
        return quota
    }

    /// Changes a quota's limit and/or action and records `quota.changed`, in one transaction.
    public func update(id: UUID, teamID: UUID, limit: Int64?, action: Quota.Action?, by actor: AuditEvent.Actor) async throws -> Quota {
        if let limit { try Self.validate(limit: limit) }
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                """
                UPDATE quotas SET limit_credits = COALESCE(\(limit), limit_credits), action = COALESCE(\(action?.rawValue), action),
                    updated_at = now()
                WHERE id = \(id) AND team_id = \(teamID)
                RETURNING id
                """,
                logger: logger)
            var updated = false
            for try await _ in rows.decode(UUID.self) { updated = true }
            guard updated else { throw QuotaError.notFound }
            var detail: [String: JSONValue] = [:]
            if let limit { detail["limit"] = .number(Double(limit)) }
            if let action { detail["action"] = .string(action.rawValue) }
            try await audit.record(
                AuditEvent(.quotaChanged, by: actor, teamID: teamID, target: .init(type: "quota", id: id.lowercased), detail: detail),
                on: connection)
        }
        guard let quota = try await quota(id: id, teamID: teamID) else { throw QuotaError.notFound }
        return quota
    }

    /// Deletes a quota (its counters go with it) and records `quota.changed` with `deleted: true`.
    public func delete(id: UUID, teamID: UUID, by actor: AuditEvent.Actor) async throws {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query(
                "DELETE FROM quotas WHERE id = \(id) AND team_id = \(teamID) RETURNING id", logger: logger)
            var deleted = false
            for try await _ in rows.decode(UUID.self) { deleted = true }
            guard deleted else { throw QuotaError.notFound }
            try await audit.record(
                AuditEvent(.quotaChanged, by: actor, teamID: teamID, target: .init(type: "quota", id: id.lowercased),
                    detail: ["deleted": .bool(true)]),
                on: connection)
        }
    }

    static func validate(limit: Int64) throws(QuotaError) {
        guard limit > 0, limit <= maximumLimit else {
            throw .invalidInput(field: "limit", message: "must be a whole number of credits, 1...\(maximumLimit)")
        }
    }

    static func detail(subject: Quota.Subject, period: Quota.Period, limit: Int64, action: Quota.Action) -> [String: JSONValue] {
        [
            "subject_type": .string(subject.type.rawValue), "subject_id": .string(subject.id.lowercased),
            "period": .string(period.rawValue), "limit": .number(Double(limit)), "action": .string(action.rawValue),
        ]
    }
}

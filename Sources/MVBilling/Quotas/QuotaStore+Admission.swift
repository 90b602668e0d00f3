import Foundation
import Logging
import MVCore
import PostgresNIO

extension QuotaStore {
    /// A quota that crossed an alert threshold with this admission.
    public struct Crossing: Sendable, Equatable {
        /// The quota.
        public var quotaID: UUID
        /// 80 or 100 (percent of the limit).
        public var threshold: Int
        /// What the period has used now.
        public var used: Int64
        /// The limit.
        public var limit: Int64
    }

    /// Counts a new hold of `amount` credits in every quota that applies (the team's, the member's, the API key's), in
    /// ONE statement on the caller's admission transaction: a counter row per (quota, period) is created or raised,
    /// guarded by the limit for blocking quotas, and the job's charges are recorded so its release gives back exactly
    /// there. If any blocking quota refuses, this throws and the caller rolls the whole admission back — no counter,
    /// bucket or balance keeps a trace. Concurrent admissions serialise on the counter rows, so the limit is exact.
    ///
    /// Alert quotas never refuse; crossing 80 % and 100 % of the limit is recorded once per period and threshold as a
    /// `quota.threshold` audit event, in the same transaction.
    /// - Returns: The alert thresholds crossed.
    /// - Throws: ``QuotaError/exceeded(_:)`` naming the first refusing quota, or a `PSQLError`.
    public func charge(
        teamID: UUID, userID: UUID, apiKeyID: UUID?, jobID: UUID, amount: Int64, actor: AuditEvent.Actor, on connection: PostgresConnection
    ) async throws -> [Crossing] {
        let rows = try await connection.query(
            """
            WITH applicable AS (
                SELECT q.id, q.subject_type, q.subject_id, q.limit_credits, q.action, p.period_start, p.resets_at
                FROM quotas AS q
                JOIN teams AS t ON t.id = q.team_id
                CROSS JOIN LATERAL (SELECT \(unescaped: Self.periodBounds)) AS p (period_start, resets_at)
                WHERE q.team_id = \(teamID)
                  AND (q.subject_type = 'team'
                       OR (q.subject_type = 'member' AND q.subject_id = \(userID))
                       OR (q.subject_type = 'api_key' AND q.subject_id = \(apiKeyID)::uuid))
            ), counted AS (
                INSERT INTO quota_usage AS u (quota_id, period_start, used)
                SELECT id, period_start, \(amount) FROM applicable WHERE action = 'alert' OR \(amount) <= limit_credits
                ON CONFLICT (quota_id, period_start) DO UPDATE SET used = u.used + EXCLUDED.used
                WHERE u.used + EXCLUDED.used <= (SELECT a.limit_credits FROM applicable AS a WHERE a.id = u.quota_id)
                   OR (SELECT a.action FROM applicable AS a WHERE a.id = u.quota_id) = 'alert'
                RETURNING u.quota_id, u.period_start, u.used
            ), charged AS (
                INSERT INTO quota_charges (job_id, quota_id, period_start, amount)
                SELECT \(jobID), quota_id, period_start, \(amount) FROM counted
            )
            SELECT a.id, a.subject_type, a.subject_id, a.limit_credits, a.action, a.resets_at, c.used,
                   coalesce((SELECT used FROM quota_usage AS u WHERE u.quota_id = a.id AND u.period_start = a.period_start), 0)::int8
            FROM applicable AS a LEFT JOIN counted AS c ON c.quota_id = a.id
            ORDER BY (c.used IS NULL) DESC, a.subject_type, a.id
            """,
            logger: logger)
        var alerts: [UUID] = []
        for try await (id, type, subject, limit, action, resetsAt, usedAfter, usedBefore) in rows.decode(
            (UUID, Quota.SubjectType, UUID, Int64, Quota.Action, Date, Int64?, Int64).self)
        {
            guard usedAfter != nil else {
                throw QuotaError.exceeded(
                    QuotaRefusal(quotaID: id, subject: .init(type: type, id: subject), limit: limit, used: usedBefore, resetsAt: resetsAt))
            }
            if action == .alert { alerts.append(id) }
        }
        guard !alerts.isEmpty else { return [] }
        return try await recordCrossings(quotas: alerts, teamID: teamID, actor: actor, on: connection)
    }

    /// Marks and audits the 80 % and 100 % thresholds newly reached by `quotas` in their current periods. The counter
    /// rows are locked by this transaction's charge, so each threshold is recorded once per period.
    private func recordCrossings(
        quotas: [UUID], teamID: UUID, actor: AuditEvent.Actor, on connection: PostgresConnection
    ) async throws -> [Crossing] {
        let rows = try await connection.query(
            """
            WITH current AS (
                SELECT u.quota_id, u.period_start, u.used, q.limit_credits, u.alerted_80, u.alerted_100
                FROM quota_usage AS u
                JOIN quotas AS q ON q.id = u.quota_id
                JOIN teams AS t ON t.id = q.team_id
                CROSS JOIN LATERAL (SELECT \(unescaped: Self.periodBounds)) AS p (period_start, resets_at)
                WHERE u.quota_id = ANY(\(quotas)) AND u.period_start = p.period_start
            ), marked AS (
                UPDATE quota_usage AS u
                SET alerted_80 = u.alerted_80 OR c.used * 100 >= c.limit_credits * 80,
                    alerted_100 = u.alerted_100 OR c.used >= c.limit_credits
                FROM current AS c
                WHERE u.quota_id = c.quota_id AND u.period_start = c.period_start
                  AND ((NOT c.alerted_80 AND c.used * 100 >= c.limit_credits * 80) OR (NOT c.alerted_100 AND c.used >= c.limit_credits))
                RETURNING u.quota_id
            )
            SELECT c.quota_id, c.used, c.limit_credits,
                   NOT c.alerted_80 AND c.used * 100 >= c.limit_credits * 80, NOT c.alerted_100 AND c.used >= c.limit_credits
            FROM current AS c JOIN marked AS m ON m.quota_id = c.quota_id
            """,
            logger: logger)
        var crossings: [Crossing] = []
        for try await (id, used, limit, crossed80, crossed100) in rows.decode((UUID, Int64, Int64, Bool, Bool).self) {
            if crossed80 { crossings.append(Crossing(quotaID: id, threshold: 80, used: used, limit: limit)) }
            if crossed100 { crossings.append(Crossing(quotaID: id, threshold: 100, used: used, limit: limit)) }
        }
        for crossing in crossings {
            try await audit.record(
                AuditEvent(
                    .quotaThreshold, by: actor, teamID: teamID, target: .init(type: "quota", id: crossing.quotaID.lowercased),
                    detail: [
                        "threshold_percent": .number(Double(crossing.threshold)), "used": .number(Double(crossing.used)),
                        "limit": .number(Double(crossing.limit)),
                    ]),
                on: connection)
        }
        return crossings
    }
}

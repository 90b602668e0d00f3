import Foundation
import Logging
import MVAuth
import MVCore
import PostgresNIO

extension JobQueue {
    /// One job with its hold if the viewer created it (in the key's team, for API keys) or may read an asset it
    /// produced (jobs follow the rule of their outputs, `asset_permission`), else nil. One statement per burst of
    /// concurrent reads (``JobReadBatcher``).
    func job(id: UUID, viewer: AssetViewer) async throws -> JobRecord? {
        try await readBatcher.job(id: id, viewer: viewer)
    }

    /// The stored request of `userID`'s job admitted with `idempotencyKey`, if any (what a replay must present).
    func storedRequest(userID: UUID, idempotencyKey: String) async throws -> JSONValue? {
        let rows = try await client.query("""
            SELECT request FROM jobs WHERE user_id = \(userID) AND idempotency_key = \(idempotencyKey)
            """, logger: logger)
        for try await request in rows.decode(JSONB<JSONValue>.self) { return request.value }
        return nil
    }

    /// Filters of `GET /api/jobs`; nil means any.
    struct ListFilter: Sendable {
        var state: JobState?
        var kind: JobKind?
        var projectID: UUID?
        var createdAfter: Date?
        var createdBefore: Date?
        /// Keyset cursor: rows strictly older than this (created_at, id).
        var after: (createdAt: Date, id: UUID)?
        var limit: Int = 50
    }

    /// `viewer`'s jobs, newest first, one page, in one query (filters are bound parameters, never spliced).
    func jobs(viewer: AssetViewer, filter: ListFilter) async throws -> [JobRecord] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.recordColumns)
            FROM jobs j LEFT JOIN holds h ON h.job_id = j.id
            WHERE j.user_id = \(viewer.userID) AND (\(viewer.scopeTeamID)::uuid IS NULL OR j.team_id = \(viewer.scopeTeamID))
                AND (\(filter.state?.rawValue)::text IS NULL OR j.state = \(filter.state?.rawValue))
                AND (\(filter.kind?.rawValue)::text IS NULL OR j.kind = \(filter.kind?.rawValue))
                AND (\(filter.projectID)::uuid IS NULL OR j.project_id = \(filter.projectID))
                AND (\(filter.createdAfter)::timestamptz IS NULL OR j.created_at > \(filter.createdAfter))
                AND (\(filter.createdBefore)::timestamptz IS NULL OR j.created_at < \(filter.createdBefore))
                AND (\(filter.after?.createdAt)::timestamptz IS NULL
                     OR (j.created_at, j.id) < (\(filter.after?.createdAt), \(filter.after?.id)))
            ORDER BY j.created_at DESC, j.id DESC
            LIMIT \(min(max(filter.limit, 1), 100))
            """, logger: logger)
        var records: [JobRecord] = []
        for try await row in rows { records.append(try Self.record(row)) }
        return records
    }

    /// The columns ``record(_:)`` decodes, in its order, of `jobs j LEFT JOIN holds h ON h.job_id = j.id`.
    static let recordColumns = """
        j.id, j.kind, j.state, j.user_id, j.team_id, j.project_id, j.attempts, j.max_attempts, j.progress, j.stage,
            j.quoted, CASE WHEN h.status = 'open' THEN h.amount - h.captured ELSE 0 END, coalesce(h.captured, j.charged), j.released,
            j.result, j.error, j.provider_name, j.provider_model, j.created_at, j.started_at, j.finished_at
        """

    /// A row of ``recordColumns``.
    static func record(_ row: PostgresRow) throws -> JobRecord {
        let c = row.makeRandomAccess()
        return JobRecord(
            id: try c[0].decode(UUID.self),
            kind: try c[1].decode(JobKind.self),
            state: try c[2].decode(JobState.self),
            userID: try c[3].decode(UUID.self), teamID: try c[4].decode(UUID.self), projectID: try c[5].decode(UUID?.self),
            attempts: try c[6].decode(Int.self), maxAttempts: try c[7].decode(Int.self), progress: try c[8].decode(Double.self),
            stage: try c[9].decode(String.self), quoted: try c[10].decode(Int64.self), held: try c[11].decode(Int64.self),
            charged: try c[12].decode(Int64.self), released: try c[13].decode(Int64.self),
            result: try c[14].decode(JSONB<JSONValue>?.self)?.value, failure: try c[15].decode(JSONB<JobFailure>?.self)?.value,
            providerName: try c[16].decode(String?.self), providerModel: try c[17].decode(String?.self),
            createdAt: try c[18].decode(Date.self), startedAt: try c[19].decode(Date?.self), finishedAt: try c[20].decode(Date?.self))
    }
}

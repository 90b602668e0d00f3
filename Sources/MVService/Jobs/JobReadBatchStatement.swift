import Foundation
import MVAuth
import PostgresNIO

/// The one statement of single-job reads (`GET /api/jobs/{id}`, through ``JobReadBatcher``): for each (job, viewer)
/// pair of a batch, the job with its hold if the viewer created it (in the key's team, for API keys) or may read an
/// asset it produced (`asset_permission`, the one access rule, called with the viewer's user and key scope exactly as
/// `\(permissionOf:)` writes it). Each row carries its pair's position in the batch (1-based); a pair the viewer may
/// not read has no row.
///
/// Prepared once per pooled connection and executed by name after that: PostgreSQL spends far more time planning this
/// query (the asset rule inlined into the OR) than running it. The arrays are read through scalar subqueries so that
/// the planner cannot see their length: given the array itself, each custom plan costs fewer rows than the generic
/// plan, so PostgreSQL kept planning every execution anew (73 % of its CPU during the read benchmark); blind to the
/// length, both cost the same and the cached generic plan is used after the first five.
struct JobReadBatchStatement: PostgresPreparedStatement {
    /// The statement's name on each connection, a constant: postgres-nio's default, `String(reflecting:)` of the
    /// type, was built anew on every execution.
    static let name = "MVService.JobReadBatchStatement"
    static let sql = """
        SELECT \(JobQueue.recordColumns), r.n
        FROM unnest((SELECT $1::uuid[]), (SELECT $2::uuid[]), (SELECT $3::uuid[])) WITH ORDINALITY AS r (id, viewer, raw_scope, n)
        CROSS JOIN LATERAL (SELECT NULLIF(r.raw_scope, '00000000-0000-0000-0000-000000000000'::uuid) AS team) AS scope
        JOIN jobs j ON j.id = r.id
        LEFT JOIN holds h ON h.job_id = j.id
        WHERE (j.user_id = r.viewer AND (scope.team IS NULL OR j.team_id = scope.team))
            OR EXISTS (
                SELECT 1 FROM assets a
                WHERE a.job_id = j.id AND a.deleted_at IS NULL
                    AND asset_permission(a.owner_id, a.team_id, a.id, r.viewer, scope.team) <> 'none')
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuidArray, .uuidArray, .uuidArray]

    /// The position of ``Row``'s pair in the batch (0-based) and the job.
    typealias Row = (index: Int, record: JobRecord)

    /// The nil UUID stands for "no key scope" in the scope array (a UUID array has no NULL elements here).
    static let noScope = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// The pairs to read, in order.
    var reads: [(id: UUID, viewer: AssetViewer)]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(reads.map(\.id))
        bindings.append(reads.map(\.viewer.userID))
        bindings.append(reads.map { $0.viewer.scopeTeamID ?? Self.noScope })
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let position = try row.makeRandomAccess()[21].decode(Int64.self)
        return (Int(position) - 1, try JobQueue.record(row))
    }
}

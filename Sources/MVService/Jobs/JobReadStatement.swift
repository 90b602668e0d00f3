import Foundation
import MVAuth
import PostgresNIO

/// `GET /api/jobs/{id}`'s one statement: the job with its hold if the viewer created it (in the key's team, for API
/// keys) or may read an asset it produced (`asset_permission`, the one access rule, called with the viewer's user and
/// key scope exactly as `\(permissionOf:)` writes it).
///
/// Prepared once per pooled connection and executed by name after that: PostgreSQL spends more time planning this
/// query (the asset rule inlined into the OR) than running it, so the hot read pays the plan once per connection,
/// not once per request.
struct JobReadStatement: PostgresPreparedStatement {
    static let sql = """
        SELECT \(JobQueue.recordColumns)
        FROM jobs j LEFT JOIN holds h ON h.job_id = j.id
        WHERE j.id = $1
            AND ((j.user_id = $2 AND ($3::uuid IS NULL OR j.team_id = $3))
                OR EXISTS (
                    SELECT 1 FROM assets a
                    WHERE a.job_id = j.id AND a.deleted_at IS NULL AND asset_permission(a.owner_id, a.team_id, a.id, $2, $3::uuid) <> 'none'))
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid, .uuid]

    typealias Row = JobRecord

    var id: UUID
    var viewer: AssetViewer

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 3)
        bindings.append(id)
        bindings.append(viewer.userID)
        if let team = viewer.scopeTeamID { bindings.append(team) } else { bindings.appendNull() }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> JobRecord { try JobQueue.record(row) }
}

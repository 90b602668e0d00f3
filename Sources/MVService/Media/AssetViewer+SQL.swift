import MVAuth
import PostgresNIO

extension PostgresQuery.StringInterpolation {
    /// `asset_permission(a.owner_id, a.team_id, a.id, <user>, <key team>)` for the asset row aliased `a`, with the
    /// viewer's ids bound as parameters: THE access rule (sql/011, narrowed for API keys by sql/012) in one place.
    mutating func appendInterpolation(permissionOf viewer: AssetViewer) {
        appendLiteral("asset_permission(a.owner_id, a.team_id, a.id, ")
        appendInterpolation(viewer.userID)
        appendLiteral(", ")
        appendInterpolation(viewer.scopeTeamID)
        appendLiteral("::uuid)")
    }
}

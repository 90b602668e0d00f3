import Foundation
import MVAuth
import MVCore
import PostgresNIO

extension AssetStore {
    /// `owner=` of the asset lists: whose assets, among the visible ones.
    enum OwnerScope: String, CaseIterable, Sendable {
        /// Created by the caller.
        case me
        /// In the team the request acts for.
        case team
        /// Visible through a grant (to the caller or to a team of theirs) and not the caller's own.
        case shared
    }

    /// Filters of `GET /api/mv/videos` and friends; nil means any.
    struct ListFilter: Sendable {
        var owner: OwnerScope?
        /// The team the request acts for (``OwnerScope/team``).
        var teamID: UUID?
        /// Full-text query over title and prompt (`websearch_to_tsquery` syntax).
        var text: String?
        var projectID: UUID?
        var createdAfter: Date?
        var createdBefore: Date?
        /// Every one of these tags.
        var tags: [String]?
        /// Keyset cursor: rows strictly older than this (created_at, id).
        var after: (createdAt: Date, id: UUID)?
        var limit: Int = 50
    }

    /// One page of the live assets of `kind` that `viewer` may read, newest first, in ONE query: the visibility rule is
    /// the same `asset_permission` the id routes use, applied in SQL before `LIMIT`, so pages neither leak nor skip.
    func list(kind: AssetKind, viewer: AssetViewer, filter: ListFilter) async throws -> [Asset] {
        let owner = filter.owner?.rawValue
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns), \(permissionOf: viewer)
            FROM assets a
            WHERE a.kind = \(kind.rawValue) AND a.deleted_at IS NULL
                AND \(permissionOf: viewer) <> 'none'
                AND (\(owner)::text IS NULL
                    OR (\(owner) = 'me' AND a.owner_id = \(viewer.userID))
                    OR (\(owner) = 'team' AND a.team_id = \(filter.teamID))
                    OR (\(owner) = 'shared' AND a.owner_id <> \(viewer.userID) AND EXISTS (
                        SELECT 1 FROM asset_grants g
                        WHERE g.asset_id = a.id AND ((g.principal_type = 'user' AND g.principal_id = \(viewer.userID))
                            OR (g.principal_type = 'team' AND g.principal_id IN (
                                SELECT m.team_id FROM memberships m WHERE m.user_id = \(viewer.userID)))))))
                AND (\(filter.text)::text IS NULL OR a.search @@ websearch_to_tsquery('english', \(filter.text)))
                AND (\(filter.projectID)::uuid IS NULL OR a.project_id = \(filter.projectID))
                AND (\(filter.createdAfter)::timestamptz IS NULL OR a.created_at > \(filter.createdAfter))
                AND (\(filter.createdBefore)::timestamptz IS NULL OR a.created_at < \(filter.createdBefore))
                AND (\(filter.tags)::text[] IS NULL OR a.tags @> \(filter.tags))
                AND (\(filter.after?.createdAt)::timestamptz IS NULL
                     OR (a.created_at, a.id) < (\(filter.after?.createdAt), \(filter.after?.id)))
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT \(min(max(filter.limit, 1), 100))
            """, logger: logger)
        var assets: [Asset] = []
        for try await row in rows { assets.append(try Self.decode(row)) }
        return assets
    }
}

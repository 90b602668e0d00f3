import Foundation
import MVAuth
import MVCore
import PostgresNIO

extension AssetStore {
    /// The live videos `ids` in the order given, each readable by `viewer` and with a blob, in one query; nil when any
    /// of them is not (missing, deleted, another kind, or not visible), without saying which.
    func readableVideos(ids: [UUID], viewer: AssetViewer) async throws -> [Asset]? {
        guard !ids.isEmpty else { return [] }
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns), \(permissionOf: viewer)
            FROM assets a
            WHERE a.id = ANY(\(ids)) AND a.kind = 'video' AND a.sha256 IS NOT NULL AND a.deleted_at IS NULL
                AND \(permissionOf: viewer) <> 'none'
            """, logger: logger)
        var found: [UUID: Asset] = [:]
        for try await row in rows {
            let asset = try Self.decode(row)
            found[asset.id] = asset
        }
        let ordered = ids.compactMap { found[$0] }
        return ordered.count == ids.count ? ordered : nil
    }
}

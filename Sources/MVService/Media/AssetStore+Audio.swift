import Foundation
import MVAuth
import MVCore
import PostgresNIO

extension AssetStore {
    /// The live audio upload `id` if `viewer` may read it, else nil. An audio upload is an `upload` asset whose
    /// content type (decided from its bytes at upload) is `audio/*`; its `metadata.duration_seconds` is its length.
    func readableAudio(id: UUID, viewer: AssetViewer) async throws -> Asset? {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns), \(permissionOf: viewer)
            FROM assets a
            WHERE a.id = \(id) AND a.kind = 'upload' AND a.content_type LIKE 'audio/%' AND a.sha256 IS NOT NULL
                AND a.deleted_at IS NULL AND \(permissionOf: viewer) <> 'none'
            """, logger: logger)
        for try await row in rows { return try Self.decode(row) }
        return nil
    }
}

import Foundation
import MVAuth
import MVCore
import PostgresNIO

extension AssetStore {
    /// Stores an upload whose blob is already in the media store, in ONE transaction: when the team already holds a
    /// live upload of the same bytes (same sha256) that `viewer` may read, that upload is returned and nothing is
    /// written; else the blob row (once per hash, ``insert(_:on:)``), the asset row and `upload.created` are written.
    /// Two identical uploads racing may both create an asset; they share the one blob.
    /// - Returns: The upload as `viewer` sees it, and whether it was created now.
    /// - Throws: ``AssetError/blobVanished`` when the sweeper removed the blob's file meanwhile (send again).
    func storeUpload(_ upload: NewAsset, viewer: AssetViewer, by actor: AuditEvent.Actor) async throws -> (asset: Asset, created: Bool) {
        precondition(upload.kind == .upload && upload.blob != nil, "an upload has a blob")
        return try await client.transaction(logger: logger) { connection in
            let existing = try await connection.query("""
                SELECT \(unescaped: Self.columns), \(permissionOf: viewer)
                FROM assets a
                WHERE a.kind = 'upload' AND a.team_id = \(upload.teamID) AND a.sha256 = \(upload.blob?.sha256)
                    AND a.deleted_at IS NULL AND \(permissionOf: viewer) <> 'none'
                ORDER BY a.created_at, a.id
                LIMIT 1
                """, logger: logger)
            for try await row in existing { return (try Self.decode(row), false) }
            try await insert(upload, on: connection)
            try await AuditLog(logger: logger).record(
                AuditEvent(
                    .uploadCreated, by: actor, teamID: upload.teamID, target: .init(type: AssetKind.upload.rawValue, id: upload.id.lowercased),
                    detail: [
                        "sha256": .string(upload.blob?.sha256 ?? ""), "content_type": .string(upload.blob?.contentType ?? ""),
                        "size": .number(Double(upload.blob?.size ?? 0)),
                    ]),
                on: connection)
            let created = try await connection.query("""
                SELECT \(unescaped: Self.columns), \(permissionOf: viewer)
                FROM assets a WHERE a.id = \(upload.id)
                """, logger: logger)
            for try await row in created { return (try Self.decode(row), true) }
            throw AssetError.notFound(.upload)
        }
    }
}

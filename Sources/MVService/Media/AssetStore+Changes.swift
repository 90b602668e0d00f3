import Foundation
import MVAuth
import MVCore
import PostgresNIO

extension AssetStore {
    /// The asset `id` of `kind` whether live or deleted, if `viewer` may read it (restore needs to see deleted rows).
    func anyAsset(id: UUID, kind: AssetKind, viewer: AssetViewer) async throws -> Asset? {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns), \(permissionOf: viewer)
            FROM assets a
            WHERE a.id = \(id) AND a.kind = \(kind.rawValue)
                AND \(permissionOf: viewer) <> 'none'
            """, logger: logger)
        for try await row in rows { return try Self.decode(row) }
        return nil
    }

    /// Sets `title` and/or `tags` (nil: unchanged) in ONE guarded statement: the row must be live and the caller's
    /// permission, evaluated in the same statement, at least `edit`. Nothing else of the row is writable.
    /// - Throws: ``AssetError/notFound(_:)`` when the guard fails (deleted or access lost meanwhile).
    func update(id: UUID, kind: AssetKind, title: String?, tags: [String]?, viewer: AssetViewer) async throws -> Asset {
        let rows = try await client.query("""
            UPDATE assets a SET
                title = coalesce(\(title), a.title),
                tags = coalesce(\(tags)::text[], a.tags)
            WHERE a.id = \(id) AND a.kind = \(kind.rawValue) AND a.deleted_at IS NULL
                AND \(permissionOf: viewer) IN ('edit', 'manage')
            RETURNING \(unescaped: Self.columns), \(permissionOf: viewer)
            """, logger: logger)
        for try await row in rows { return try Self.decode(row) }
        throw AssetError.notFound(kind)
    }

    /// Soft-deletes the asset (gone for everyone at once) and records `asset.deleted`, in one transaction whose UPDATE
    /// carries the guard (live, caller's permission at least `edit`).
    /// - Throws: ``AssetError/notFound(_:)`` when the guard fails.
    func softDelete(id: UUID, kind: AssetKind, by actor: AuditEvent.Actor, viewer: AssetViewer) async throws {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                UPDATE assets a SET deleted_at = now(), deleted_by = \(viewer.userID)
                WHERE a.id = \(id) AND a.kind = \(kind.rawValue) AND a.deleted_at IS NULL
                    AND \(permissionOf: viewer) IN ('edit', 'manage')
                RETURNING a.team_id
                """, logger: logger)
            var teamID: UUID?
            for try await team in rows.decode(UUID.self) { teamID = team }
            guard let teamID else { throw AssetError.notFound(kind) }
            try await AuditLog(logger: logger).record(
                AuditEvent(.assetDeleted, by: actor, teamID: teamID, target: .init(type: kind.rawValue, id: id.lowercased)),
                on: connection)
        }
    }

    /// Undoes a soft delete within `window`, recording `asset.restored`, in one transaction whose UPDATE carries the
    /// guard (deleted less than `window` ago, caller's permission at least `edit`).
    /// - Throws: ``AssetError/notFound(_:)`` when the guard fails.
    func restore(id: UUID, kind: AssetKind, window: Duration, by actor: AuditEvent.Actor, viewer: AssetViewer) async throws -> Asset {
        let seconds = Double(window.components.seconds)
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                UPDATE assets a SET deleted_at = NULL, deleted_by = NULL
                WHERE a.id = \(id) AND a.kind = \(kind.rawValue) AND a.deleted_at IS NOT NULL
                    AND a.deleted_at > now() - make_interval(secs => \(seconds))
                    AND \(permissionOf: viewer) IN ('edit', 'manage')
                RETURNING \(unescaped: Self.columns), \(permissionOf: viewer)
                """, logger: logger)
            var restored: Asset?
            for try await row in rows { restored = try Self.decode(row) }
            guard let restored else { throw AssetError.notFound(kind) }
            try await AuditLog(logger: logger).record(
                AuditEvent(.assetRestored, by: actor, teamID: restored.teamID, target: .init(type: kind.rawValue, id: id.lowercased)),
                on: connection)
            return restored
        }
    }
}

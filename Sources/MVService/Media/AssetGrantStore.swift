import Foundation
import Logging
import MVAuth
import MVCore
import PostgresNIO

/// The access lists of assets (`asset_grants`). What a grant gives is decided by `asset_permission` in SQL (the rule
/// of ``AssetAccess``); this store only reads and replaces the lists.
struct AssetGrantStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    /// The grants of `assetID`, users first, then teams, by id.
    func grants(assetID: UUID) async throws -> [AssetGrant] {
        try await client.withConnection { connection in try await grants(assetID: assetID, on: connection) }
    }

    /// Replaces the access list of `assetID` with `grants` and records `acl.changed` (old and new lists), in one
    /// transaction that first locks the asset row under the guard "live, and `viewer`'s permission at least `edit`".
    /// - Throws: ``AssetError/notFound(_:)`` when the guard fails; ``AssetError/unknownGrantee(field:)`` naming the
    ///   first grant whose user or team does not exist.
    func replace(assetID: UUID, with grants: [AssetGrant], viewer: AssetViewer, by actor: AuditEvent.Actor) async throws -> [AssetGrant] {
        try await client.transaction(logger: logger) { connection in
            let locked = try await connection.query("""
                SELECT a.team_id, a.kind FROM assets a
                WHERE a.id = \(assetID) AND a.deleted_at IS NULL
                    AND \(permissionOf: viewer) IN ('edit', 'manage')
                FOR UPDATE
                """, logger: logger)
            var asset: (UUID, AssetKind)?
            for try await row in locked.decode((UUID, AssetKind).self) { asset = row }
            guard let (teamID, kind) = asset else { throw AssetError.notFound(nil) }
            let known = try await existing(grants, on: connection)
            if let index = grants.firstIndex(where: { !known.contains("\($0.principal.rawValue):\($0.id.lowercased)") }) {
                throw AssetError.unknownGrantee(field: "grants[\(index)].id")
            }
            let before = try await self.grants(assetID: assetID, on: connection)
            try await connection.query("DELETE FROM asset_grants WHERE asset_id = \(assetID)", logger: logger)
            try await connection.query("""
                INSERT INTO asset_grants (asset_id, principal_type, principal_id, permission, granted_by)
                SELECT \(assetID), t, i, p, \(viewer.userID)
                FROM unnest(\(grants.map(\.principal.rawValue))::text[], \(grants.map(\.id))::uuid[],
                    \(grants.map(\.permission.rawValue))::text[]) AS g (t, i, p)
                """, logger: logger)
            let after = try await self.grants(assetID: assetID, on: connection)
            try await AuditLog(logger: logger).record(
                AuditEvent(
                    .aclChanged, by: actor, teamID: teamID, target: .init(type: kind.rawValue, id: assetID.lowercased),
                    detail: ["before": Self.json(before), "after": Self.json(after)]),
                on: connection)
            return after
        }
    }

    /// `user:<id>` and `team:<id>` for the grantees of `grants` that exist.
    private func existing(_ grants: [AssetGrant], on connection: PostgresConnection) async throws -> Set<String> {
        let users = grants.filter { $0.principal == .user }.map(\.id)
        let teams = grants.filter { $0.principal == .team }.map(\.id)
        let rows = try await connection.query("""
            SELECT 'user:' || id::text FROM users WHERE id = ANY(\(users)::uuid[])
            UNION ALL SELECT 'team:' || id::text FROM teams WHERE id = ANY(\(teams)::uuid[])
            """, logger: logger)
        var found: Set<String> = []
        for try await key in rows.decode(String.self) { found.insert(key) }
        return found
    }

    private func grants(assetID: UUID, on connection: PostgresConnection) async throws -> [AssetGrant] {
        let rows = try await connection.query("""
            SELECT principal_type, principal_id, permission FROM asset_grants
            WHERE asset_id = \(assetID) ORDER BY principal_type DESC, principal_id
            """, logger: logger)
        var grants: [AssetGrant] = []
        for try await (type, id, permission) in rows.decode((GrantPrincipalType, UUID, GrantPermission).self) {
            grants.append(AssetGrant(principal: type, id: id, permission: permission))
        }
        return grants
    }

    private static func json(_ grants: [AssetGrant]) -> JSONValue {
        .array(grants.map { .object(["principal": .string($0.principal.rawValue), "id": .string($0.id.lowercased), "permission": .string($0.permission.rawValue)]) })
    }
}

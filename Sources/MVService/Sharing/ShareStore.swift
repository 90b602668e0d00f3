import Foundation
import Logging
import MVAuth
import MVCore
import PostgresNIO

/// Share links (`asset_shares`): created, listed and revoked by those who may share the asset, and redeemed by
/// anyone holding a valid token. Every change and every access is audited in the transaction that makes it.
struct ShareStore: Sendable {
    let client: PostgresClient
    let secret: ServerSecret
    let logger: Logger

    /// A share link as stored.
    struct Share: Sendable {
        var id: UUID
        var assetID: UUID
        var createdBy: UUID
        var expiresAt: Date
        var maxDownloads: Int?
        var downloadsLeft: Int?
        var downloads: Int
        var revokedAt: Date?
        var createdAt: Date
    }

    private static let columns = """
        s.id, s.asset_id, s.created_by, s.expires_at, s.max_downloads, s.downloads_left, s.downloads, s.revoked_at, s.created_at
        """

    private static func share(_ row: (UUID, UUID, UUID, Date, Int?, Int?, Int, Date?, Date)) -> Share {
        Share(
            id: row.0, assetID: row.1, createdBy: row.2, expiresAt: row.3, maxDownloads: row.4, downloadsLeft: row.5, downloads: row.6,
            revokedAt: row.7, createdAt: row.8)
    }

    /// The `/s/{token}` path of a share.
    func path(of share: Share) -> String {
        "/s/" + ShareToken.sign(shareID: share.id, assetID: share.assetID, expiresAt: Self.seconds(share.expiresAt), secret: secret)
    }

    /// Creates a link to `assetID` that works for `expiresIn` seconds (and at most `maxDownloads` downloads), recording
    /// `share.created`, in one transaction whose INSERT carries the guard: the asset is live, has content, and
    /// `viewer`'s permission is at least `edit`.
    /// - Throws: ``AssetError/notFound(_:)`` when the guard fails.
    func create(assetID: UUID, expiresIn: Int, maxDownloads: Int?, viewer: AssetViewer, by actor: AuditEvent.Actor) async throws -> Share {
        let id = UUID()
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                INSERT INTO asset_shares AS s (id, asset_id, created_by, expires_at, max_downloads, downloads_left)
                SELECT \(id), a.id, \(viewer.userID), date_trunc('second', now()) + make_interval(secs => \(Double(expiresIn))),
                    \(maxDownloads), \(maxDownloads)
                FROM assets a
                WHERE a.id = \(assetID) AND a.deleted_at IS NULL AND a.sha256 IS NOT NULL
                    AND \(permissionOf: viewer) IN ('edit', 'manage')
                RETURNING \(unescaped: Self.columns), (SELECT team_id FROM assets WHERE id = s.asset_id)
                """, logger: logger)
            var created: (Share, UUID)?
            for try await row in rows.decode((UUID, UUID, UUID, Date, Int?, Int?, Int, Date?, Date, UUID).self) {
                created = (Self.share((row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8)), row.9)
            }
            guard let (share, teamID) = created else { throw AssetError.notFound(nil) }
            var detail: [String: JSONValue] = [
                "asset_id": .string(assetID.lowercased), "expires_at": .string(RFC3339.string(from: share.expiresAt)),
            ]
            if let maxDownloads { detail["max_downloads"] = .number(Double(maxDownloads)) }
            try await AuditLog(logger: logger).record(
                AuditEvent(.shareCreated, by: actor, teamID: teamID, target: .init(type: "share", id: id.lowercased), detail: detail),
                on: connection)
            return share
        }
    }

    /// The links of `assetID`, newest first (the caller has checked it may share the asset).
    func shares(assetID: UUID) async throws -> [Share] {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns) FROM asset_shares s WHERE s.asset_id = \(assetID) ORDER BY s.created_at DESC, s.id DESC
            """, logger: logger)
        var shares: [Share] = []
        for try await row in rows.decode((UUID, UUID, UUID, Date, Int?, Int?, Int, Date?, Date).self) { shares.append(Self.share(row)) }
        return shares
    }

    /// The live asset a share belongs to and `viewer`'s permission on it, or nil when either is not visible.
    func owner(ofShare shareID: UUID, viewer: AssetViewer) async throws -> (assetID: UUID, permission: AssetPermission)? {
        let rows = try await client.query("""
            SELECT s.asset_id, \(permissionOf: viewer)
            FROM asset_shares s JOIN assets a ON a.id = s.asset_id
            WHERE s.id = \(shareID) AND a.deleted_at IS NULL
            """, logger: logger)
        for try await (assetID, permission) in rows.decode((UUID, AssetPermission).self) where permission != .none {
            return (assetID, permission)
        }
        return nil
    }

    /// Revokes the live link `shareID`, recording `share.revoked`, in one transaction whose UPDATE carries the guard
    /// (not yet revoked; `viewer`'s permission on the asset at least `edit`).
    /// - Throws: ``AssetError/shareNotFound`` when the guard fails.
    func revoke(shareID: UUID, viewer: AssetViewer, by actor: AuditEvent.Actor) async throws {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                UPDATE asset_shares s SET revoked_at = now(), revoked_by = \(viewer.userID)
                FROM assets a
                WHERE s.id = \(shareID) AND s.revoked_at IS NULL AND a.id = s.asset_id AND a.deleted_at IS NULL
                    AND \(permissionOf: viewer) IN ('edit', 'manage')
                RETURNING a.team_id, s.asset_id
                """, logger: logger)
            var revoked: (UUID, UUID)?
            for try await row in rows.decode((UUID, UUID).self) { revoked = row }
            guard let (teamID, assetID) = revoked else { throw AssetError.shareNotFound }
            try await AuditLog(logger: logger).record(
                AuditEvent(
                    .shareRevoked, by: actor, teamID: teamID, target: .init(type: "share", id: shareID.lowercased),
                    detail: ["asset_id": .string(assetID.lowercased)]),
                on: connection)
        }
    }

    /// Redeems `text` for the content of its asset: parses the token, checks its MAC (constant time) against the share
    /// row's asset, then the row (revoked or expired → gone; no downloads left → not found). A `GET` (`counts`) takes one
    /// download in ONE guarded UPDATE; every access, counted or not, is audited as `share.accessed` with its origin.
    /// - Throws: ``AssetError/shareNotFound`` (unknown, tampered, exhausted, asset deleted), ``AssetError/shareGone``.
    func redeem(_ text: String, counts: Bool, origin: AuditEvent.Origin) async throws -> AssetStore.Asset {
        guard let token = ShareToken(text) else { throw AssetError.shareNotFound }
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                SELECT s.asset_id, s.expires_at, s.revoked_at IS NOT NULL, s.expires_at <= now(), s.downloads_left,
                    \(unescaped: AssetStore.columns)
                FROM asset_shares s JOIN assets a ON a.id = s.asset_id
                WHERE s.id = \(token.shareID)
                """, logger: logger)
            var found: (assetID: UUID, expiresAt: Date, revoked: Bool, expired: Bool, left: Int?, asset: AssetStore.Asset)?
            for try await row in rows {
                let c = row.makeRandomAccess()
                found = (
                    try c[0].decode(UUID.self), try c[1].decode(Date.self), try c[2].decode(Bool.self), try c[3].decode(Bool.self),
                    try c[4].decode(Int?.self), try AssetStore.decode(row, offset: 5, permission: .view)
                )
            }
            guard let found, token.isValid(assetID: found.assetID, secret: secret), token.expiresAt == Self.seconds(found.expiresAt)
            else { throw AssetError.shareNotFound }
            if found.revoked || found.expired { throw AssetError.shareGone }
            guard found.asset.deletedAt == nil, found.left != 0 else { throw AssetError.shareNotFound }
            var left = found.left
            if counts {
                let taken = try await connection.query("""
                    UPDATE asset_shares SET downloads = downloads + 1, downloads_left = downloads_left - 1
                    WHERE id = \(token.shareID) AND revoked_at IS NULL AND expires_at > now()
                        AND (downloads_left IS NULL OR downloads_left > 0)
                    RETURNING downloads_left
                    """, logger: logger)
                var updated = false
                for try await value in taken.decode(Int?.self) {
                    updated = true
                    left = value
                }
                guard updated else { throw AssetError.shareNotFound }
            }
            var detail: [String: JSONValue] = ["asset_id": .string(found.assetID.lowercased), "counted": .bool(counts)]
            if let left { detail["downloads_left"] = .number(Double(left)) }
            try await AuditLog(logger: logger).record(
                AuditEvent(
                    .shareAccessed, actorUserID: nil, teamID: found.asset.teamID, target: .init(type: "share", id: token.shareID.lowercased),
                    origin: origin, detail: detail),
                on: connection)
            return found.asset
        }
    }

    /// Whole seconds since 1970 (expiries are stored truncated to the second).
    static func seconds(_ date: Date) -> Int64 {
        Int64(date.timeIntervalSince1970.rounded())
    }
}

import Foundation
import Logging
import MVAuth
import MVBackends
import MVCore
import PostgresNIO

/// Asset rows (videos, images, scene sets, uploads) and their blobs. Every read filters with the SQL function
/// `asset_permission` (sql/011, the rule of ``AssetAccess``) and returns the caller's permission with the row, so a
/// route never filters in Swift: what the query does not return is 404.
struct AssetStore: Sendable {
    let client: PostgresClient
    /// Where the blobs' files are (``insert(_:on:)`` checks a reused blob's file is still there).
    let media: any MediaStore
    let logger: Logger

    /// A row to insert.
    struct NewAsset: Sendable {
        var id: UUID
        var kind: AssetKind
        var ownerID: UUID
        var teamID: UUID
        var jobID: UUID?
        var projectID: UUID?
        var blob: StoredBlob?
        var title: String?
        var metadata: JSONValue
    }

    /// An asset as read, with the caller's permission.
    struct Asset: Sendable {
        var id: UUID
        var kind: AssetKind
        var ownerID: UUID
        var teamID: UUID
        var jobID: UUID?
        var projectID: UUID?
        var sha256: String?
        var contentType: String?
        var size: Int64?
        var title: String?
        var tags: [String]
        var metadata: JSONValue
        var createdAt: Date
        var deletedAt: Date?
        /// The caller's permission, from `asset_permission` in the same query.
        var permission: AssetPermission
    }

    /// The columns ``decode(_:)`` reads from `assets a` (a constant), before the caller's
    /// `asset_permission(a.owner_id, a.team_id, a.id, user)`.
    static let columns = """
        a.id, a.kind, a.owner_id, a.team_id, a.job_id, a.project_id, a.sha256, a.content_type, a.size, a.title, a.tags,
            a.metadata, a.created_at, a.deleted_at
        """

    /// One row of ``columns`` starting at column `offset`, followed by the permission unless `permission` is given.
    static func decode(_ row: PostgresRow, offset o: Int = 0, permission: AssetPermission? = nil) throws -> Asset {
        let c = row.makeRandomAccess()
        return Asset(
            id: try c[o].decode(UUID.self), kind: try c[o + 1].decode(AssetKind.self), ownerID: try c[o + 2].decode(UUID.self),
            teamID: try c[o + 3].decode(UUID.self), jobID: try c[o + 4].decode(UUID?.self), projectID: try c[o + 5].decode(UUID?.self),
            sha256: try c[o + 6].decode(String?.self), contentType: try c[o + 7].decode(String?.self), size: try c[o + 8].decode(Int64?.self),
            title: try c[o + 9].decode(String?.self), tags: try c[o + 10].decode([String].self),
            metadata: try c[o + 11].decode(JSONB<JSONValue>.self).value, createdAt: try c[o + 12].decode(Date.self),
            deletedAt: try c[o + 13].decode(Date?.self), permission: try permission ?? c[o + 14].decode(AssetPermission.self))
    }

    /// Creates the store.
    init(client: PostgresClient, media: any MediaStore, logger: Logger) {
        self.client = client
        self.media = media
        self.logger = logger
    }

    /// Inserts the blob (once per hash) and the asset row on `connection`.
    ///
    /// The blob row is inserted or, when the bytes are known already, locked (`ON CONFLICT DO UPDATE`) before its file
    /// is checked: ``AssetSweeper`` removes a blob's file only while its DELETE holds that row, so after this statement
    /// the file is either there to stay until commit, or gone for good, and then the insert refuses.
    /// - Throws: ``AssetError/blobVanished`` when the sweeper removed the file the blob names (retry with fresh bytes).
    func insert(_ asset: NewAsset, on connection: PostgresConnection) async throws {
        if let blob = asset.blob {
            try await connection.query("""
                INSERT INTO blobs (sha256, size, content_type) VALUES (\(blob.sha256), \(blob.size), \(blob.contentType))
                ON CONFLICT (sha256) DO UPDATE SET size = EXCLUDED.size
                """, logger: logger)
            guard FileManager.default.fileExists(atPath: media.path(of: blob.sha256)) else { throw AssetError.blobVanished }
        }
        try await connection.query("""
            INSERT INTO assets (id, kind, owner_id, team_id, job_id, project_id, sha256, content_type, size, title, metadata)
            VALUES (\(asset.id), \(asset.kind), \(asset.ownerID), \(asset.teamID), \(asset.jobID), \(asset.projectID),
                \(asset.blob?.sha256), \(asset.blob?.contentType), \(asset.blob?.size), \(asset.title), \(JSONB(asset.metadata)))
            """, logger: logger)
    }

    /// The live asset `id` (of `kind`, when given) if `viewer` may read it, with their permission; else nil.
    func asset(id: UUID, kind: AssetKind?, viewer: AssetViewer) async throws -> Asset? {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns), \(permissionOf: viewer)
            FROM assets a
            WHERE a.id = \(id) AND (\(kind?.rawValue)::text IS NULL OR a.kind = \(kind?.rawValue)) AND a.deleted_at IS NULL
                AND \(permissionOf: viewer) <> 'none'
            """, logger: logger)
        for try await row in rows { return try Self.decode(row) }
        return nil
    }

    /// What may serve as a reference image, for the row aliased `a` (a constant): a generated image, or an upload whose
    /// content type (decided from its bytes) is an image. An audio upload is never a reference image.
    static let referenceImagePredicate = "(a.kind = 'image' OR (a.kind = 'upload' AND a.content_type LIKE 'image/%'))"

    /// Which of `ids` are live images or image uploads `viewer` may read.
    func readableImageIDs(_ ids: [UUID], viewer: AssetViewer) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await client.query("""
            SELECT id FROM assets a
            WHERE a.id = ANY(\(ids)) AND \(unescaped: Self.referenceImagePredicate) AND a.deleted_at IS NULL
                AND \(permissionOf: viewer) <> 'none'
            """, logger: logger)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }

    /// The live image or image upload `id` if `viewer` may read it, else nil.
    func readableImage(id: UUID, viewer: AssetViewer) async throws -> Asset? {
        let rows = try await client.query("""
            SELECT \(unescaped: Self.columns), \(permissionOf: viewer)
            FROM assets a
            WHERE a.id = \(id) AND \(unescaped: Self.referenceImagePredicate) AND a.deleted_at IS NULL
                AND \(permissionOf: viewer) <> 'none'
            """, logger: logger)
        for try await row in rows { return try Self.decode(row) }
        return nil
    }

    /// Local files of the reference images, in the order given.
    func referenceFiles(ids: [UUID], viewer: AssetViewer, media: any MediaStore) async throws -> [MediaFile] {
        var files: [MediaFile] = []
        for id in ids {
            let asset = try await readableImage(id: id, viewer: viewer)
            guard let asset, let sha = asset.sha256 else {
                throw AttemptFailure(JobFailure(.invalidInput, "Reference image \(id.lowercased) is no longer available."), retry: false)
            }
            files.append(MediaFile(path: media.path(of: sha), contentType: asset.contentType ?? "image/png"))
        }
        return files
    }
}

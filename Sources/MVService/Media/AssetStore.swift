import Foundation
import Logging
import MVBackends
import MVCore
import PostgresNIO

/// Asset rows (videos, images, scene sets) and their blobs. Reads are owner-scoped: anyone else gets nothing,
/// which the routes turn into 404.
struct AssetStore: Sendable {
    let client: PostgresClient
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

    /// An asset as read.
    struct Asset: Sendable {
        var id: UUID
        var kind: AssetKind
        var ownerID: UUID
        var teamID: UUID
        var jobID: UUID?
        var sha256: String?
        var contentType: String?
        var size: Int64?
        var title: String?
        var metadata: JSONValue
        var createdAt: Date
    }

    /// Creates the store.
    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts the blob (once per hash) and the asset row on `connection`.
    func insert(_ asset: NewAsset, on connection: PostgresConnection) async throws {
        if let blob = asset.blob {
            try await connection.query("""
                INSERT INTO blobs (sha256, size, content_type) VALUES (\(blob.sha256), \(blob.size), \(blob.contentType))
                ON CONFLICT (sha256) DO NOTHING
                """, logger: logger)
        }
        try await connection.query("""
            INSERT INTO assets (id, kind, owner_id, team_id, job_id, project_id, sha256, content_type, size, title, metadata)
            VALUES (\(asset.id), \(asset.kind), \(asset.ownerID), \(asset.teamID), \(asset.jobID), \(asset.projectID),
                \(asset.blob?.sha256), \(asset.blob?.contentType), \(asset.blob?.size), \(asset.title), \(JSONB(asset.metadata)))
            """, logger: logger)
    }

    /// The asset `id` of `kind` if `userID` may read it (owner only for now), else nil.
    func asset(id: UUID, kind: AssetKind, userID: UUID) async throws -> Asset? {
        let rows = try await client.query("""
            SELECT id, kind, owner_id, team_id, job_id, sha256, content_type, size, title, metadata, created_at
            FROM assets WHERE id = \(id) AND kind = \(kind) AND owner_id = \(userID) AND deleted_at IS NULL
            """, logger: logger)
        for try await row in rows.decode((UUID, AssetKind, UUID, UUID, UUID?, String?, String?, Int64?, String?, JSONB<JSONValue>, Date).self) {
            return Asset(
                id: row.0, kind: row.1, ownerID: row.2, teamID: row.3, jobID: row.4, sha256: row.5, contentType: row.6,
                size: row.7, title: row.8, metadata: row.9.value, createdAt: row.10)
        }
        return nil
    }

    /// Which of `ids` are images `userID` may read.
    func readableImageIDs(_ ids: [UUID], userID: UUID) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await client.query("""
            SELECT id FROM assets
            WHERE id = ANY(\(ids)) AND owner_id = \(userID) AND kind IN ('image', 'upload') AND deleted_at IS NULL
            """, logger: logger)
        var found: Set<UUID> = []
        for try await id in rows.decode(UUID.self) { found.insert(id) }
        return found
    }

    /// Local files of the reference images, in the order given.
    func referenceFiles(ids: [UUID], userID: UUID, media: any MediaStore) async throws -> [MediaFile] {
        var files: [MediaFile] = []
        for id in ids {
            let asset: Asset? = if let image = try await asset(id: id, kind: .image, userID: userID) {
                image
            } else {
                try await asset(id: id, kind: .upload, userID: userID)
            }
            guard let asset, let sha = asset.sha256 else {
                throw AttemptFailure(JobFailure(.invalidInput, "Reference image \(id.lowercased) is no longer available."), retry: false)
            }
            files.append(MediaFile(path: media.path(of: sha), contentType: asset.contentType ?? "image/png"))
        }
        return files
    }
}

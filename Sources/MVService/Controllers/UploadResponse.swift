import Foundation
import Hummingbird
import MVAuth
import MVCore

/// An upload as the API shows it: what its bytes are (`kind` image or audio, content type, size, sha256) and what was
/// read from them (`duration_seconds` for audio, `width`/`height` for images), with the caller's permission.
struct UploadResponse: ResponseEncodable {
    var id: UUID
    var kind: UploadMedia
    var contentType: String
    var size: Int64
    var sha256: String
    var durationSeconds: Double?
    var width: Int?
    var height: Int?
    var originalName: String?
    var title: String?
    var tags: [String]
    var ownerId: UUID
    var teamId: UUID
    var projectId: UUID?
    var contentUrl: String
    var createdAt: Date
    var permission: AssetPermission

    /// The response for a stored upload; a row without a blob reads as gone. Metadata that is not an upload's (a row
    /// written by other means) shows only what the row itself says, the kind following the content type.
    init(_ asset: AssetStore.Asset) throws(Problem) {
        guard asset.kind == .upload, let sha = asset.sha256, let size = asset.size, let contentType = asset.contentType else {
            throw Problem.notFound("upload")
        }
        let metadata = try? asset.metadata.decode(as: UploadMetadata.self)
        id = asset.id
        kind = metadata?.media ?? (contentType.hasPrefix("audio/") ? .audio : .image)
        self.contentType = contentType
        self.size = size
        sha256 = sha
        durationSeconds = metadata?.durationSeconds
        width = metadata?.width
        height = metadata?.height
        originalName = metadata?.originalName
        title = asset.title
        tags = asset.tags
        ownerId = asset.ownerID
        teamId = asset.teamID
        projectId = asset.projectID
        contentUrl = AssetResponse.contentURL(asset)
        createdAt = asset.createdAt
        permission = asset.permission
    }
}

/// One page of the upload list.
struct UploadPage: ResponseEncodable {
    var items: [UploadResponse]
    var nextCursor: String?
}

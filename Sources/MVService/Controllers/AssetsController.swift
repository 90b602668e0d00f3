import Foundation
import Hummingbird
import MVAuth
import MVCore
import NIOCore

/// Images and scene sets: lists, metadata and bytes, decided by ``AssetGuard`` (no read access → 404), and their
/// renaming, tagging, delete and restore (``AssetManagement``).
struct AssetsController {
    let assets: AssetStore
    let media: any MediaStore
    /// How long a deleted image or scene set can be restored (`media.restore_window_hours`).
    let restoreWindow: Duration

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("images", use: images)
        group.get("images/{id}", use: image)
        group.get("images/{id}/content", use: imageContent)
        group.head("images/{id}/content", use: imageContent)
        group.get("scene_sets", use: sceneSets)
        group.get("scene_sets/{id}", use: sceneSet)
        AssetManagement(assets: assets, kind: .image, restoreWindow: restoreWindow).addRoutes(to: group, collection: "images")
        AssetManagement(assets: assets, kind: .sceneSet, restoreWindow: restoreWindow).addRoutes(to: group, collection: "scene_sets")
    }

    private var guarded: AssetGuard { AssetGuard(assets: assets) }

    func images(_ request: Request, context: AppRequestContext) async throws -> AssetPage {
        try await AssetList(assets: assets).page(.image, request, context: context)
    }

    func sceneSets(_ request: Request, context: AppRequestContext) async throws -> AssetPage {
        try await AssetList(assets: assets).page(.sceneSet, request, context: context)
    }

    func image(_ request: Request, context: AppRequestContext) async throws -> AssetResponse {
        AssetResponse(try await guarded.visible(context, kind: .image).1)
    }

    func imageContent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let image = try await guarded.visible(context, kind: .image).1
        return try await MediaResponder.respond(to: request, context: context, asset: image, media: media)
    }

    func sceneSet(_ request: Request, context: AppRequestContext) async throws -> Response {
        let sceneSet = try await guarded.visible(context, kind: .sceneSet).1
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: sceneSet.metadata.data)))
    }
}

/// Metadata of a stored asset, as the API shows it, with the caller's permission on it.
struct AssetResponse: ResponseEncodable {
    var id: UUID
    var kind: String
    var title: String?
    var tags: [String]
    var ownerId: UUID
    var teamId: UUID
    var jobId: UUID?
    var projectId: UUID?
    var contentType: String?
    var sizeBytes: Int64?
    var sha256: String?
    var contentUrl: String
    var createdAt: Date
    var permission: AssetPermission
    var metadata: JSONValue?

    init(_ asset: AssetStore.Asset) {
        id = asset.id
        kind = asset.kind.rawValue
        title = asset.title
        tags = asset.tags
        ownerId = asset.ownerID
        teamId = asset.teamID
        jobId = asset.jobID
        projectId = asset.projectID
        contentType = asset.contentType
        sizeBytes = asset.size
        sha256 = asset.sha256
        contentUrl = Self.contentURL(asset)
        createdAt = asset.createdAt
        permission = asset.permission
        metadata = asset.metadata
    }

    /// Where the asset's bytes (or, for scene sets, its script) are read.
    static func contentURL(_ asset: AssetStore.Asset) -> String {
        let id = asset.id.lowercased
        return switch asset.kind {
        case .video: "/api/mv/videos/\(id)/content"
        case .image: "/api/mv/images/\(id)/content"
        case .sceneSet: "/api/mv/scene_sets/\(id)"
        case .upload: "/api/mv/uploads/\(id)/content"
        case .project: "/api/mv/projects/\(id)"
        }
    }
}

/// One page of an asset list.
struct AssetPage: ResponseEncodable {
    var items: [AssetResponse]
    var nextCursor: String?
}

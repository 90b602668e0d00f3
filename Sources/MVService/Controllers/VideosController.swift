import Foundation
import Hummingbird
import MVAuth
import MVBackends
import MVCore

/// Videos: the list, metadata and bytes (plus the predecessor's `get_video` aliases), renaming and tagging, soft
/// delete and restore (``AssetManagement``). Every decision goes through ``AssetGuard`` (``AssetAccess``; in SQL `asset_permission`):
/// no read access → 404 whether or not the video exists, a `view` grantee → 403 on changes.
struct VideosController {
    let assets: AssetStore
    let media: any MediaStore
    /// How long a deleted video can be restored (`media.restore_window_hours`).
    let restoreWindow: Duration

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("videos", use: list)
        group.get("videos/{id}", use: show)
        AssetManagement(assets: assets, kind: .video, restoreWindow: restoreWindow).addRoutes(to: group, collection: "videos")
        group.get("videos/{id}/content", use: content)
        group.head("videos/{id}/content", use: content)
        group.get("get_video/{id}", use: content)
        group.head("get_video/{id}", use: content)
        group.get("get_video/{id}/info", use: info)
    }

    /// `GET /api/mv/get_video/{id}/info` (predecessor shape).
    struct InfoResponse: ResponseEncodable {
        var videoId: UUID
        var exists: Bool
        var fileSizeBytes: Int64?
        var createdAt: Date
    }

    private var guarded: AssetGuard { AssetGuard(assets: assets) }

    func list(_ request: Request, context: AppRequestContext) async throws -> AssetPage {
        try await AssetList(assets: assets).page(.video, request, context: context)
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> AssetResponse {
        AssetResponse(try await guarded.visible(context, kind: .video).1)
    }

    func info(_ request: Request, context: AppRequestContext) async throws -> InfoResponse {
        let video = try await guarded.visible(context, kind: .video).1
        return InfoResponse(videoId: video.id, exists: true, fileSizeBytes: video.size, createdAt: video.createdAt)
    }

    func content(_ request: Request, context: AppRequestContext) async throws -> Response {
        let video = try await guarded.visible(context, kind: .video).1
        return try await MediaResponder.respond(to: request, context: context, asset: video, media: media)
    }
}

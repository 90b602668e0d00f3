import Foundation
import Hummingbird
import MVAuth
import MVBackends
import MVCore

/// Videos: the list, metadata and bytes (plus the predecessor's `get_video` aliases), renaming and tagging, soft
/// delete and restore. Every decision goes through ``AssetGuard`` (``AssetAccess``; in SQL `asset_permission`):
/// no read access → 404 whether or not the video exists, a `view` grantee → 403 on changes.
struct VideosController {
    let assets: AssetStore
    let media: any MediaStore
    /// How long a deleted video can be restored (`media.restore_window_hours`).
    let restoreWindow: Duration

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("videos", use: list)
        group.get("videos/{id}", use: show)
        group.patch("videos/{id}", use: update)
        group.delete("videos/{id}", use: delete)
        group.post("videos/{id}/restore", use: restore)
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

    /// `PATCH /api/mv/videos/{id}` `{title?, tags?}`: the owner, team owners and admins, and `edit` grantees.
    func update(_ request: Request, context: AppRequestContext) async throws -> AssetResponse {
        let (principal, video) = try await guarded.require(.edit, context, kind: .video)
        let input = try await request.decode(as: AssetUpdateInput.self, context: context).validated()
        let updated = try await assets.update(id: video.id, kind: .video, title: input.title, tags: input.tags, userID: principal.userID)
        return AssetResponse(updated)
    }

    /// `DELETE /api/mv/videos/{id}`: soft delete, gone for everyone at once (audited `asset.deleted`).
    func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let (principal, video) = try await guarded.require(.delete, context, kind: .video)
        try await assets.softDelete(id: video.id, kind: .video, by: context.auditActor(request), userID: principal.userID)
        return .noContent
    }

    /// `POST /api/mv/videos/{id}/restore`: undoes a delete within the restore window (audited `asset.restored`).
    func restore(_ request: Request, context: AppRequestContext) async throws -> AssetResponse {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "video")
        guard let video = try await assets.anyAsset(id: id, kind: .video, userID: principal.userID),
            AssetAccess.canRead(principal, permission: video.permission)
        else { throw Problem.notFound("video") }
        try AssetGuard.check(.delete, principal, video.permission)
        guard let deletedAt = video.deletedAt else { throw AssetError.notDeleted }
        if Date().timeIntervalSince(deletedAt) >= Double(restoreWindow.components.seconds) {
            throw AssetError.restoreWindowPassed(hours: Int(restoreWindow.components.seconds / 3600))
        }
        let restored = try await assets.restore(
            id: id, kind: .video, window: restoreWindow, by: context.auditActor(request), userID: principal.userID)
        return AssetResponse(restored)
    }
}

import Foundation
import Hummingbird
import MVAuth
import MVBackends
import MVCore

/// Video metadata and bytes, plus the predecessor's `get_video` aliases. Only the owner sees a video; everyone
/// else gets 404 whether or not it exists.
struct VideosController {
    let assets: AssetStore
    let media: any MediaStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("videos/{id}", use: show)
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

    func show(_ request: Request, context: AppRequestContext) async throws -> AssetResponse {
        let video = try await visibleVideo(context)
        return AssetResponse(video, contentURL: "/api/mv/videos/\(video.id.lowercased)/content")
    }

    func info(_ request: Request, context: AppRequestContext) async throws -> InfoResponse {
        let video = try await visibleVideo(context)
        return InfoResponse(videoId: video.id, exists: true, fileSizeBytes: video.size, createdAt: video.createdAt)
    }

    func content(_ request: Request, context: AppRequestContext) async throws -> Response {
        let video = try await visibleVideo(context)
        return try await MediaResponder.respond(to: request, context: context, asset: video, media: media)
    }

    private func visibleVideo(_ context: AppRequestContext) async throws -> AssetStore.Asset {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "video")
        guard let video = try await assets.asset(id: id, kind: .video, userID: principal.userID) else {
            throw Problem.notFound("video")
        }
        return video
    }
}

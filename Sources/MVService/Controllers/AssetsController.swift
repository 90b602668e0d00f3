import Foundation
import Hummingbird

/// Images and scene sets: metadata and bytes. Only the owner sees them; everyone else gets 404.
struct AssetsController {
    let assets: AssetStore
    let media: any MediaStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("images/{id}", use: image)
        group.get("images/{id}/content", use: imageContent)
        group.head("images/{id}/content", use: imageContent)
        group.get("scene_sets/{id}", use: sceneSet)
    }

    struct ImageResponse: ResponseEncodable {
        var id: UUID
        var jobId: UUID?
        var contentType: String?
        var sizeBytes: Int64?
        var sha256: String?
        var contentUrl: String
        var createdAt: Date
        var metadata: JSONValue?
    }

    func image(_ request: Request, context: AppRequestContext) async throws -> ImageResponse {
        let image = try await visible(context, kind: "image")
        return ImageResponse(
            id: image.id, jobId: image.jobID, contentType: image.contentType, sizeBytes: image.size, sha256: image.sha256,
            contentUrl: "/api/mv/images/\(image.id)/content", createdAt: image.createdAt, metadata: JSONValue(json: image.metadataJSON))
    }

    func imageContent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let image = try await visible(context, kind: "image")
        return try await MediaResponder.respond(to: request, context: context, asset: image, media: media)
    }

    func sceneSet(_ request: Request, context: AppRequestContext) async throws -> Response {
        let sceneSet = try await visible(context, kind: "scene_set")
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: .init(string: sceneSet.metadataJSON)))
    }

    private func visible(_ context: AppRequestContext, kind: String) async throws -> AssetStore.Asset {
        let principal = try context.requirePrincipal()
        let what = kind == "image" ? "image" : "scene set"
        let id = try context.uuidParameter("id", what: what)
        guard let asset = try await assets.asset(id: id, kind: kind, userID: principal.userID) else { throw Problem.notFound(what) }
        return asset
    }
}

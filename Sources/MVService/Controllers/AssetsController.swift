import Foundation
import Hummingbird
import MVAuth
import MVCore
import NIOCore

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

    func image(_ request: Request, context: AppRequestContext) async throws -> AssetResponse {
        let image = try await visible(context, kind: .image)
        return AssetResponse(image, contentURL: "/api/mv/images/\(image.id.lowercased)/content")
    }

    func imageContent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let image = try await visible(context, kind: .image)
        return try await MediaResponder.respond(to: request, context: context, asset: image, media: media)
    }

    func sceneSet(_ request: Request, context: AppRequestContext) async throws -> Response {
        let sceneSet = try await visible(context, kind: .sceneSet)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: sceneSet.metadata.data)))
    }

    private func visible(_ context: AppRequestContext, kind: AssetKind) async throws -> AssetStore.Asset {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: kind.noun)
        guard let asset = try await assets.asset(id: id, kind: kind, userID: principal.userID) else { throw Problem.notFound(kind.noun) }
        return asset
    }
}

/// Metadata of a stored video or image, as the API shows it.
struct AssetResponse: ResponseEncodable {
    var id: UUID
    var title: String?
    var jobId: UUID?
    var contentType: String?
    var sizeBytes: Int64?
    var sha256: String?
    var contentUrl: String
    var createdAt: Date
    var metadata: JSONValue?

    init(_ asset: AssetStore.Asset, contentURL: String) {
        id = asset.id
        title = asset.title
        jobId = asset.jobID
        contentType = asset.contentType
        sizeBytes = asset.size
        sha256 = asset.sha256
        contentUrl = contentURL
        createdAt = asset.createdAt
        metadata = asset.metadata
    }
}

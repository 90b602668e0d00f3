import Foundation
import Hummingbird
import MVAuth
import MVCore
import NIOCore

/// Uploads: `POST /api/mv/uploads` (a raw body, or the `file` part of `multipart/form-data`), the list, metadata and
/// bytes, and renaming, tagging, delete and restore (``AssetManagement``).
///
/// A POST streams the body to a temporary file in the media store (never the whole body in memory) under
/// `limits.max_upload_bytes` (413 past it, as soon as the declared length or the streamed bytes pass it), decides the
/// type from the bytes alone (``UploadInspector``: 415 unknown, 422 broken, truncated or too many pixels), then moves
/// the file into the store under its hash and writes the row. Any refusal removes the temporary file: no blob, no row.
/// The same bytes again in the team, when the caller can read the earlier live upload, answer 200 with THAT upload
/// (nothing new is written); otherwise a new upload is created on the same blob (201).
struct UploadsController {
    let assets: AssetStore
    let media: any MediaStore
    let inspector: UploadInspector
    /// Largest accepted file (`limits.max_upload_bytes`).
    let maxUploadBytes: Int64
    /// How long a deleted upload can be restored (`media.restore_window_hours`).
    let restoreWindow: Duration

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("uploads", use: create)
        group.get("uploads", use: list)
        group.get("uploads/{id}", use: show)
        group.get("uploads/{id}/content", use: content)
        group.head("uploads/{id}/content", use: content)
        AssetManagement(assets: assets, kind: .upload, restoreWindow: restoreWindow).addRoutes(to: group, collection: "uploads")
    }

    private var guarded: AssetGuard { AssetGuard(assets: assets) }

    /// `POST /api/mv/uploads`: members and above (an API key needs `generate`); viewers 403.
    func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<UploadResponse> {
        let principal = try context.require(.manageOwnAssets)
        let encoding = try UploadBody.encoding(contentType: request.headers[.contentType])
        let allowance = maxUploadBytes + (encoding == .raw ? 0 : UploadBody.multipartOverhead)
        if let declared = request.headers[.contentLength].flatMap(Int64.init), declared > allowance {
            throw UploadError.tooLarge(limit: maxUploadBytes)
        }
        let path = media.temporaryDirectory + "/upload-\(UUID().lowercased).part"
        defer { Self.removeLeftover(path) }
        let written = try await UploadBody(limit: maxUploadBytes).write(request.body, encoding: encoding, to: path)
        let inspected = try await inspector.inspect(path: path, size: written.size)
        let metadata = UploadMetadata(inspected, originalName: written.filename)
        let blob = try await media.ingest(temporaryFile: path, contentType: inspected.format.contentType)
        let upload = AssetStore.NewAsset(
            id: UUID(), kind: .upload, ownerID: principal.userID, teamID: principal.teamID, jobID: nil, projectID: nil, blob: blob,
            title: metadata.originalName, metadata: try JSONValue.encoding(metadata))
        let (asset, created) = try await assets.storeUpload(upload, viewer: principal.assetViewer, by: context.auditActor(request))
        var headers = HTTPFields()
        headers[.location] = "/api/mv/uploads/\(asset.id.lowercased)"
        return EditedResponse(status: created ? .created : .ok, headers: headers, response: try UploadResponse(asset))
    }

    /// `GET /api/mv/uploads`: the visible uploads, newest first, with the filters of the other asset lists.
    func list(_ request: Request, context: AppRequestContext) async throws -> UploadPage {
        let (items, next) = try await AssetList(assets: assets).assets(.upload, request, context: context)
        return UploadPage(items: try items.map { asset throws(Problem) in try UploadResponse(asset) }, nextCursor: next)
    }

    /// `GET /api/mv/uploads/{id}`.
    func show(_ request: Request, context: AppRequestContext) async throws -> UploadResponse {
        try UploadResponse(try await guarded.visible(context, kind: .upload).1)
    }

    /// `GET|HEAD /api/mv/uploads/{id}/content`: the bytes, with Range, ETag and If-None-Match (``MediaResponder``).
    func content(_ request: Request, context: AppRequestContext) async throws -> Response {
        let upload = try await guarded.visible(context, kind: .upload).1
        return try await MediaResponder.respond(to: request, context: context, asset: upload, media: media)
    }

    /// Removes the temporary file if it is still there (a refusal; after ``MediaStore/ingest(temporaryFile:contentType:)``
    /// it is gone already).
    private static func removeLeftover(_ path: String) {
        if FileManager.default.fileExists(atPath: path) { try? FileManager.default.removeItem(atPath: path) }
    }
}

import Foundation
import Hummingbird
import MVBackends

/// Video metadata and bytes, plus the predecessor's `get_video` aliases. Only the owner sees a video; everyone
/// else gets 404 whether or not it exists.
struct VideosController {
    let assets: AssetStore
    let media: any MediaStore
    let fileIO = FileIO()

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("videos/{id}", use: show)
        group.get("videos/{id}/content", use: content)
        group.head("videos/{id}/content", use: content)
        group.get("get_video/{id}", use: content)
        group.head("get_video/{id}", use: content)
        group.get("get_video/{id}/info", use: info)
    }

    /// `GET /api/mv/videos/{id}`.
    struct VideoResponse: ResponseEncodable {
        var id: UUID
        var title: String?
        var jobId: UUID?
        var contentType: String?
        var sizeBytes: Int64?
        var sha256: String?
        var contentUrl: String
        var createdAt: Date
        var metadata: JSONValue?
    }

    /// `GET /api/mv/get_video/{id}/info` (predecessor shape).
    struct InfoResponse: ResponseEncodable {
        var videoId: UUID
        var exists: Bool
        var fileSizeBytes: Int64?
        var createdAt: Date
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> VideoResponse {
        let video = try await visibleVideo(context)
        return VideoResponse(
            id: video.id, title: video.title, jobId: video.jobID, contentType: video.contentType, sizeBytes: video.size,
            sha256: video.sha256, contentUrl: "/api/mv/videos/\(video.id)/content", createdAt: video.createdAt,
            metadata: JSONValue(json: video.metadataJSON))
    }

    func info(_ request: Request, context: AppRequestContext) async throws -> InfoResponse {
        let video = try await visibleVideo(context)
        return InfoResponse(videoId: video.id, exists: true, fileSizeBytes: video.size, createdAt: video.createdAt)
    }

    func content(_ request: Request, context: AppRequestContext) async throws -> Response {
        let video = try await visibleVideo(context)
        guard let sha = video.sha256, let size = video.size else { throw Problem.notFound("video") }
        let etag = "\"\(sha)\""
        var headers = HTTPFields()
        headers[.contentType] = video.contentType ?? "video/mp4"
        headers[.eTag] = etag
        headers[.acceptRanges] = "bytes"
        headers[.cacheControl] = "private, max-age=3600"
        headers[.contentDisposition] = "inline; filename=\"\(video.id).mp4\""
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" })
        {
            return Response(status: .notModified, headers: headers)
        }
        let path = media.path(of: sha)
        // A Range is honoured only while it still matches the representation (If-Range).
        var rangeHeader = request.headers[.range]
        if let ifRange = request.headers[.ifRange], ifRange != etag { rangeHeader = nil }
        let status: HTTPResponse.Status
        let range: ClosedRange<Int64>?
        switch ByteRange(header: rangeHeader, size: size) {
        case .full:
            status = .ok
            range = size > 0 ? 0...(size - 1) : nil
        case .partial(let bytes):
            status = .partialContent
            range = bytes
            headers[.contentRange] = "bytes \(bytes.lowerBound)-\(bytes.upperBound)/\(size)"
        case .unsatisfiable:
            var problem = Problem(.rangeNotSatisfiable, code: "range_not_satisfiable", title: "Range not satisfiable", detail: "The file has \(size) bytes.")
            problem.headers = [("Content-Range", "bytes */\(size)")]
            throw problem
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        headers[.contentLength] = String(length)
        guard request.method != .head, let range else {
            return Response(status: status, headers: headers)
        }
        let body = try await fileIO.loadFile(path: path, range: Int(range.lowerBound)...Int(range.upperBound), context: context)
        return Response(status: status, headers: headers, body: body)
    }

    private func visibleVideo(_ context: AppRequestContext) async throws -> AssetStore.Asset {
        let principal = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "video")
        guard let video = try await assets.asset(id: id, kind: "video", userID: principal.userID) else {
            throw Problem.notFound("video")
        }
        return video
    }
}

import Foundation
import Hummingbird

/// Streams a stored blob with `ETag`, `If-None-Match` (304), `Range` (206/416, RFC 9110), `If-Range` and `HEAD`.
enum MediaResponder {
    static let fileIO = FileIO()
    /// Bytes read and written per step of a streamed file: 1 MiB keeps a 100 MB download's reads and socket writes
    /// few (Hummingbird's default is 128 KiB); `Benchmarks/range.sh` measures it against nginx `sendfile`.
    static let chunkLength = 1 << 20

    static func respond(to request: Request, context: AppRequestContext, asset: AssetStore.Asset, media: any MediaStore) async throws -> Response {
        guard let sha = asset.sha256, let size = asset.size else { throw Problem.notFound(asset.kind.noun) }
        let contentType = asset.contentType ?? "application/octet-stream"
        let etag = "\"\(sha)\""
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.eTag] = etag
        headers[.acceptRanges] = "bytes"
        headers[.cacheControl] = "private, max-age=3600"
        headers[.contentDisposition] = "inline; filename=\"\(asset.id).\(fileExtension(contentType))\""
        if let match = request.headers[.ifNoneMatch],
            match.split(separator: ",").contains(where: {
                let tag = $0.trimmingCharacters(in: .whitespaces)
                return tag == etag || tag == "W/" + etag || tag == "*"
            })
        {
            return Response(status: .notModified, headers: headers)
        }
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
            var problem = Problem(
                .rangeNotSatisfiable, code: "range_not_satisfiable", title: "Range not satisfiable", detail: "The file has \(size) bytes.")
            problem.headers[.contentRange] = "bytes */\(size)"
            throw problem
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        headers[.contentLength] = String(length)
        guard request.method != .head, let range else {
            return Response(status: status, headers: headers)
        }
        let body = try await fileIO.loadFile(
            path: media.path(of: sha), range: Int(range.lowerBound)...Int(range.upperBound), context: context, chunkLength: Self.chunkLength)
        return Response(status: status, headers: headers, body: body)
    }

    static func fileExtension(_ contentType: String) -> String {
        switch contentType {
        case "video/mp4": "mp4"
        case "image/png": "png"
        case "image/jpeg": "jpg"
        case "image/webp": "webp"
        case "audio/mpeg": "mp3"
        case "audio/wav": "wav"
        case "audio/mp4": "m4a"
        case "audio/ogg": "ogg"
        default: "bin"
        }
    }
}

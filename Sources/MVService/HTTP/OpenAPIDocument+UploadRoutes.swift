import MVAuth

extension OpenAPIDocument {
    /// The media types an upload is stored as (decided from the bytes).
    static let uploadContentTypes = UploadFormat.allCases.map(\.contentType)

    /// The request body of `POST /api/mv/uploads`: the file itself under any media type (the bytes decide, not the
    /// declared type), or `multipart/form-data` with the file in the part named `file`.
    static var uploadBody: [String: Any] {
        let binary: [String: Any] = ["schema": ["type": "string", "format": "binary"]]
        var content: [String: Any] = ["application/octet-stream": binary]
        for type in uploadContentTypes { content[type] = binary }
        content["multipart/form-data"] = [
            "schema": object(["file": ["type": "string", "format": "binary"]], required: ["file"]),
            "encoding": ["file": ["contentType": (["application/octet-stream"] + uploadContentTypes).joined(separator: ", ")]],
        ]
        return content
    }

    /// The upload routes; their PATCH, DELETE and restore are the generic ``management(_:_:_:)`` ones.
    static var uploadRoutes: [Route] {
        let links: [String: Link] = [
            "GetUpload": Link(operationID: "upload", parameters: ["id": "$response.body#/id"]),
            "UploadContent": Link(operationID: "uploadContent", parameters: ["id": "$response.body#/id"]),
        ]
        let contentHeaders = [200: ["ETag", "Accept-Ranges"], 206: ["ETag", "Accept-Ranges", "Content-Range"], 304: ["ETag"]]
        let bytes: Body = .media(uploadContentTypes, "The uploaded bytes")
        return management("uploads", "upload", "Upload") + [
            Route(
                method: "post", path: "/api/mv/uploads", operationID: "createUpload",
                summary: "Upload an image (png, jpeg, webp) or audio (mp3, wav, m4a, ogg), typed by its bytes: 201 a new upload, 200 the caller's existing upload of the same bytes; 413 past limits.max_upload_bytes, 415 not an accepted type (text, playlists, video), 422 invalid_media (broken, truncated, too many pixels); viewers 403",
                bodyContent: uploadBody, answers: [201: .json("Upload"), 200: .json("Upload")], problems: [403],
                links: [201: links, 200: links], responseHeaders: [201: ["Location"], 200: ["Location"]]),
            Route(
                method: "get", path: "/api/mv/uploads", operationID: "listUploads", summary: "Uploads visible to the caller, newest first",
                parameters: assetQuery, answers: [200: .json("UploadPage")]),
            Route(
                method: "get", path: "/api/mv/uploads/{id}", operationID: "upload", summary: "An upload's metadata: kind, type, size, hash, duration or dimensions",
                answers: [200: .json("Upload")]),
            Route(
                method: "get", path: "/api/mv/uploads/{id}/content", operationID: "uploadContent", summary: "The uploaded bytes",
                parameters: Parameter.contentHeaders, answers: [200: bytes, 206: bytes, 304: .empty], problems: [416],
                responseHeaders: contentHeaders),
            Route(
                method: "head", path: "/api/mv/uploads/{id}/content", operationID: "uploadContentHead", summary: "Headers of the uploaded bytes",
                parameters: Parameter.contentHeaders, answers: [200: .empty, 206: .empty, 304: .empty], problems: [416],
                responseHeaders: contentHeaders),
        ]
    }

    /// Response bodies of the upload routes.
    static var uploadResponseSchemas: [String: Any] {
        let upload = object(
            [
                "id": uuid, "kind": enumeration(UploadMedia.allCases.map(\.rawValue)), "content_type": enumeration(uploadContentTypes),
                "size": integer, "sha256": ["type": "string", "pattern": "^[0-9a-f]{64}$"],
                "duration_seconds": ["type": "number", "exclusiveMinimum": 0], "width": integer(1...Int64(UploadSniffer.maxImageSide)),
                "height": integer(1...Int64(UploadSniffer.maxImageSide)), "original_name": string, "title": nullable(string),
                "tags": array(string), "owner_id": uuid, "team_id": uuid, "project_id": nullable(uuid), "content_url": string,
                "created_at": dateTime, "permission": enumeration(["view", "edit", "manage"]),
            ],
            required: [
                "id", "kind", "content_type", "size", "sha256", "tags", "owner_id", "team_id", "content_url", "created_at", "permission",
            ])
        return [
            "Upload": upload,
            "UploadPage": object(["items": array(ref("Upload")), "next_cursor": nullable(string)], required: ["items"]),
        ]
    }
}

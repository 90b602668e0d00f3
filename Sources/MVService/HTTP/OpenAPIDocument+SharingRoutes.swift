import MVAuth

extension OpenAPIDocument {
    private typealias P = Parameter

    /// `{token}` of `/s/{token}`: base64url of 56 bytes (share id, expiry, HMAC).
    static var shareToken: [String: Any] { ["type": "string", "pattern": "^[A-Za-z0-9_-]{75}$"] }

    /// The filters of the asset lists.
    static var assetQuery: [Parameter] {
        [
            P.query("owner", enumeration(["me", "team", "shared"]), "me: created by the caller; team: in the team the request acts for; shared: visible through a grant"),
            P.query(
                "q", string, "Full-text search over title and prompt (web search syntax); the first 500 characters are searched, blank is no filter"),
            P.query("project_id", uuid, "Only assets of this project"),
            P.query(
                "tags", ["type": "string", "pattern": "^[^,\\u0000]{1,50}(,[^,\\u0000]{1,50}){0,19}$"],
                "Comma-separated tags; only assets carrying every one"),
            P.query("created_after", dateTime, "Created after"), P.query("created_before", dateTime, "Created before"),
            P.limit, P.jobCursor,
        ]
    }

    /// Lists, changes, access lists and share links of assets, and the public share-link route.
    static var sharingRoutes: [Route] {
        let bytes: Body = .media(["video/mp4", "image/png", "image/jpeg", "image/webp", "application/octet-stream"], "The shared content")
        let contentHeaders = [200: ["ETag", "Accept-Ranges"], 206: ["ETag", "Accept-Ranges", "Content-Range"], 304: ["ETag"]]
        let managed = management("videos", "video", "Video") + management("images", "image", "Image")
            + management("scene_sets", "scene set", "SceneSet")
        return managed + [
            Route(
                method: "get", path: "/api/mv/videos", operationID: "listVideos", summary: "Videos visible to the caller, newest first",
                parameters: assetQuery, answers: [200: .json("AssetPage")]),
            Route(
                method: "get", path: "/api/mv/images", operationID: "listImages", summary: "Images visible to the caller, newest first",
                parameters: assetQuery, answers: [200: .json("AssetPage")]),
            Route(
                method: "get", path: "/api/mv/scene_sets", operationID: "listSceneSets",
                summary: "Scene sets visible to the caller, newest first", parameters: assetQuery, answers: [200: .json("AssetPage")]),
            Route(
                method: "get", path: "/api/mv/assets/{id}/acl", operationID: "assetACL",
                summary: "Who else may use an asset (owner, team owners and admins, edit grantees)", answers: [200: .json("ACL")],
                problems: [403]),
            Route(
                method: "put", path: "/api/mv/assets/{id}/acl", operationID: "replaceAssetACL",
                summary: "Replace an asset's grants (view or edit, to users or teams); an unknown grantee is 404 naming the field",
                body: "ACLInput", answers: [200: .json("ACL")], problems: [403]),
            Route(
                method: "post", path: "/api/mv/assets/{id}/share", operationID: "createShare",
                summary: "Create an expiring, revocable link to an asset's content (409 for assets without content)",
                body: "ShareInput", answers: [201: .json("Share")], problems: [403, 409]),
            Route(
                method: "get", path: "/api/mv/assets/{id}/shares", operationID: "listShares", summary: "An asset's share links, newest first",
                answers: [200: .json("ShareList")], problems: [403]),
            Route(
                method: "delete", path: "/api/mv/shares/{share_id}", operationID: "revokeShare",
                summary: "Revoke a share link; it answers 410 from then on", answers: [204: .empty], problems: [403]),
            Route(
                method: "get", path: "/s/{token}", operationID: "sharedContent",
                summary: "A shared asset's content, no authentication (expired or revoked 410; unknown, tampered or used up 404)",
                authenticated: false, parameters: P.contentHeaders, answers: [200: bytes, 206: bytes, 304: .empty], problems: [404, 410, 416],
                responseHeaders: contentHeaders),
            Route(
                method: "head", path: "/s/{token}", operationID: "sharedContentHead",
                summary: "Headers of a shared asset's content (takes no download)", authenticated: false, parameters: P.contentHeaders,
                answers: [200: .empty, 206: .empty, 304: .empty], problems: [404, 410, 416], responseHeaders: contentHeaders),
        ]
    }

    /// `PATCH`, `DELETE` and `POST .../restore` of one asset collection (``AssetManagement``).
    static func management(_ collection: String, _ noun: String, _ operation: String) -> [Route] {
        [
            Route(
                method: "patch", path: "/api/mv/\(collection)/{id}", operationID: "update\(operation)",
                summary: "Rename or tag a \(noun) (owner, team owners and admins, edit grantees)",
                body: "AssetUpdate", answers: [200: .json("Asset")], problems: [403]),
            Route(
                method: "delete", path: "/api/mv/\(collection)/{id}", operationID: "delete\(operation)",
                summary: "Delete a \(noun) for everyone (restorable within the restore window)", answers: [204: .empty], problems: [403]),
            Route(
                method: "post", path: "/api/mv/\(collection)/{id}/restore", operationID: "restore\(operation)",
                summary: "Undo a delete within the restore window (409 when not deleted, 410 after the window)",
                answers: [200: .json("Asset")], problems: [403, 409, 410]),
        ]
    }

    /// Request bodies of the sharing routes.
    static var sharingRequestSchemas: [String: Any] {
        let tag: [String: Any] = [
            "type": "string", "maxLength": 50, "pattern": #"^[^\u0000,]*[^\u0000,"# + whitespaceClass + #"][^\u0000,]*$"#,
        ]
        let grant = object(
            [
                "principal": enumeration(GrantPrincipalType.allCases.map(\.rawValue)), "id": uuid,
                "permission": enumeration(GrantPermission.allCases.map(\.rawValue)),
            ], required: ["principal", "id", "permission"])
        return [
            "AssetUpdate": object(["title": nullable(text(maxLength: 200, blankAllowed: false)), "tags": nullable(array(tag, maxItems: 20))]),
            "ACLInput": object(["grants": array(grant, maxItems: 100)], required: ["grants"]),
            "ShareInput": object(
                ["expires_in": integer(60...2_592_000), "max_downloads": nullable(integer(1...1_000_000))], required: ["expires_in"]),
        ]
    }

    /// Response bodies of the sharing routes.
    static var sharingResponseSchemas: [String: Any] {
        let grant = object(
            [
                "principal": enumeration(GrantPrincipalType.allCases.map(\.rawValue)), "id": uuid,
                "permission": enumeration(GrantPermission.allCases.map(\.rawValue)),
            ], required: ["principal", "id", "permission"])
        let share = object(
            [
                "id": uuid, "asset_id": uuid, "url": nullable(string), "status": enumeration(["active", "expired", "revoked", "exhausted"]),
                "expires_at": dateTime, "max_downloads": nullable(integer), "downloads_left": nullable(integer), "downloads": integer,
                "revoked_at": nullable(dateTime), "created_by": uuid, "created_at": dateTime,
            ], required: ["id", "asset_id", "status", "expires_at", "downloads", "created_by", "created_at"])
        return [
            "AssetPage": object(["items": array(ref("Asset")), "next_cursor": nullable(string)], required: ["items"]),
            "ACL": object(["asset_id": uuid, "grants": array(grant)], required: ["asset_id", "grants"]),
            "Share": share,
            "ShareList": object(["items": array(ref("Share"))], required: ["items"]),
        ]
    }
}

import MVAuth
import MVCore

extension OpenAPIDocument {
    private typealias P = Parameter

    private static var jobLinks: [String: Link] {
        [
            "GetJob": Link(operationID: "getJob", parameters: ["id": "$response.body#/id"]),
            "CancelJob": Link(operationID: "cancelJob", parameters: ["id": "$response.body#/id"]),
        ]
    }
    private static var teamLinks: [String: Link] {
        [
            "GetTeam": Link(operationID: "getTeam", parameters: ["id": "$response.body#/id"]),
            "UpdateTeam": Link(operationID: "updateTeam", parameters: ["id": "$response.body#/id"]),
            "ListMembers": Link(operationID: "listMembers", parameters: ["id": "$response.body#/id"]),
            "TeamAudit": Link(operationID: "teamAudit", parameters: ["id": "$response.body#/id"]),
        ]
    }
    private static var memberLinks: [String: Link] {
        [
            "ChangeRole": Link(operationID: "changeRole", parameters: ["id": "$request.path.id", "user_id": "$response.body#/user_id"])
        ]
    }
    private static var generation: [Parameter] {
        [P.idempotencyKey, P.prefer]
    }
    private static let jobHeaders = ["Location", "Idempotent-Replayed", "Preference-Applied"]
    private static var auditQuery: [Parameter] {
        [
            P.query("actor", uuid, "Only events by this user"),
            P.query("action", enumeration(AuditAction.allCases.map(\.rawValue)), "Only this action"),
            P.query("from", dateTime, "Events at or after"), P.query("to", dateTime, "Events before"), P.limit, P.idCursor,
        ]
    }

    private static var costReportQuery: [Parameter] {
        let dimension = "(team|user|api_key|provider|model|kind|day)"
        let bound: [String: Any] = ["anyOf": [["type": "string", "format": "date"], dateTime]]
        return [
            P.query("from", bound, "Start, inclusive: a date (local midnight in tz) or an RFC 3339 time; default to − 30 days"),
            P.query("to", bound, "End, exclusive; default now"),
            P.query("tz", enumeration(TimeZoneName.all), "IANA time zone of dates and day buckets (default the team's, UTC on the admin route)"),
            P.query(
                "group_by", ["type": "string", "pattern": "^\(dimension)(,\(dimension))*$"],
                "Comma-separated dimensions, nested in the order team, user, api_key, provider, model, kind, day"),
            P.query("format", enumeration(["json", "csv"]), "json (default) or csv (streamed)"),
        ]
    }

    /// Every route, as registered by the controllers. One source of truth for the document and for `Allow`.
    static var routes: [Route] {
        [
            Route(
                method: "get", path: "/healthz", operationID: "healthz", summary: "Process is up", authenticated: false,
                answers: [200: .json("Health")]),
            Route(
                method: "get", path: "/readyz", operationID: "readyz", summary: "Database reachable and migrations current", authenticated: false,
                answers: [200: .json("Health"), 503: .json("Health")]),
            Route(
                method: "get", path: "/metrics", operationID: "metrics", summary: "Prometheus metrics", authenticated: false,
                answers: [200: .media(["text/plain"], "Prometheus text format 0.0.4")]),
            Route(
                method: "get", path: "/openapi.json", operationID: "openAPI", summary: "This document", authenticated: false,
                answers: [200: .json("Document")]),
            Route(
                method: "get", path: "/.well-known/jwks.json", operationID: "jwks", summary: "Keys that verify access tokens", authenticated: false,
                answers: [200: .json("JWKS")]),
            Route(
                method: "post", path: "/api/auth/register", operationID: "register",
                summary: "Create an account and a personal team (403 while registration is closed)",
                authenticated: false, body: "RegisterInput", answers: [201: .json("RegisterResponse")], problems: [403, 409]),
            Route(
                method: "post", path: "/api/auth/login", operationID: "login", summary: "Exchange email and password for tokens",
                authenticated: false,
                body: "LoginInput", answers: [200: .json("TokenResponse")], problems: [401]),
            Route(
                method: "post", path: "/api/auth/refresh", operationID: "refresh",
                summary: "Rotate a refresh token (a reused one revokes its family)",
                authenticated: false, body: "RefreshInput", answers: [200: .json("TokenResponse")], problems: [401]),
            Route(
                method: "post", path: "/api/auth/logout", operationID: "logout", summary: "Revoke the refresh token's family", authenticated: false,
                body: "RefreshInput", answers: [204: .empty]),  // 204 for any token: whether it was live is not told
            Route(method: "get", path: "/api/me", operationID: "me", summary: "The caller, their teams and roles", answers: [200: .json("Me")]),
            Route(
                method: "get", path: "/api/me/limits", operationID: "limits",
                summary: "Every policy that applies: rate buckets and credits, with what is left",
                answers: [200: .json("Limits")]),
            Route(
                method: "get", path: "/api/billing/balance", operationID: "balance", summary: "Team credits: available, held, posted",
                answers: [200: .json("Balance")]),
            Route(
                method: "get", path: "/api/billing/ledger", operationID: "ledger",
                summary: "The team's ledger entries, newest first (team owners and admins)",
                parameters: [P.limit, P.idCursor], answers: [200: .json("LedgerPage")], problems: [403]),
            Route(
                method: "get", path: "/api/billing/prices", operationID: "prices",
                summary: "The price table in force: credits per unit per model, and the provider cost per unit", answers: [200: .json("PriceList")]),
            Route(
                method: "post", path: "/api/mv/quote", operationID: "quote", summary: "Price a request without charging", body: "QuoteInput",
                answers: [200: .json("Quote")]),
            Route(
                method: "post", path: "/api/mv/generate_video", operationID: "generateVideo",
                summary: "Queue one clip (202 + job); Prefer: wait=N answers 200 if it finishes within N s", body: "GenerateVideoInput",
                parameters: generation, answers: [200: .json("Job"), 202: .json("Job")], problems: [402, 403],
                links: [200: jobLinks, 202: jobLinks], responseHeaders: [200: jobHeaders, 202: jobHeaders]),
            Route(
                method: "post", path: "/api/mv/merge_videos", operationID: "mergeVideos",
                summary: "Queue a merge of 2-50 readable videos, optionally over an audio upload (202 + job)", body: "MergeVideosInput",
                parameters: generation, answers: [200: .json("Job"), 202: .json("Job")], problems: [402, 403, 404],
                links: [200: jobLinks, 202: jobLinks], responseHeaders: [200: jobHeaders, 202: jobHeaders]),
            Route(
                method: "post", path: "/api/mv/create_scenes", operationID: "createScenes", summary: "Queue a scene script (202 + job)",
                body: "CreateScenesInput", parameters: generation, answers: [200: .json("Job"), 202: .json("Job")], problems: [402, 403],
                links: [200: jobLinks, 202: jobLinks], responseHeaders: [200: jobHeaders, 202: jobHeaders]),
            Route(
                method: "post", path: "/api/mv/generate_character_reference", operationID: "generateCharacterReference",
                summary: "Queue 1-4 character reference images (202 + job)", body: "CharacterReferenceInput", parameters: generation,
                answers: [200: .json("Job"), 202: .json("Job")], problems: [402, 403],
                links: [200: jobLinks, 202: jobLinks], responseHeaders: [200: jobHeaders, 202: jobHeaders]),
            Route(
                method: "get", path: "/api/mv/scene_sets/{id}", operationID: "sceneSet", summary: "A stored scene script",
                answers: [200: .json("SceneSet")]),
            Route(
                method: "get", path: "/api/mv/images/{id}", operationID: "image", summary: "Image metadata and provenance",
                answers: [200: .json("Asset")]),
            content(.get, "/api/mv/images/{id}/content", "imageContent", "The image bytes", types: ["image/png", "image/jpeg", "image/webp"]),
            content(.head, "/api/mv/images/{id}/content", "imageContentHead", "Headers of the image", types: []),
            Route(
                method: "get", path: "/api/admin/providers", operationID: "providers",
                summary: "Per provider: breaker state, error rate, latency, last error (platform admin)", answers: [200: .json("Providers")],
                problems: [403]),
            Route(
                method: "get", path: "/api/jobs", operationID: "listJobs", summary: "The caller's jobs, newest first",
                parameters: [
                    P.query("status", enumeration(JobState.allCases.map(\.rawValue)), "Only jobs in this state"),
                    P.query("kind", enumeration(JobKind.allCases.map(\.rawValue)), "Only jobs of this kind"),
                    P.query("project_id", uuid, "Only jobs of this project"),
                    P.query("created_after", dateTime, "Created at or after"), P.query("created_before", dateTime, "Created before"),
                    P.limit, P.jobCursor,
                ], answers: [200: .json("JobPage")]),
            Route(
                method: "get", path: "/api/jobs/{id}", operationID: "getJob", summary: "A job's state, progress, cost, result or error",
                answers: [200: .json("Job")]),
            Route(
                method: "get", path: "/api/jobs/{id}/events", operationID: "jobEvents",
                summary: "Server-Sent Events: status, progress, done (then the stream ends)",
                parameters: [P.header("Last-Event-ID", ["type": "string"], "Resume after this event")],
                answers: [200: .events("JobEvent", "status, progress and done events; the stream ends after done")]),
            Route(
                method: "post", path: "/api/jobs/{id}/cancel", operationID: "cancelJob",
                summary: "Cancel a queued or running job; releases its hold (409 once finished)",
                answers: [200: .json("Job")], problems: [409]),
            Route(
                method: "get", path: "/api/mv/videos/{id}", operationID: "video", summary: "Video metadata and provenance",
                answers: [200: .json("Asset")]),
            content(.get, "/api/mv/videos/{id}/content", "videoContent", "The MP4", types: ["video/mp4"]),
            content(.head, "/api/mv/videos/{id}/content", "videoContentHead", "Headers of the MP4", types: []),
            content(.get, "/api/mv/get_video/{id}", "getVideo", "Predecessor alias of /content", types: ["video/mp4"]),
            content(.head, "/api/mv/get_video/{id}", "getVideoHead", "Predecessor alias of /content (HEAD)", types: []),
            Route(
                method: "get", path: "/api/mv/get_video/{id}/info", operationID: "getVideoInfo", summary: "Predecessor info alias",
                answers: [200: .json("VideoInfo")]),
            Route(
                method: "post", path: "/api/admin/teams/{id}/credits", operationID: "grantCredits",
                summary: "Grant or adjust credits (platform admin, idempotent)",
                body: "GrantInput", parameters: [P.idempotencyKey], answers: [201: .json("Grant")], problems: [402, 403],
                responseHeaders: [201: ["Idempotent-Replayed"]]),
            Route(
                method: "get", path: "/api/admin/teams/{id}/rate_limits", operationID: "teamRateLimits",
                summary: "A team's rate-limit overrides and the policies in force (platform admin)", answers: [200: .json("RateLimitOverrides")],
                problems: [403]),
            Route(
                method: "put", path: "/api/admin/teams/{id}/rate_limits", operationID: "replaceTeamRateLimits",
                summary: "Replace a team's rate-limit overrides; applied on the next request (platform admin)", body: "RateLimitOverridesInput",
                answers: [200: .json("RateLimitOverrides")], problems: [403]),
            Route(
                method: "delete", path: "/api/admin/teams/{id}/rate_limits", operationID: "dropTeamRateLimits",
                summary: "Drop a team's rate-limit overrides (platform admin)", answers: [204: .empty], problems: [403]),
            Route(
                method: "patch", path: "/api/admin/users/{id}", operationID: "updateUser", summary: "Disable a user or make them platform admin",
                body: "UserUpdate", answers: [200: .json("User")], problems: [403]),
            Route(
                method: "get", path: "/api/admin/audit", operationID: "adminAudit", summary: "The audit log of every team (platform admin)",
                parameters: [P.query("team_id", uuid, "Only this team's events")] + auditQuery, answers: [200: .json("AuditPage")], problems: [403]),
            Route(
                method: "post", path: "/api/teams", operationID: "createTeam", summary: "Create a team (the caller becomes its owner)",
                body: "TeamInput",
                answers: [201: .json("TeamView")], problems: [403], links: [201: teamLinks], responseHeaders: [201: ["Location"]]),
            Route(
                method: "get", path: "/api/teams", operationID: "listTeams", summary: "The caller's teams with their role",
                answers: [200: .json("TeamList")]),
            Route(
                method: "get", path: "/api/teams/{id}", operationID: "getTeam", summary: "A team the caller belongs to",
                answers: [200: .json("TeamView")]),
            Route(
                method: "patch", path: "/api/teams/{id}", operationID: "updateTeam",
                summary: "Rename a team, set its IANA time zone or its retention_days for generated assets (owners and admins)",
                body: "TeamUpdate", answers: [200: .json("TeamView")], problems: [403]),
            Route(
                method: "get", path: "/api/teams/{id}/members", operationID: "listMembers", summary: "Members and pending invitations",
                answers: [200: .json("MemberList")]),
            Route(
                method: "post", path: "/api/teams/{id}/members", operationID: "addMember",
                summary: "Add a member by e-mail (201), or invite an e-mail without an account (202)", body: "MemberInput",
                answers: [201: .json("Member"), 202: .json("Invitation")], problems: [403, 409], links: [201: memberLinks]),
            Route(
                method: "patch", path: "/api/teams/{id}/members/{user_id}", operationID: "changeRole", summary: "Change a member's role",
                body: "RoleInput",
                answers: [200: .json("Member")], problems: [403, 409]),
            Route(
                method: "delete", path: "/api/teams/{id}/members/{user_id}", operationID: "removeMember",
                summary: "Remove a member (or leave the team)",
                answers: [204: .empty], problems: [403, 409]),
            Route(
                method: "post", path: "/api/keys", operationID: "createKey",
                summary: "Create an API key for one team; the secret is in this answer only (not with an API key)",
                body: "KeyInput", answers: [201: .json("KeyCreated")], problems: [403],
                links: [201: ["RevokeKey": Link(operationID: "revokeKey", parameters: ["id": "$response.body#/id"])]]),
            Route(
                method: "get", path: "/api/keys", operationID: "listKeys",
                summary: "The current team's live keys: all for owners and admins, one's own otherwise", answers: [200: .json("KeyList")],
                problems: [403]),
            Route(
                method: "delete", path: "/api/keys/{id}", operationID: "revokeKey",
                summary: "Revoke a key (its creator, or an owner or admin of its team); it answers 401 from then on",
                answers: [204: .empty], problems: [403]),
            Route(
                method: "get", path: "/api/billing/lots", operationID: "lots",
                summary: "The team's credit lots: granted, consumed, expired, remaining, priority, expiry (team owners and admins)",
                answers: [200: .json("LotList")], problems: [403]),
            Route(
                method: "get", path: "/api/teams/{id}/quotas", operationID: "listQuotas",
                summary: "The team's quotas with this period's use (owners, admins, platform admins)", answers: [200: .json("QuotaList")],
                problems: [403]),
            Route(
                method: "post", path: "/api/teams/{id}/quotas", operationID: "createQuota",
                summary: "Cap what a member, an API key or (platform admins only) the whole team commits per calendar period",
                body: "QuotaInput", answers: [201: .json("Quota")], problems: [403, 409],
                links: [201: [
                    "UpdateQuota": Link(operationID: "updateQuota", parameters: ["id": "$request.path.id", "quota_id": "$response.body#/id"])
                ]], responseHeaders: [201: ["Location"]]),
            Route(
                method: "patch", path: "/api/teams/{id}/quotas/{quota_id}", operationID: "updateQuota", summary: "Change a quota's limit or action",
                body: "QuotaUpdate", answers: [200: .json("Quota")], problems: [403]),
            Route(
                method: "delete", path: "/api/teams/{id}/quotas/{quota_id}", operationID: "deleteQuota", summary: "Remove a quota",
                answers: [204: .empty], problems: [403]),
            Route(
                method: "get", path: "/api/teams/{id}/reports/costs", operationID: "teamCostReport",
                summary: "The team's cost report from the ledger (owners and admins)", parameters: costReportQuery,
                answers: [200: .jsonOrCSV("CostReport")], problems: [403]),
            Route(
                method: "get", path: "/api/admin/reports/costs", operationID: "adminCostReport",
                summary: "The cost report of every team (platform admins, not through API keys)",
                parameters: [P.query("team_id", uuid, "Only this team")] + costReportQuery, answers: [200: .jsonOrCSV("CostReport")],
                problems: [403]),
            Route(
                method: "get", path: "/api/teams/{id}/audit", operationID: "teamAudit", summary: "The team's audit log (owners and admins)",
                parameters: auditQuery, answers: [200: .json("AuditPage")], problems: [403]),
        ] + sharingRoutes + webhookRoutes + uploadRoutes + projectRoutes
    }

    private enum Method: String { case get, head }

    /// A content route: the bytes with `ETag`, `If-None-Match` (304), `Range` (206/416) and `If-Range`.
    private static func content(_ method: Method, _ path: String, _ id: String, _ summary: String, types: [String]) -> Route {
        let bytes: Body = method == .head ? .empty : .media(types, summary)
        return Route(
            method: method.rawValue, path: path, operationID: id, summary: summary, parameters: P.contentHeaders,
            answers: [200: bytes, 206: bytes, 304: .empty], problems: [416],
            responseHeaders: [200: ["ETag", "Accept-Ranges"], 206: ["ETag", "Accept-Ranges", "Content-Range"], 304: ["ETag"]])
    }
}

import Foundation

/// The OpenAPI 3.1 description of every route the service serves (kept beside the routes; a test checks that
/// each registered route appears here).
enum OpenAPIDocument {
    struct Route {
        var method: String
        var path: String
        var summary: String
        var authenticated: Bool = true
        var requestSchema: String? = nil
        var responses: [String: String]   // status -> schema name or description
    }

    static let routes: [Route] = [
        Route(method: "get", path: "/healthz", summary: "Process is up", authenticated: false, responses: ["200": "Health"]),
        Route(method: "get", path: "/readyz", summary: "Database reachable and migrations current", authenticated: false, responses: ["200": "Health", "503": "Health"]),
        Route(method: "get", path: "/metrics", summary: "Prometheus metrics", authenticated: false, responses: ["200": "text"]),
        Route(method: "get", path: "/openapi.json", summary: "This document", authenticated: false, responses: ["200": "json"]),
        Route(method: "get", path: "/.well-known/jwks.json", summary: "Keys that verify access tokens", authenticated: false, responses: ["200": "json"]),
        Route(method: "post", path: "/api/auth/register", summary: "Create an account and a personal team", authenticated: false, requestSchema: "RegisterInput", responses: ["201": "RegisterResponse", "409": "Problem", "422": "Problem"]),
        Route(method: "post", path: "/api/auth/login", summary: "Exchange email and password for tokens", authenticated: false, requestSchema: "LoginInput", responses: ["200": "TokenResponse", "401": "Problem"]),
        Route(method: "post", path: "/api/auth/refresh", summary: "Rotate a refresh token", authenticated: false, requestSchema: "RefreshInput", responses: ["200": "TokenResponse", "401": "Problem"]),
        Route(method: "post", path: "/api/auth/logout", summary: "Revoke the refresh token's family", authenticated: false, requestSchema: "RefreshInput", responses: ["204": "none"]),
        Route(method: "get", path: "/api/me", summary: "The caller, their teams and roles", responses: ["200": "Me"]),
        Route(method: "get", path: "/api/me/limits", summary: "Every policy that applies: rate buckets and credits, with what is left", responses: ["200": "Limits"]),
        Route(method: "get", path: "/api/billing/balance", summary: "Team credits: available, held, posted", responses: ["200": "Balance"]),
        Route(method: "get", path: "/api/billing/ledger", summary: "The team's ledger entries, newest first (?limit, ?cursor; team admins)", responses: ["200": "LedgerPage", "403": "Problem"]),
        Route(method: "get", path: "/api/billing/prices", summary: "The price table in force: credits per unit per model, and the provider cost per unit", responses: ["200": "PriceList"]),
        Route(method: "post", path: "/api/mv/quote", summary: "Price a request without charging", requestSchema: "QuoteInput", responses: ["200": "Quote", "422": "Problem"]),
        Route(method: "post", path: "/api/mv/generate_video", summary: "Queue one clip (202 + job); send Idempotency-Key; Prefer: wait=N answers 200 if it finishes within N s", requestSchema: "GenerateVideoInput", responses: ["200": "Job", "202": "Job", "402": "Problem", "409": "Problem", "422": "Problem", "429": "Problem"]),
        Route(method: "post", path: "/api/mv/create_scenes", summary: "Queue a scene script (202 + job); send Idempotency-Key", requestSchema: "CreateScenesInput", responses: ["202": "Job", "402": "Problem", "409": "Problem", "422": "Problem", "429": "Problem"]),
        Route(method: "post", path: "/api/mv/generate_character_reference", summary: "Queue 1-4 character reference images (202 + job)", requestSchema: "CharacterReferenceInput", responses: ["202": "Job", "402": "Problem", "409": "Problem", "422": "Problem", "429": "Problem"]),
        Route(method: "get", path: "/api/mv/scene_sets/{id}", summary: "A stored scene script", responses: ["200": "SceneSet", "404": "Problem"]),
        Route(method: "get", path: "/api/mv/images/{id}", summary: "Image metadata and provenance", responses: ["200": "Asset", "404": "Problem"]),
        Route(method: "get", path: "/api/mv/images/{id}/content", summary: "The image bytes (Range, ETag)", responses: ["200": "image", "206": "image", "304": "none", "404": "Problem", "416": "Problem"]),
        Route(method: "head", path: "/api/mv/images/{id}/content", summary: "Headers of the image", responses: ["200": "none"]),
        Route(method: "get", path: "/api/admin/providers", summary: "Per provider: breaker state, error rate, latency, last error (platform admin)", responses: ["200": "Providers", "403": "Problem"]),
        Route(method: "get", path: "/api/jobs", summary: "The caller's jobs, newest first (?status, ?kind, ?project_id, ?created_after, ?created_before, ?limit, ?cursor)", responses: ["200": "JobPage", "422": "Problem"]),
        Route(method: "get", path: "/api/jobs/{id}", summary: "A job's state, progress, cost, result or error", responses: ["200": "Job", "404": "Problem"]),
        Route(method: "get", path: "/api/jobs/{id}/events", summary: "Server-Sent Events: status, progress, done (then the stream ends); honours Last-Event-ID", responses: ["200": "events", "404": "Problem"]),
        Route(method: "post", path: "/api/jobs/{id}/cancel", summary: "Cancel a queued or running job; releases its hold", responses: ["200": "Job", "404": "Problem", "409": "Problem"]),
        Route(method: "get", path: "/api/mv/videos/{id}", summary: "Video metadata and provenance", responses: ["200": "Video", "404": "Problem"]),
        Route(method: "get", path: "/api/mv/videos/{id}/content", summary: "The MP4 (Range, ETag, If-None-Match)", responses: ["200": "video/mp4", "206": "video/mp4", "304": "none", "404": "Problem", "416": "Problem"]),
        Route(method: "head", path: "/api/mv/videos/{id}/content", summary: "Headers of the MP4", responses: ["200": "none"]),
        Route(method: "get", path: "/api/mv/get_video/{id}", summary: "Predecessor alias of /content", responses: ["200": "video/mp4", "404": "Problem"]),
        Route(method: "head", path: "/api/mv/get_video/{id}", summary: "Predecessor alias of /content (HEAD)", responses: ["200": "none"]),
        Route(method: "get", path: "/api/mv/get_video/{id}/info", summary: "Predecessor info alias", responses: ["200": "VideoInfo", "404": "Problem"]),
        Route(method: "post", path: "/api/admin/teams/{id}/credits", summary: "Grant or adjust credits (platform admin, idempotent)", requestSchema: "GrantInput", responses: ["201": "Grant", "403": "Problem", "404": "Problem"]),
        Route(method: "patch", path: "/api/admin/users/{id}", summary: "Disable a user or make them platform admin", requestSchema: "UserUpdate", responses: ["200": "User", "403": "Problem", "404": "Problem"]),
        Route(method: "get", path: "/api/admin/audit", summary: "The audit log of every team (platform admin; ?team_id, ?actor, ?action, ?from, ?to, ?limit, ?cursor)", responses: ["200": "AuditPage", "403": "Problem", "422": "Problem"]),
        Route(method: "post", path: "/api/teams", summary: "Create a team (the caller becomes its owner)", requestSchema: "TeamInput", responses: ["201": "TeamView", "403": "Problem", "422": "Problem"]),
        Route(method: "get", path: "/api/teams", summary: "The caller's teams with their role", responses: ["200": "TeamList"]),
        Route(method: "get", path: "/api/teams/{id}", summary: "A team the caller belongs to", responses: ["200": "TeamView", "404": "Problem"]),
        Route(method: "patch", path: "/api/teams/{id}", summary: "Rename a team or set its IANA time zone (owners and admins)", requestSchema: "TeamUpdate", responses: ["200": "TeamView", "403": "Problem", "404": "Problem", "422": "Problem"]),
        Route(method: "get", path: "/api/teams/{id}/members", summary: "Members and pending invitations", responses: ["200": "MemberList", "404": "Problem"]),
        Route(method: "post", path: "/api/teams/{id}/members", summary: "Add a member by e-mail (201), or invite an e-mail without an account (202)", requestSchema: "MemberInput", responses: ["201": "Member", "202": "Invitation", "403": "Problem", "404": "Problem", "409": "Problem", "422": "Problem"]),
        Route(method: "patch", path: "/api/teams/{id}/members/{user_id}", summary: "Change a member's role", requestSchema: "RoleInput", responses: ["200": "Member", "403": "Problem", "404": "Problem", "409": "Problem", "422": "Problem"]),
        Route(method: "delete", path: "/api/teams/{id}/members/{user_id}", summary: "Remove a member (or leave the team)", responses: ["204": "none", "403": "Problem", "404": "Problem", "409": "Problem"]),
        Route(method: "post", path: "/api/keys", summary: "Create an API key for one team; the secret is in the answer once", requestSchema: "KeyInput", responses: ["201": "KeyCreated", "403": "Problem", "404": "Problem", "422": "Problem"]),
        Route(method: "get", path: "/api/keys", summary: "The current team's live keys (all for owners and admins, one's own otherwise)", responses: ["200": "KeyList", "403": "Problem"]),
        Route(method: "delete", path: "/api/keys/{id}", summary: "Revoke a key (its creator, or an owner or admin of its team)", responses: ["204": "none", "403": "Problem", "404": "Problem"]),
        Route(method: "get", path: "/api/teams/{id}/audit", summary: "The team's audit log (owners and admins; ?actor, ?action, ?from, ?to, ?limit, ?cursor)", responses: ["200": "AuditPage", "403": "Problem", "404": "Problem", "422": "Problem"]),
        // Cost reports (one query over the ledger; ?format=csv streams text/csv with the same columns).
        Route(method: "get", path: "/api/teams/{id}/reports/costs", summary: "The team's cost report (owners and admins; ?from, ?to, ?tz, ?group_by, ?format=json|csv)", responses: ["200": "CostReport", "403": "Problem", "404": "Problem", "422": "Problem"]),
        Route(method: "get", path: "/api/admin/reports/costs", summary: "Cost report of every team (platform admin; ?team_id, ?from, ?to, ?tz, ?group_by, ?format=json|csv)", responses: ["200": "CostReport", "403": "Problem", "422": "Problem"]),
    ]

    /// The document as JSON bytes.
    static func json() throws -> Data {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            var operation: [String: Any] = ["summary": route.summary, "operationId": "\(route.method)\(route.path)"]
            if route.authenticated { operation["security"] = [["bearer": [String]()]] } else { operation["security"] = [[String: Any]]() }
            let parameters = ["id", "user_id"].filter { route.path.contains("{\($0)}") }
            if !parameters.isEmpty {
                operation["parameters"] = parameters.map { ["name": $0, "in": "path", "required": true, "schema": uuid] as [String: Any] }
            }
            if let schema = route.requestSchema {
                operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ref(schema)]]]
            }
            var responses: [String: Any] = [:]
            for (status, schema) in route.responses {
                switch schema {
                case "none": responses[status] = ["description": "No body"]
                case "text": responses[status] = ["description": "Prometheus text format", "content": ["text/plain": [String: Any]()]]
                case "json": responses[status] = ["description": "JSON document", "content": ["application/json": [String: Any]()]]
                case "events": responses[status] = ["description": "text/event-stream", "content": ["text/event-stream": [String: Any]()]]
                case "video/mp4": responses[status] = ["description": "Video bytes", "content": ["video/mp4": [String: Any]()]]
                case "image": responses[status] = ["description": "Image bytes", "content": ["image/png": [String: Any](), "image/jpeg": [String: Any]()]]
                case "Problem": responses[status] = ["description": "Problem", "content": ["application/problem+json": ["schema": ref("Problem")]]]
                default: responses[status] = ["description": schema, "content": ["application/json": ["schema": ref(schema)]]]
                }
            }
            operation["responses"] = responses
            paths[route.path, default: [:]][route.method] = operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "MV Service", "version": "0.1.0", "description": "Music videos from generative models: async jobs, credits, provider failover."],
            "paths": paths,
            "components": ["schemas": schemas, "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT"]]],
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
    }

    static var string: [String: Any] { ["type": "string"] }
    static var integer: [String: Any] { ["type": "integer"] }
    static var number: [String: Any] { ["type": "number"] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var dateTime: [String: Any] { ["type": "string", "format": "date-time"] }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    static func object(_ properties: [String: Any], required: [String] = [], additional: Bool = false) -> [String: Any] {
        var schema: [String: Any] = ["type": "object", "properties": properties]
        if !required.isEmpty { schema["required"] = required }
        if additional { schema["additionalProperties"] = true }
        return schema
    }
}

import Foundation

/// The OpenAPI 3.1 description of every route the service serves, generated from ``routes`` (a test checks that the
/// list equals the router's routes, and ``MethodNotAllowedMiddleware`` answers 405 from it).
///
/// Each ``Route`` names what it really answers; the statuses every route of a kind shares are added by
/// ``Route/responses``: 401 and 429 on authenticated routes (every one passes the `api` rate limiter), 404 for a bad
/// `X-MV-Team` or path id, 400/413/415/422 on JSON bodies, 422 on bad query parameters, 400/409/422 with an
/// `Idempotency-Key`.
enum OpenAPIDocument {
    /// One operation.
    struct Route {
        var method: String
        var path: String
        var operationID: String
        var summary: String
        var authenticated: Bool = true
        /// Name of the request body schema (`application/json`), if any.
        var body: String? = nil
        /// A request body that is not JSON: its `content` map (media type → schema), e.g. a file upload.
        var bodyContent: [String: Any]? = nil
        /// Query and header parameters (path parameters are derived from the path).
        var parameters: [Parameter] = []
        /// Success and route-specific answers: status → body kind (see ``Body``).
        var answers: [Int: Body]
        /// Problem statuses this route answers besides the shared ones.
        var problems: [Int] = []
        /// Links from a success status to the operations that read what it created: status → name → link.
        var links: [Int: [String: Link]] = [:]
        /// Response headers of a success status beyond the shared ones: status → header names (``headers``).
        var responseHeaders: [Int: [String]] = [:]
    }

    /// What a response carries.
    enum Body {
        /// A JSON body of the named schema.
        case json(String)
        /// No body.
        case empty
        /// Bytes of one of these media types.
        case media([String], String)
        /// A `text/event-stream` whose events (`event`, `data`, `id`, `retry`) have the named schema.
        case events(String, String)
        /// A JSON body of the named schema, or (`format=csv`) `text/csv` with the same rows.
        case jsonOrCSV(String)
    }

    /// An OpenAPI link: the target operation and its parameters as runtime expressions.
    struct Link {
        var operationID: String
        var parameters: [String: String]
    }

    /// The document as JSON bytes, with the generation options of this deployment.
    static func json(options: GenerationOptions = GenerationOptions()) throws -> Data {
        var paths: [String: [String: Any]] = [:]
        for route in routes {
            paths[route.path, default: [:]][route.method] = route.operation
        }
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": [
                "title": "MV Service", "version": "0.1.0",
                "description": "Music videos from generative models: async jobs, credits, provider failover. Errors are RFC 9457 problems.",
            ],
            "paths": paths,
            "components": [
                "schemas": requestSchemas(options).merging(responseSchemas) { first, _ in first }
                    .merging(sharingRequestSchemas) { first, _ in first }.merging(sharingResponseSchemas) { first, _ in first }
                    .merging(webhookRequestSchemas) { first, _ in first }.merging(webhookResponseSchemas) { first, _ in first }
                    .merging(uploadResponseSchemas) { first, _ in first }
                    .merging(projectRequestSchemas(options)) { first, _ in first }.merging(projectResponseSchemas) { first, _ in first },
                "headers": headers,
                "securitySchemes": [
                    "bearer": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT", "description": "An access token from /api/auth/login"]
                ],
            ],
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}

extension OpenAPIDocument.Route {
    /// The names of the path's `{parameters}`.
    var pathParameters: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// Whether the route reads an `Idempotency-Key`.
    var isIdempotent: Bool { parameters.contains { $0.name == "Idempotency-Key" } }

    /// Every status this route answers with a problem document, shared ones included.
    var problemStatuses: Set<Int> {
        var statuses = Set(problems)
        if authenticated { statuses.formUnion([401, 404, 429]) }
        if body != nil || bodyContent != nil { statuses.formUnion([400, 413, 415, 422]) }
        if !pathParameters.isEmpty { statuses.insert(404) }
        if parameters.contains(where: { $0.location == "query" }) { statuses.insert(422) }
        if isIdempotent { statuses.formUnion([400, 409, 422]) }
        return statuses
    }

    /// The OpenAPI operation object.
    var operation: [String: Any] {
        var operation: [String: Any] = ["summary": summary, "operationId": operationID]
        operation["security"] = authenticated ? [["bearer": [String]()]] : [[String: Any]]()
        var parameters = pathParameters.map { name -> [String: Any] in
            switch name {
            case "token":
                ["name": name, "in": "path", "required": true, "schema": OpenAPIDocument.shareToken, "description": "A share link's token"]
            case "index":
                [
                    "name": name, "in": "path", "required": true, "schema": OpenAPIDocument.integer(0...Int64(Int32.max)),
                    "description": "A 0-based scene index; one the project does not have is 404",
                ]
            default:
                ["name": name, "in": "path", "required": true, "schema": OpenAPIDocument.uuid, "description": "A UUID; an unknown or malformed one is 404"]
            }
        }
        parameters += self.parameters.map(\.object)
        if authenticated { parameters.append(OpenAPIDocument.Parameter.team.object) }
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body {
            operation["requestBody"] = [
                "required": true, "content": ["application/json": ["schema": OpenAPIDocument.ref(body)]],
            ]
        } else if let bodyContent {
            operation["requestBody"] = ["required": true, "content": bodyContent]
        }
        var responses: [String: Any] = [:]
        for (status, body) in answers {
            responses[String(status)] = response(status: status, body: body)
        }
        for status in problemStatuses where answers[status] == nil {
            responses[String(status)] = OpenAPIDocument.problemResponse(status, authenticated: authenticated)
        }
        operation["responses"] = responses
        return operation
    }

    private func response(status: Int, body: OpenAPIDocument.Body) -> [String: Any] {
        var response: [String: Any]
        switch body {
        case .json(let schema):
            response = ["description": schema, "content": ["application/json": ["schema": OpenAPIDocument.ref(schema)]]]
        case .empty:
            response = ["description": "No body"]
        case .media(let types, let description):
            var content: [String: Any] = [:]
            for type in types { content[type] = ["schema": ["type": "string", "format": "binary"]] }
            response = ["description": description, "content": content]
        case .events(let schema, let description):
            response = ["description": description, "content": ["text/event-stream": ["schema": OpenAPIDocument.ref(schema)]]]
        case .jsonOrCSV(let schema):
            response = [
                "description": "\(schema) as JSON, or as RFC 4180 CSV (one header row) with format=csv",
                "content": [
                    "application/json": ["schema": OpenAPIDocument.ref(schema)],
                    "text/csv": ["schema": ["type": "string"]],
                ],
            ]
        }
        var headerNames = ["X-Request-ID"] + (responseHeaders[status] ?? [])
        if authenticated { headerNames += OpenAPIDocument.rateLimitHeaders }
        response["headers"] = OpenAPIDocument.headerRefs(headerNames)
        if let links = links[status] {
            response["links"] = links.mapValues { ["operationId": $0.operationID, "parameters": $0.parameters] as [String: Any] }
        }
        return response
    }
}

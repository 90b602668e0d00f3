import Foundation

/// The building blocks of the document's schemas, parameters and shared responses.
extension OpenAPIDocument {
    static var integer: [String: Any] { ["type": "integer"] }
    static var number: [String: Any] { ["type": "number"] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var dateTime: [String: Any] { ["type": "string", "format": "date-time"] }
    static var anyObject: [String: Any] { ["type": "object"] }

    /// An output string (responses never constrain more than the type).
    static var string: [String: Any] { ["type": "string"] }

    /// `schema` or JSON `null` (response fields the service may leave empty).
    static func nullable(_ schema: [String: Any]) -> [String: Any] {
        var schema = schema
        if let type = schema["type"] as? String { schema["type"] = [type, "null"] }
        if let values = schema["enum"] as? [Any] { schema["enum"] = values + [NSNull()] }
        return schema
    }

    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }

    static func array(_ items: [String: Any], maxItems: Int? = nil) -> [String: Any] {
        var schema: [String: Any] = ["type": "array", "items": items]
        if let maxItems { schema["maxItems"] = maxItems }
        return schema
    }

    static func enumeration(_ values: [String]) -> [String: Any] { ["type": "string", "enum": values] }

    static func integer(_ range: ClosedRange<Int64>) -> [String: Any] {
        ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]
    }

    /// A JSON object. Request bodies ignore members they do not know, so every object admits additional properties
    /// unless `closed` (the default in JSON Schema, written out for readers).
    static func object(_ properties: [String: Any], required: [String] = [], closed: Bool = false) -> [String: Any] {
        var schema: [String: Any] = ["type": "object", "properties": properties, "additionalProperties": !closed]
        if !required.isEmpty { schema["required"] = required }
        return schema
    }

    /// The characters the service trims as whitespace (Foundation's `whitespacesAndNewlines`: Unicode Z* plus
    /// U+0009...U+000D and U+0085), as a regular-expression class body.
    static let whitespaceClass = #"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"#

    /// A request string: no U+0000 anywhere (PostgreSQL text cannot hold it; the decoder refuses it), at most
    /// `maxLength` Unicode scalars (nil: only the body limit) counted before trimming, and, unless `blankAllowed`, at least one character that
    /// is not whitespace.
    static func text(maxLength: Int?, blankAllowed: Bool = true, minLength: Int? = nil) -> [String: Any] {
        var schema: [String: Any] = ["type": "string"]
        if let maxLength { schema["maxLength"] = maxLength }
        if let minLength { schema["minLength"] = minLength }
        schema["pattern"] = blankAllowed ? #"^[^\u0000]*$"# : #"^[^\u0000]*[^\u0000"# + whitespaceClass + #"][^\u0000]*$"#
        return schema
    }

    /// A query or header parameter.
    struct Parameter {
        var name: String
        var location: String
        var schema: [String: Any]
        var description: String

        var object: [String: Any] {
            ["name": name, "in": location, "required": false, "schema": schema, "description": description]
        }

        static func query(_ name: String, _ schema: [String: Any], _ description: String) -> Parameter {
            Parameter(name: name, location: "query", schema: schema, description: description)
        }

        static func header(_ name: String, _ schema: [String: Any], _ description: String) -> Parameter {
            Parameter(name: name, location: "header", schema: schema, description: description)
        }

        /// `X-MV-Team` (every authenticated route).
        static var team: Parameter {
            header("X-MV-Team", OpenAPIDocument.uuid, "Act for this team (one the caller belongs to; otherwise 404)")
        }
        /// `limit` of list routes.
        static var limit: Parameter {
            query("limit", OpenAPIDocument.integer(1...100), "Page size (default 50)")
        }
        /// `cursor` of list routes whose cursor is a positive entry id.
        static var idCursor: Parameter {
            query(
                "cursor", ["type": "string", "pattern": "^[1-9][0-9]{0,17}$"], "`next_cursor` of the previous page")
        }
        /// `Idempotency-Key` of job-creating and granting POSTs: 1...255 printable ASCII characters (inner spaces
        /// allowed; HTTP drops surrounding ones).
        static var idempotencyKey: Parameter {
            header(
                "Idempotency-Key", ["type": "string", "pattern": "^[!-~]([ -~]{0,253}[!-~])?$"],
                "Same key and request replays the first answer (Idempotent-Replayed: true); a different request is 422; in flight is 409")
        }
        /// `cursor` of the job list: `<microseconds since 1970, 17 digits>_<job id>`.
        static var jobCursor: Parameter {
            query(
                "cursor", ["type": "string", "pattern": "^[0-9]{17}_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"],
                "`next_cursor` of the previous page")
        }
        /// `Prefer: wait=N` of generation routes (any other preference is ignored).
        static var prefer: Parameter {
            header(
                "Prefer", ["type": "string"], "wait=N (clamped to 1...60): hold the answer up to N s and answer 200 with the finished job")
        }
        /// Conditional and partial requests of content routes. A malformed `Range` is ignored (RFC 9110), so any value is accepted.
        static var contentHeaders: [Parameter] {
            [
                header("Range", ["type": "string"], "bytes=first-last, first- or -suffix: 206, or 416 outside the file"),
                header("If-None-Match", ["type": "string"], "ETags of copies you have (304 on a match, or *)"),
                header("If-Range", ["type": "string"], "Honour Range only while this ETag still matches"),
            ]
        }
    }

    /// Rate-limit fields on every authenticated answer.
    static let rateLimitHeaders = ["RateLimit-Policy", "RateLimit", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"]

    /// `components.headers`.
    static var headers: [String: Any] {
        func header(_ description: String, _ schema: [String: Any] = ["type": "string"], required: Bool = false) -> [String: Any] {
            ["description": description, "schema": schema, "required": required]
        }
        return [
            "X-Request-ID": header("Identifies the request in the server log", required: true),
            "RateLimit-Policy": header(#"The policy: "api";q=600;w=60"#),
            "RateLimit": header(#"What is left: "api";r=599;t=1"#),
            "X-RateLimit-Limit": header("Bucket capacity", ["type": "string", "pattern": "^[0-9]+$"]),
            "X-RateLimit-Remaining": header("Tokens left", ["type": "string", "pattern": "^[0-9]+$"]),
            "X-RateLimit-Reset": header("Seconds until the bucket is full", ["type": "string", "pattern": "^[0-9]+$"]),
            "Retry-After": header("Seconds to wait", ["type": "string", "pattern": "^[0-9]+$"], required: true),
            "WWW-Authenticate": header(#"Bearer realm="mvservice""#, required: true),
            "Location": header("Where to read what was created", required: true),
            "Idempotent-Replayed": header("true when the first answer to this Idempotency-Key is replayed", ["type": "string", "enum": ["true"]]),
            "Preference-Applied": header("wait=N when Prefer: wait was honoured"),
            "ETag": header("Strong validator: the SHA-256 of the bytes", required: true),
            "Content-Range": header("bytes first-last/size (206) or bytes */size (416)", required: true),
            "Accept-Ranges": header("bytes", ["type": "string", "enum": ["bytes"]], required: true),
        ]
    }

    static func headerRefs(_ names: [String]) -> [String: Any] {
        Dictionary(uniqueKeysWithValues: names.map { ($0, ["$ref": "#/components/headers/\($0)"] as [String: Any]) })
    }

    /// A problem answer for `status`, with the header fields that status carries.
    static func problemResponse(_ status: Int, authenticated: Bool) -> [String: Any] {
        let descriptions = [
            400: "malformed_json, invalid_idempotency_key, malformed_multipart", 401: "unauthorized (and invalid_credentials, refresh_token_reused, account_disabled)",
            402: "insufficient_credits", 403: "forbidden", 404: "not_found", 409: "a conflict (the code says which)",
            413: "body_too_large", 415: "unsupported_media_type", 416: "range_not_satisfiable",
            422: "validation_failed (errors lists the fields), idempotency_key_reused, invalid_media", 429: "rate_limited",
            503: "not ready",
        ]
        var names = ["X-Request-ID"]
        if status == 401 && authenticated { names.append("WWW-Authenticate") }
        if status == 429 { names.append("Retry-After") }
        if status == 416 { names.append("Content-Range") }
        return [
            "description": descriptions[status] ?? "problem",
            "content": ["application/problem+json": ["schema": ref("Problem")]],
            "headers": headerRefs(names),
        ]
    }
}

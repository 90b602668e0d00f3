import Foundation
import Hummingbird
import MVCore

/// An RFC 9457 problem document: every error the API answers with. `code` is the stable machine code.
struct Problem: Error, Sendable, Equatable {
    /// HTTP status.
    var status: HTTPResponse.Status
    /// Stable machine code (`insufficient_credits`, `rate_limited`, `validation_failed`, ...).
    var code: String
    /// Short human summary of the problem type.
    var title: String
    /// Human explanation of this occurrence.
    var detail: String
    /// Field errors for `validation_failed`.
    var errors: [FieldError] = []
    /// Extra members (for example `required` and `available` credits), rendered as JSON values.
    var extensions: [String: JSONValue] = [:]
    /// Extra response header fields (`Retry-After`, `WWW-Authenticate`, rate-limit fields).
    var headers = HTTPFields()

    /// Creates a problem.
    init(_ status: HTTPResponse.Status, code: String, title: String, detail: String) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
    }

    static func == (lhs: Problem, rhs: Problem) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.detail == rhs.detail && lhs.errors == rhs.errors
    }

    /// The JSON body, with `request_id` filled in.
    func body(requestID: String?) -> ProblemDocument {
        ProblemDocument(
            type: "/problems/\(code)", title: title, status: Int(status.code), detail: detail, code: code,
            requestId: requestID, errors: errors.isEmpty ? nil : errors, extensions: extensions)
    }
}

/// The serialised problem (`application/problem+json`). Also stored as a failed job's `error`.
struct ProblemDocument: Codable, Sendable, Equatable {
    var type: String
    var title: String
    var status: Int
    var detail: String
    var code: String
    var requestId: String?
    var errors: [FieldError]?
    var extensions: [String: JSONValue]

    init(
        type: String, title: String, status: Int, detail: String, code: String, requestId: String?,
        errors: [FieldError]?, extensions: [String: JSONValue]
    ) {
        self.type = type
        self.title = title
        self.status = status
        self.detail = detail
        self.code = code
        self.requestId = requestId
        self.errors = errors
        self.extensions = extensions
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: Key(stringValue: "type"))
        try container.encode(title, forKey: Key(stringValue: "title"))
        try container.encode(status, forKey: Key(stringValue: "status"))
        try container.encode(detail, forKey: Key(stringValue: "detail"))
        try container.encode(code, forKey: Key(stringValue: "code"))
        try container.encodeIfPresent(requestId, forKey: Key(stringValue: "request_id"))
        try container.encodeIfPresent(errors, forKey: Key(stringValue: "errors"))
        for (name, value) in extensions.sorted(by: { $0.key < $1.key }) {
            try container.encode(value, forKey: Key(stringValue: name))
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        type = try container.decode(String.self, forKey: Key(stringValue: "type"))
        title = try container.decode(String.self, forKey: Key(stringValue: "title"))
        status = try container.decode(Int.self, forKey: Key(stringValue: "status"))
        detail = try container.decode(String.self, forKey: Key(stringValue: "detail"))
        code = try container.decode(String.self, forKey: Key(stringValue: "code"))
        requestId = try container.decodeIfPresent(String.self, forKey: Key(stringValue: "request_id"))
        errors = try container.decodeIfPresent([FieldError].self, forKey: Key(stringValue: "errors"))
        var extensions: [String: JSONValue] = [:]
        let known: Set = ["type", "title", "status", "detail", "code", "request_id", "errors"]
        for key in container.allKeys where !known.contains(key.stringValue) {
            extensions[key.stringValue] = try container.decode(JSONValue.self, forKey: key)
        }
        self.extensions = extensions
    }
}

extension Problem {
    /// 400/422 `validation_failed` listing the bad fields.
    static func validation(_ errors: [FieldError]) -> Problem {
        var problem = Problem(
            .unprocessableContent, code: "validation_failed", title: "Validation failed",
            detail: errors.map { "\($0.field): \($0.message)" }.joined(separator: "; "))
        problem.errors = errors
        return problem
    }

    /// 422 for one bad field.
    static func invalid(_ field: String, _ message: String) -> Problem {
        validation([FieldError(field: field, message: message)])
    }

    /// 404 that never says whether the object exists.
    static func notFound(_ what: String = "resource") -> Problem {
        Problem(.notFound, code: "not_found", title: "Not found", detail: "No \(what) with that id is visible to you.")
    }

    /// 401 with `WWW-Authenticate: Bearer`.
    static func unauthorized(_ detail: String = "A valid bearer token is required.") -> Problem {
        var problem = Problem(.unauthorized, code: "unauthorized", title: "Unauthorized", detail: detail)
        problem.headers[.wwwAuthenticate] = #"Bearer realm="mvservice""#
        return problem
    }

    /// 403 for authenticated callers without the needed role.
    static func forbidden(_ detail: String) -> Problem {
        Problem(.forbidden, code: "forbidden", title: "Forbidden", detail: detail)
    }

    /// 409 conflict with a code.
    static func conflict(code: String, _ detail: String) -> Problem {
        Problem(.conflict, code: code, title: "Conflict", detail: detail)
    }

    /// 400 malformed request.
    static func badRequest(code: String = "bad_request", _ detail: String) -> Problem {
        Problem(.badRequest, code: code, title: "Bad request", detail: detail)
    }
}

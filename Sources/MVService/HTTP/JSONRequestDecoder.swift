import Foundation
import Hummingbird
import MVCore
import NIOCore
import NIOFoundationEssentialsCompat

/// The one request-body decoder (``AppRequestContext/requestDecoder``): JSON only, one pass, and every failure a clear
/// problem — 415 unless `Content-Type` is JSON, 413 past the context's body limit, 400 when the body is not a JSON
/// object, 422 `validation_failed` naming the field when a field has the wrong type or a required one is missing, or
/// when a string the route reads contains U+0000 (PostgreSQL text cannot store it; members the route ignores may).
struct JSONRequestDecoder: RequestDecoder {
    func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/") && contentType.contains("+json") else {
            throw Problem(
                .unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                detail: "Send the body as application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw Problem(
                .contentTooLarge, code: "body_too_large", title: "Body too large",
                detail: "JSON bodies are limited to \(context.maxUploadSize) bytes.")
        }
        let value: T
        do {
            value = try JSONCoding.decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        }
        if Self.mayContainNUL(buffer), let fields = Self.fieldsWithNUL(in: value), !fields.isEmpty {
            throw ValidationError(fields.map { FieldError(field: $0, message: "must not contain U+0000") })
        }
        return value
    }

    /// Whether the JSON text `body` has the escape `\u0000` anywhere: the only way a JSON string can hold U+0000 (raw
    /// control characters are not JSON), so without it no decoded string has one and the encoding pass is skipped.
    static func mayContainNUL(_ body: ByteBuffer) -> Bool {
        let escape = Array(#"\u0000"#.utf8)
        let bytes = body.readableBytesView
        var index = bytes.startIndex
        while let slash = bytes[index...].firstIndex(of: UInt8(ascii: "\\")) {
            if bytes[slash...].starts(with: escape) { return true }
            index = bytes.index(after: slash)
        }
        return false
    }

    /// The snake_case paths of the strings in `value` that contain U+0000, found by encoding what was decoded (so
    /// only the members the route reads count); nil when `value` cannot be encoded.
    static func fieldsWithNUL(in value: some Decodable) -> [String]? {
        guard let encodable = value as? any Encodable, let data = try? JSONCoding.encoder.encode(encodable) else { return nil }
        guard data.range(of: Data(#"\u0000"#.utf8)) != nil, let json = try? JSONCoding.decoder.decode(JSONValue.self, from: data) else {
            return []
        }
        var fields: [String] = []
        func walk(_ value: JSONValue, _ path: String) {
            switch value {
            case .string(let text) where text.unicodeScalars.contains("\0"): fields.append(path)
            case .array(let items): for (index, item) in items.enumerated() { walk(item, path + "[\(index)]") }
            case .object(let members): for (key, member) in members.sorted(by: { $0.key < $1.key }) { walk(member, path.isEmpty ? key : path + "." + key) }
            default: break
            }
        }
        walk(json, "")
        return fields
    }

    /// Syntax errors and a body that is not an object are 400; a bad field is 422 naming it.
    static func problem(for error: DecodingError) -> Problem {
        func path(_ keys: [any CodingKey]) -> String {
            var path = ""
            for key in keys {
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += (path.isEmpty ? "" : ".") + key.stringValue.snakeCased
                }
            }
            return path
        }
        let malformed = Problem.badRequest(code: "malformed_json", "The body is not a valid JSON object.")
        switch error {
        case .typeMismatch(let type, let context):
            guard !context.codingPath.isEmpty else { return malformed }
            return .invalid(path(context.codingPath), "must be \(DecodingError.describe(type))")
        case .valueNotFound(let type, let context):
            guard !context.codingPath.isEmpty else { return malformed }
            return .invalid(path(context.codingPath), "must be \(DecodingError.describe(type)), not null")
        case .keyNotFound(let key, let context):
            return .invalid(path(context.codingPath + [key]), "is required")
        case .dataCorrupted(let context):
            guard !context.codingPath.isEmpty else { return malformed }
            return .invalid(path(context.codingPath), context.debugDescription.hasPrefix("must") ? context.debugDescription : "is not valid")
        @unknown default:
            return malformed
        }
    }
}

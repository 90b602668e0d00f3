import Foundation
import Hummingbird
import NIOCore
import NIOFoundationEssentialsCompat

extension Request {
    /// Decodes a JSON body of at most `limit` bytes: 415 unless `Content-Type` is JSON, 413 past the limit,
    /// 400 when it is not JSON, 422 (`validation_failed`, naming the field) when a field has the wrong type or a
    /// required one is missing.
    func decodeJSON<T: Decodable>(as type: T.Type, limit: Int) async throws -> T {
        try JSONCoding.decoder.decodeBody(T.self, from: try await collectJSONData(limit: limit))
    }

    /// The body bytes, checked to be JSON of at most `limit` bytes (415, 413, 400 otherwise).
    func collectJSONData(limit: Int) async throws -> Data {
        let contentType = headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || contentType.hasPrefix("application/") && contentType.contains("+json") else {
            throw Problem(
                .unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                detail: "Send the body as application/json.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw Problem(
                .contentTooLarge, code: "body_too_large", title: "Body too large",
                detail: "JSON bodies are limited to \(limit) bytes.")
        }
        let data = Data(buffer: buffer)
        guard (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) is [String: Any] else {
            throw Problem.badRequest(code: "malformed_json", "The body is not a valid JSON object.")
        }
        return data
    }
}

extension JSONDecoder {
    /// Decodes `data`, turning decoding errors into a 422 naming the field.
    func decodeBody<T: Decodable>(_ type: T.Type, from data: Data) throws(Problem) -> T {
        do {
            return try decode(T.self, from: data)
        } catch let error as DecodingError {
            throw Problem.validation([error.fieldError])
        } catch {
            throw Problem.badRequest(code: "malformed_json", "The body is not valid JSON.")
        }
    }
}

extension DecodingError {
    /// The snake_case field and a plain message.
    var fieldError: Problem.FieldError {
        func path(_ context: Context, extra: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (extra.map { [$0] } ?? [])
            var path = ""
            for key in keys {
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += (path.isEmpty ? "" : ".") + snakeCase(key.stringValue)
                }
            }
            return path.isEmpty ? "body" : path
        }
        switch self {
        case .typeMismatch(let type, let context):
            return .init(field: path(context), message: "must be \(Self.jsonName(type))")
        case .valueNotFound(let type, let context):
            return .init(field: path(context), message: "must be \(Self.jsonName(type)), not null")
        case .keyNotFound(let key, let context):
            return .init(field: path(context, extra: key), message: "is required")
        case .dataCorrupted(let context):
            return .init(field: path(context), message: "is not valid")
        @unknown default:
            return .init(field: "body", message: "is not valid")
        }
    }

    private static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "a valid value"
        }
    }
}

private func snakeCase(_ name: String) -> String {
    var result = ""
    for character in name {
        if character.isUppercase {
            result += "_" + character.lowercased()
        } else {
            result.append(character)
        }
    }
    return result
}

import Foundation

/// Any JSON value: stored JSON (job results, provenance), provider fields whose shape varies (Replicate `output`),
/// problem extension members, and the parsed form of YAML configuration.
public enum JSONValue: Codable, Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses JSON text; nil when it is not JSON.
    public init?(json text: String) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else { return nil }
        self = value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            // Whole numbers print without a fraction, so credits and counts read as integers.
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// Encodes `value` with ``JSONCoding/encoder`` (snake_case) and reads it back as a JSON value.
    /// - Parameter value: Any encodable value.
    /// - Returns: Its JSON form.
    public static func encoding(_ value: some Encodable) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: try JSONCoding.encoder.encode(value))
    }

    /// Decodes the value as `T` with ``JSONCoding/decoder`` (snake_case keys).
    /// - Parameter type: The type to decode.
    /// - Returns: The decoded value.
    public func decode<T: Decodable>(as type: T.Type) throws -> T {
        try JSONCoding.decoder.decode(T.self, from: try Self.plainEncoder.encode(self))
    }

    /// The JSON text of the value as it is (keys sorted, UUID strings lowercase).
    public var data: Data {
        var data = (try? Self.plainEncoder.encode(self)) ?? Data("null".utf8)
        JSONCoding.lowercaseUUIDs(in: &data)
        return data
    }

    /// An encoder without key strategies: a JSON value's keys are written as they are.
    static var plainEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A string, or every element of a list of strings; `nil` for other shapes.
    public var strings: [String]? {
        switch self {
        case .string(let value): return [value]
        case .array(let values):
            var out: [String] = []
            for value in values {
                guard case .string(let text) = value else { return nil }
                out.append(text)
            }
            return out
        default: return nil
        }
    }

    /// A short text rendering, for error messages.
    public var text: String {
        switch self {
        case .string(let value): return value
        case .number(let value): return String(value)
        case .bool(let value): return String(value)
        case .null: return "null"
        case .array(let values): return "[" + values.map(\.text).joined(separator: ", ") + "]"
        case .object(let values): return "{" + values.map { "\($0.key): \($0.value.text)" }.sorted().joined(separator: ", ") + "}"
        }
    }
}

/// Any JSON value, for provider fields whose shape varies (Replicate `output`, `error`).
enum JSONValue: Decodable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: any Decoder) throws {
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

    /// A string, or every element of a list of strings; `nil` for other shapes.
    var strings: [String]? {
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

    /// A short text rendering (for error messages).
    var text: String {
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

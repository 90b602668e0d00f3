import Foundation
import Yams

extension YAMLField {
    /// The node as a JSON value: scalars resolve by their YAML tag (int, float, bool, null, else string).
    public var json: JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag {
            case Tag(.null): return .null
            case Tag(.bool): return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag(.int): return node.int.map { .number(Double($0)) } ?? .string(scalar.string)
            case Tag(.float): return node.float.map(JSONValue.number) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                object[key.string ?? ""] = YAMLField(node: value, path: path, file: file).json
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(sequence.map { YAMLField(node: $0, path: path, file: file).json })
        case .alias:
            return .null
        }
    }

    /// Decodes the node into `T` with snake_case keys; a mismatch names the key path and the reason.
    /// - Parameter type: The Decodable type.
    public func decode<T: Decodable>(_ type: T.Type) throws(ConfigError) -> T {
        do {
            return try json.decode(as: T.self)
        } catch let error as DecodingError {
            throw ConfigError(decoding: error, file: file, under: path)
        } catch {
            throw fail("cannot be read: \(error)")
        }
    }
}

extension ConfigError {
    /// A decoding error as a configuration error naming the dotted snake_case key path.
    /// - Parameters:
    ///   - error: The decoding error.
    ///   - file: The file being read.
    ///   - under: The key path the decoded value sits under.
    public init(decoding error: DecodingError, file: String, under prefix: String = "") {
        func dotted(_ keys: [any CodingKey]) -> String {
            var path = prefix
            for key in keys {
                if let index = key.intValue {
                    path += "[\(index)]"
                } else {
                    path += (path.isEmpty ? "" : ".") + key.stringValue.snakeCased
                }
            }
            return path
        }
        switch error {
        case .typeMismatch(let type, let context):
            self.init(file: file, key: dotted(context.codingPath), reason: "expected \(DecodingError.describe(type))")
        case .valueNotFound(let type, let context):
            self.init(file: file, key: dotted(context.codingPath), reason: "expected \(DecodingError.describe(type)), not null")
        case .keyNotFound(let key, let context):
            self.init(file: file, key: dotted(context.codingPath + [key]), reason: "missing")
        case .dataCorrupted(let context):
            self.init(file: file, key: dotted(context.codingPath), reason: context.debugDescription)
        @unknown default:
            self.init(file: file, key: prefix, reason: "cannot be read")
        }
    }
}

extension DecodingError {
    /// How a Swift type reads in a message about JSON or YAML (`an integer`, `a string`).
    public static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        default: "a valid value"
        }
    }
}

extension String {
    /// `camelCase` → `camel_case`, for naming fields as clients and files spell them.
    public var snakeCased: String {
        var result = ""
        for character in self {
            if character.isUppercase {
                if !result.isEmpty { result += "_" }
                result += character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

import Foundation
import Yams

/// Reads a small YAML configuration file as `Yams.Node`s and reports problems as `ConfigurationError`s
/// naming the file and the dotted key.
struct YAMLDocument {
    let file: String
    let root: Node.Mapping

    /// Loads `path` and requires a mapping at the top level.
    static func load(path: String) throws(ConfigurationError) -> YAMLDocument {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(file: path, key: "", reason: "cannot read file (\(error.localizedDescription))")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text; `file` is only used in errors.
    static func parse(_ text: String, file: String) throws(ConfigurationError) -> YAMLDocument {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError(file: file, key: "", reason: "invalid YAML: \(error)")
        }
        guard let mapping = node?.mapping else {
            throw ConfigurationError(file: file, key: "", reason: "expected a mapping at the top level")
        }
        return YAMLDocument(file: file, root: mapping)
    }

    func error(_ key: String, _ reason: String) -> ConfigurationError {
        ConfigurationError(file: file, key: key, reason: reason)
    }

    /// The mapping's entries as (key string, value), rejecting non-string and duplicate keys.
    func entries(of mapping: Node.Mapping, at path: String) throws(ConfigurationError) -> [(String, Node)] {
        var seen: Set<String> = []
        var result: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string, !key.isEmpty else {
                throw error(path, "keys must be non-empty strings")
            }
            let full = path.isEmpty ? key : "\(path).\(key)"
            guard seen.insert(key).inserted else {
                throw error(full, "duplicate key")
            }
            result.append((key, value))
        }
        return result
    }

    /// A nested mapping, or an error naming `path`.
    func mapping(_ node: Node, at path: String) throws(ConfigurationError) -> Node.Mapping {
        guard let mapping = node.mapping else {
            throw error(path, "expected a mapping")
        }
        return mapping
    }

    /// A non-negative integer scalar (plain YAML integer; no fractions, no quoted strings).
    func nonNegativeInteger(_ node: Node, at path: String) throws(ConfigurationError) -> Int64 {
        guard node.tag == Tag(.int), let value = node.int else {
            throw error(path, "must be a non-negative integer, got \(Self.show(node))")
        }
        guard value >= 0 else {
            throw error(path, "must be a non-negative integer, got \(value)")
        }
        return Int64(value)
    }

    /// A positive, finite number (plain YAML integer or float).
    func positiveNumber(_ node: Node, at path: String) throws(ConfigurationError) -> Double {
        guard node.tag == Tag(.int) || node.tag == Tag(.float), let value = node.float, value.isFinite, value > 0 else {
            throw error(path, "must be a positive number, got \(Self.show(node))")
        }
        return value
    }

    /// A short rendering of a node for error messages.
    static func show(_ node: Node) -> String {
        if let scalar = node.scalar {
            return "\"\(scalar.string)\""
        }
        return node.mapping != nil ? "a mapping" : "a sequence"
    }
}

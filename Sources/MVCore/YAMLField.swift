import Foundation
import Yams

/// A node of a YAML configuration file with its dotted key path: the one reader every module's configuration goes
/// through. Each accessor validates the node and reports problems as a ``ConfigError`` naming the file, the key path
/// and the reason, so a bad file stops the process with a message a person can act on.
///
/// ```swift
/// let root = try YAMLField.load(path: "configs/pricing.yaml")
/// for (model, price) in try root.child("video")?.entries() ?? [] {
///     prices[model] = try price.nonNegativeInteger()
/// }
/// ```
public struct YAMLField {
    /// The YAML node.
    public let node: Node
    /// Dotted key path from the document root (`video[1].features.durations`; empty for the root).
    public let path: String
    /// The file, as given to the loader (used in errors).
    public let file: String

    /// Creates a field; prefer ``load(path:)`` and ``parse(_:file:)``.
    public init(node: Node, path: String, file: String) {
        self.node = node
        self.path = path
        self.file = file
    }

    /// Reads `path` and requires a mapping at the top level.
    /// - Throws: ``ConfigError`` when the file cannot be read, is not YAML, or its root is not a mapping.
    public static func load(path: String) throws(ConfigError) -> YAMLField {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", reason: "cannot read the file")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text and requires a mapping at the top level (an empty document is an empty mapping).
    /// - Parameters:
    ///   - text: YAML text.
    ///   - file: Name used in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> YAMLField {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(file: file, key: "", reason: "not valid YAML: \(error)")
        }
        let root = node ?? Node.mapping(Node.Mapping([]))
        guard root.mapping != nil else {
            throw ConfigError(file: file, key: "", reason: "expected a mapping at the top level")
        }
        return YAMLField(node: root, path: "", file: file)
    }

    /// An error about this field.
    /// - Parameter reason: What is wrong.
    public func fail(_ reason: String) -> ConfigError {
        ConfigError(file: file, key: path, reason: reason + (node.mark.map { " (line \($0.line))" } ?? ""))
    }

    /// The value under `key` of this mapping, or nil when absent.
    public func child(_ key: String) -> YAMLField? {
        guard let value = node.mapping?[key] else { return nil }
        return YAMLField(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// The mapping's entries in document order, rejecting non-string and duplicate keys.
    public func entries() throws(ConfigError) -> [(key: String, value: YAMLField)] {
        guard let mapping = node.mapping else { throw fail("expected a mapping") }
        var seen: Set<String> = []
        var result: [(key: String, value: YAMLField)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string, !key.isEmpty else { throw fail("keys must be non-empty strings") }
            let field = YAMLField(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
            guard seen.insert(key).inserted else { throw field.fail("duplicate key") }
            result.append((key, field))
        }
        return result
    }

    /// Requires a mapping whose keys are all in `allowed`, so typos don't silently fall back to defaults.
    /// The error names this mapping's path and the unknown key.
    public func requireMapping(allowed: Set<String>) throws(ConfigError) {
        for (key, _) in try entries() where !allowed.contains(key) {
            throw fail("unknown key '\(key)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// The elements of a sequence, each with its index in the path.
    public func items() throws(ConfigError) -> [YAMLField] {
        guard let sequence = node.sequence else { throw fail("expected a list") }
        return sequence.enumerated().map { YAMLField(node: $0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    /// A non-empty string scalar.
    public func string() throws(ConfigError) -> String {
        guard let scalar = node.scalar, !scalar.string.isEmpty else { throw fail("expected a non-empty string") }
        return scalar.string
    }

    /// An integer scalar.
    public func int() throws(ConfigError) -> Int {
        guard let value = node.int else { throw fail("expected an integer, got \(shown)") }
        return value
    }

    /// A finite number.
    public func double() throws(ConfigError) -> Double {
        guard let value = node.float, value.isFinite else { throw fail("expected a number, got \(shown)") }
        return value
    }

    /// `true` or `false`.
    public func bool() throws(ConfigError) -> Bool {
        guard let value = node.bool else { throw fail("expected true or false, got \(shown)") }
        return value
    }

    /// A list of non-empty strings.
    public func strings() throws(ConfigError) -> [String] {
        var out: [String] = []
        for item in try items() { out.append(try item.string()) }
        return out
    }

    /// A list of integers.
    public func ints() throws(ConfigError) -> [Int] {
        var out: [Int] = []
        for item in try items() { out.append(try item.int()) }
        return out
    }

    /// A non-negative integer written as a plain YAML integer (no fraction, no quotes).
    public func nonNegativeInteger() throws(ConfigError) -> Int64 {
        guard node.tag == Tag(.int), let value = node.int else { throw fail("must be a non-negative integer, got \(shown)") }
        guard value >= 0 else { throw fail("must be a non-negative integer, got \(value)") }
        return Int64(value)
    }

    /// A positive, finite number (plain YAML integer or float).
    public func positiveNumber() throws(ConfigError) -> Double {
        guard node.tag == Tag(.int) || node.tag == Tag(.float), let value = node.float, value.isFinite, value > 0 else {
            throw fail("must be a positive number, got \(shown)")
        }
        return value
    }

    /// A short rendering of the node for error messages.
    public var shown: String {
        if let scalar = node.scalar { return "\"\(scalar.string)\"" }
        return node.mapping != nil ? "a mapping" : "a sequence"
    }
}

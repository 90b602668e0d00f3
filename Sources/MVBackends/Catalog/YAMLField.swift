import Yams

/// A YAML node plus its key path, for validating configuration with precise error messages.
struct YAMLField {
    let node: Node
    let path: String
    let file: String

    func fail(_ reason: String) -> CatalogError {
        CatalogError(file: file, key: path, reason: reason + (node.mark.map { " (line \($0.line))" } ?? ""))
    }

    func child(_ key: String) -> YAMLField? {
        guard let value = node.mapping?[key] else { return nil }
        return YAMLField(node: value, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// Rejects keys outside `allowed` so typos don't silently fall back to defaults.
    func requireMapping(allowed: Set<String>) throws(CatalogError) {
        guard let mapping = node.mapping else { throw fail("expected a mapping") }
        for key in mapping.keys {
            guard let name = key.string, allowed.contains(name) else {
                throw fail("unknown key '\(key.string ?? "?")' (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
        }
    }

    func items() throws(CatalogError) -> [YAMLField] {
        guard let sequence = node.sequence else { throw fail("expected a list") }
        return sequence.enumerated().map { YAMLField(node: $0.element, path: "\(path)[\($0.offset)]", file: file) }
    }

    func string() throws(CatalogError) -> String {
        guard let scalar = node.scalar, !scalar.string.isEmpty else { throw fail("expected a non-empty string") }
        return scalar.string
    }

    func int() throws(CatalogError) -> Int {
        guard let value = node.int else { throw fail("expected an integer") }
        return value
    }

    func double() throws(CatalogError) -> Double {
        guard let value = node.float, value.isFinite else { throw fail("expected a number") }
        return value
    }

    func bool() throws(CatalogError) -> Bool {
        guard let value = node.bool else { throw fail("expected true or false") }
        return value
    }

    func strings() throws(CatalogError) -> [String] {
        var out: [String] = []
        for item in try items() { out.append(try item.string()) }
        return out
    }

    func ints() throws(CatalogError) -> [Int] {
        var out: [Int] = []
        for item in try items() { out.append(try item.int()) }
        return out
    }
}

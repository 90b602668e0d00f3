import Hummingbird

extension HTTPFields {
    /// Sets a field given by a runtime name; invalid names are ignored.
    mutating func set(_ name: String, _ value: String) {
        if let field = HTTPFields.Element.Name(name) { self[field] = value }
    }
}

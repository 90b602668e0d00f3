/// A model catalog that could not be loaded: names the file, the key path and the reason.
public struct CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The YAML file.
    public var file: String
    /// Dotted key path, e.g. `video[1].features.durations` (empty for whole-file problems).
    public var key: String
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - file: File path.
    ///   - key: Key path.
    ///   - reason: Reason.
    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    /// `file: key: reason`.
    public var description: String { key.isEmpty ? "\(file): \(reason)" : "\(file): \(key): \(reason)" }
}

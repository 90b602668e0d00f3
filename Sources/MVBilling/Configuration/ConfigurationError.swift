/// A configuration file that cannot be used: names the file, the offending key and the reason.
///
/// `description` reads like `configs/pricing.yaml: video.mock: must be a non-negative integer, got "-1"`.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Path of the file as given to the loader.
    public var file: String
    /// Dotted key path inside the file (empty for the file as a whole).
    public var key: String
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - file: Path of the file.
    ///   - key: Dotted key path, or "" for the whole file.
    ///   - reason: What is wrong.
    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    /// `file: key: reason`, or `file: reason` when there is no key.
    public var description: String {
        key.isEmpty ? "\(file): \(reason)" : "\(file): \(key): \(reason)"
    }
}

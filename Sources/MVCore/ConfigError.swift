/// A configuration problem that stops the process: which file, which key, and why.
///
/// `description` reads like `configs/pricing.yaml: video.mock: must be a non-negative integer, got "-1"`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the bad value came from (or `environment` / `flags`).
    public var file: String
    /// Dotted key path of the bad value, e.g. `video[1].features.durations` (empty for the file as a whole).
    public var key: String
    /// What is wrong with it.
    public var reason: String

    /// Creates an error.
    /// - Parameters:
    ///   - file: The file (or `environment` / `flags`).
    ///   - key: Dotted key path, or "" for the whole file.
    ///   - reason: What is wrong.
    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    /// `file: key: reason`, or `file: reason` when there is no key.
    public var description: String { key.isEmpty ? "\(file): \(reason)" : "\(file): \(key): \(reason)" }
}

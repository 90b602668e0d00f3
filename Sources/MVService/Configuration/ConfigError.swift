/// A configuration problem that stops the process: which file, which key, and why.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The file (or `environment` / `flags`) the bad value came from.
    public var file: String
    /// Dotted key path of the bad value.
    public var key: String
    /// What is wrong with it.
    public var reason: String

    /// Creates an error.
    public init(file: String, key: String, reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(file): \(key): \(reason)" }
}

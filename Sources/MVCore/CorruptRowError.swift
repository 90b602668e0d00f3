/// A row held a value the schema's CHECK constraints or a function's contract should have excluded (e.g. an unknown
/// role, or no row where one always comes back).
public struct CorruptRowError: Error, Sendable, CustomStringConvertible {
    /// What was wrong, without row data.
    public var description: String

    /// Creates the error.
    /// - Parameter description: What was wrong, without row data.
    public init(description: String) {
        self.description = description
    }
}

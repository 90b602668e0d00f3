/// A row held a value the schema's CHECK constraints should have excluded (e.g. an unknown role).
struct CorruptRowError: Error, Sendable, CustomStringConvertible {
    /// What was wrong, without row data.
    var description: String
}

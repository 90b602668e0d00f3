/// One provider/model that was tried and failed before the final outcome.
public struct FailoverRecord: Codable, Sendable, Equatable {
    /// Provider name.
    public var provider: ProviderName
    /// Model id.
    public var model: String
    /// The failure, as `code: message`.
    public var error: String

    /// Creates a record.
    /// - Parameters:
    ///   - provider: Provider name.
    ///   - model: Model id.
    ///   - error: Failure summary.
    public init(provider: ProviderName, model: String, error: String) {
        self.provider = provider
        self.model = model
        self.error = error
    }
}

/// Which provider and model produced an output, and how the router got there.
public struct Provenance: Codable, Sendable, Equatable {
    /// Provider that produced the output.
    public var provider: ProviderName
    /// Model id that produced the output.
    public var model: String
    /// The provider's job id (prediction id, operation name), when there was one.
    public var providerJobID: String?
    /// Total provider calls made (first try, retries and failovers).
    public var attempts: Int
    /// Providers that failed before this one.
    public var failovers: [FailoverRecord]

    /// Creates a provenance record.
    /// - Parameters:
    ///   - provider: Provider name.
    ///   - model: Model id.
    ///   - providerJobID: Provider job id.
    ///   - attempts: Number of attempts.
    ///   - failovers: Earlier failures.
    public init(provider: ProviderName, model: String, providerJobID: String? = nil, attempts: Int = 1, failovers: [FailoverRecord] = []) {
        self.provider = provider
        self.model = model
        self.providerJobID = providerJobID
        self.attempts = attempts
        self.failovers = failovers
    }
}

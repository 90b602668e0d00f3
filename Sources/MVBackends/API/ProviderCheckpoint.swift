/// Identifies a provider-side job so that a restarted worker can resume polling it.
///
/// Saved by the service BEFORE the router waits on a provider job, and handed back on a rescued attempt.
public struct ProviderCheckpoint: Codable, Sendable, Equatable {
    /// Provider name (`replicate`, `gemini`, `mock`).
    public var provider: ProviderName
    /// Catalog model id the job runs on.
    public var model: String
    /// The provider's job id (Replicate prediction id, Gemini operation name).
    public var jobID: String
    /// The URL to poll, when the provider gave one.
    public var pollURL: String?

    /// Creates a checkpoint.
    /// - Parameters:
    ///   - provider: Provider name.
    ///   - model: Model id.
    ///   - jobID: Provider job id.
    ///   - pollURL: Poll URL, if any.
    // The raw values make snake_case coding round-trip (`job_id` ⇄ `jobId`); an acronym in a key would not.
    private enum CodingKeys: String, CodingKey {
        case provider, model
        case jobID = "jobId"
        case pollURL = "pollUrl"
    }

    public init(provider: ProviderName, model: String, jobID: String, pollURL: String? = nil) {
        self.provider = provider
        self.model = model
        self.jobID = jobID
        self.pollURL = pollURL
    }
}

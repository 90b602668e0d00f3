import Logging

/// Per-call state the router hands to a provider client.
struct CallContext: Sendable {
    var workDirectory: String
    var observer: any GenerationObserver
    /// The overall deadline of this generate call.
    var deadline: ContinuousClock.Instant
    var logger: Logger
}

/// A provider's output before the router adds provenance.
struct ProviderOutput<Value: Sendable>: Sendable {
    var value: Value
    var jobID: String?
    var usage: Usage
}

/// A produced clip and its duration.
struct VideoOutput: Sendable {
    var file: MediaFile
    var durationSeconds: Double
}

/// One provider family (Replicate, Gemini, mock). Clients throw ``ProviderError`` only.
protocol GenerationProvider: Sendable {
    var name: ProviderName { get }
    func video(_ request: VideoRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<VideoOutput>
    func images(_ request: ImageRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<[ImageOutcome]>
    func scenes(_ request: ScenesRequest, entry: ModelEntry, resume: ProviderCheckpoint?, context: CallContext) async throws(ProviderError)
        -> ProviderOutput<[Scene]>
}

/// Receives checkpoints and progress from the router while a generation runs.
///
/// ```swift
/// struct JobObserver: GenerationObserver {
///     func providerJobStarted(_ checkpoint: ProviderCheckpoint) async throws { try await store.save(checkpoint) }
///     func progress(_ fraction: Double, stage: String) async { await events.publish(fraction, stage) }
/// }
/// ```
public protocol GenerationObserver: Sendable {
    /// Called right after a provider accepted a job and before waiting on it. Must be persisted; if it throws, abort.
    /// - Parameter checkpoint: The job to resume on a later attempt.
    /// - Throws: Any error aborts the generation (the provider job is cancelled when possible).
    func providerJobStarted(_ checkpoint: ProviderCheckpoint) async throws
    /// 0...1 within this generation; stage like "submitting", "rendering", "downloading".
    /// - Parameters:
    ///   - fraction: Progress between 0 and 1.
    ///   - stage: A short stage name.
    func progress(_ fraction: Double, stage: String) async
}

/// An observer that ignores everything (useful in tools and tests).
public struct NoopGenerationObserver: GenerationObserver {
    /// Creates the observer.
    public init() {}
    /// Ignores the checkpoint.
    /// - Parameter checkpoint: Unused.
    public func providerJobStarted(_ checkpoint: ProviderCheckpoint) async throws {}
    /// Ignores progress.
    /// - Parameters:
    ///   - fraction: Unused.
    ///   - stage: Unused.
    public func progress(_ fraction: Double, stage: String) async {}
}

/// One look at a provider job.
enum PollStep<Value: Sendable>: Sendable {
    /// Finished successfully.
    case done(Value)
    /// Still running; `fraction` is a progress hint when the provider gives one.
    case pending(fraction: Double?)
    /// The poll itself failed in a way that may pass (5xx, timeout, 429).
    case transient(ProviderError)
}

/// Polls a provider job with growing intervals until it finishes, the deadline passes, too many
/// polls in a row fail, or the calling task is cancelled (then the job is cancelled at the provider).
struct JobPoller: Sendable {
    let provider: ProviderName
    let initialInterval: Duration
    let maxInterval: Duration
    let maxConsecutiveErrors: Int

    func poll<Value: Sendable>(
        deadline: ContinuousClock.Instant,
        observer: any GenerationObserver,
        cancel: @escaping @Sendable () async -> Void,
        step: () async throws(ProviderError) -> PollStep<Value>
    ) async throws(ProviderError) -> Value {
        var interval = initialInterval
        var errors = 0
        var polls = 0
        while true {
            if Task.isCancelled {
                await Self.runDetached(cancel)
                throw .canceled(provider: provider)
            }
            guard ContinuousClock.now < deadline else {
                await Self.runDetached(cancel)
                throw .timeout("provider job did not finish before the deadline", provider: provider, retryable: false)
            }
            var wait = interval
            switch try await step() {
            case .done(let value):
                return value
            case .pending(let fraction):
                errors = 0
                polls += 1
                let hint = fraction ?? (1 - 1 / (1 + Double(polls) / 10))
                await observer.progress(0.1 + 0.75 * min(max(hint, 0), 1), stage: "rendering")
            case .transient(let error):
                errors += 1
                guard errors < maxConsecutiveErrors else { throw error }
                if let after = error.retryAfter { wait = max(wait, after) }
            }
            let remaining = deadline - ContinuousClock.now
            do {
                try await Task.sleep(for: min(wait, max(remaining, .milliseconds(1))))
            } catch {
                await Self.runDetached(cancel)
                throw .canceled(provider: provider)
            }
            interval = min(maxInterval, interval * 1.5)
        }
    }

    /// Runs cleanup in an unstructured task so the caller's cancellation doesn't abort it (the work
    /// bounds itself with its own request timeout).
    static func runDetached(_ work: @escaping @Sendable () async -> Void) async {
        await Task { await work() }.value
    }
}

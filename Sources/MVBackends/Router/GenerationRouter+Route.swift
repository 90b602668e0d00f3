import Logging
import MVCore

extension GenerationRouter {
    typealias ProviderCall<Value: Sendable> =
        @Sendable (any GenerationProvider, ModelEntry, ProviderCheckpoint?) async throws(ProviderError) -> ProviderOutput<Value>

    /// Tries the candidates in order: retryable errors are retried on the same model (capped full-jitter
    /// backoff or `Retry-After`, within the retry budget and the deadline); non-retryable errors, an
    /// exhausted retry allowance or an open breaker fail over to the next candidate.
    func route<Value: Sendable>(
        capability: Capability,
        backend: BackendChoice,
        model: String?,
        needs: FeatureNeeds,
        resume: ProviderCheckpoint?,
        context: CallContext,
        call: ProviderCall<Value>
    ) async throws(ProviderError) -> (ProviderOutput<Value>, Provenance) {
        var candidates = try plan(capability: capability, backend: backend, model: model, needs: needs)
        var pendingResume: ProviderCheckpoint?
        if let resume, let index = candidates.firstIndex(where: { $0.provider == resume.provider && $0.model == resume.model }) {
            candidates.insert(candidates.remove(at: index), at: 0)
            pendingResume = resume
        }
        await context.observer.progress(0.02, stage: "submitting")
        var failovers: [FailoverRecord] = []
        var lastError: ProviderError?
        var attemptsTotal = 0
        var triedProviders = 0

        for entry in candidates {
            guard let provider = providers[entry.provider] else { continue }
            // Polling a job we already pay for is always allowed, even through an open breaker.
            let resuming = pendingResume != nil && pendingResume?.provider == entry.provider
            guard resuming || health.acquire(entry.provider) else {
                let error = ProviderError(code: .providerUnavailable, message: "circuit breaker open", provider: entry.provider, retryable: true)
                failovers.append(FailoverRecord(provider: entry.provider, model: entry.model, error: error.summary))
                lastError = lastError ?? error
                continue
            }
            triedProviders += 1
            var attempt = 0
            while true {
                if Task.isCancelled { throw .canceled(provider: entry.provider) }
                guard ContinuousClock.now < context.deadline else {
                    health.release(entry.provider)
                    throw ProviderError.timeout("overall deadline passed", provider: nil).with(failovers: failovers)
                }
                attempt += 1
                attemptsTotal += 1
                let resumeNow = pendingResume
                pendingResume = nil
                let started = ContinuousClock.now
                do throws(ProviderError) {
                    let output = try await call(provider, entry, resumeNow)
                    health.record(entry.provider, error: nil, countsAsFailure: false, latency: ContinuousClock.now - started)
                    budget.succeeded()
                    let provenance = Provenance(
                        provider: entry.provider, model: entry.model, providerJobID: output.jobID, attempts: attemptsTotal, failovers: failovers)
                    return (output, provenance)
                } catch {
                    if error.code == .canceled || Task.isCancelled {
                        health.release(entry.provider)
                        throw .canceled(provider: entry.provider)
                    }
                    health.record(
                        entry.provider, error: error, countsAsFailure: error.code.countsAgainstProvider, latency: ContinuousClock.now - started)
                    if error.code == .checkpointFailed { throw error }
                    if resumeNow != nil && error.code == .jobNotFound {
                        context.logger.info("resumed provider job is gone; starting a new one", metadata: ["provider": "\(entry.provider)"])
                        attempt -= 1
                        continue
                    }
                    lastError = error
                    context.logger.warning(
                        "provider call failed",
                        metadata: ["provider": "\(entry.provider)", "model": "\(entry.model)", "code": "\(error.code)", "attempt": "\(attempt)"]
                    )
                    guard let delay = retryDelay(after: error, attempt: attempt, deadline: context.deadline) else {
                        failovers.append(FailoverRecord(provider: entry.provider, model: entry.model, error: error.summary))
                        break
                    }
                    await context.observer.progress(0.05, stage: "retrying")
                    do {
                        try await Task.sleep(for: delay)
                    } catch {
                        throw .canceled(provider: entry.provider)
                    }
                }
            }
        }
        throw finalError(lastError: lastError, failovers: failovers, triedProviders: triedProviders)
    }

    /// The candidates, or why there are none.
    private func plan(capability: Capability, backend: BackendChoice, model: String?, needs: FeatureNeeds) throws(ProviderError) -> [ModelEntry] {
        let eligible = eligible(capability: capability, backend: backend, model: model)
        if eligible.isEmpty {
            if backend != .auto && backend != .mock && !(backend.provider.map(configuration.isConfigured) ?? true) && !usesMock(for: backend) {
                throw ProviderError(
                    code: .providerUnavailable, message: "\(backend.rawValue) is not configured", provider: nil, retryable: false)
            }
            let what = model.map { "model \($0)" } ?? "any model"
            throw .unsupportedFeature("no \(capability.rawValue) \(what) is available for backend \(backend.rawValue)")
        }
        let usable = eligible.filter { $0.unsupportedReason(for: needs) == nil }
        guard !usable.isEmpty else {
            let reasons = eligible.compactMap { $0.unsupportedReason(for: needs) }
            throw .unsupportedFeature(reasons.joined(separator: "; "))
        }
        return usable
    }

    /// How long to wait before retrying the same model, or `nil` to fail over.
    private func retryDelay(after error: ProviderError, attempt: Int, deadline: ContinuousClock.Instant) -> Duration? {
        guard error.retryable, attempt < configuration.maxAttemptsPerProvider else { return nil }
        if let wanted = error.retryAfter, wanted > configuration.maxRetryAfter { return nil }
        let delay = error.retryAfter ?? Backoff.fullJitter(attempt: attempt, base: configuration.retryBaseDelay, cap: configuration.retryMaxDelay)
        guard ContinuousClock.now + delay < deadline, budget.trySpend() else { return nil }
        return delay
    }

    private func finalError(lastError: ProviderError?, failovers: [FailoverRecord], triedProviders: Int) -> ProviderError {
        if triedProviders <= 1 && failovers.count <= 1, let lastError {
            return lastError.with(failovers: failovers)
        }
        let summary = failovers.map { "\($0.provider)/\($0.model): \($0.error)" }.joined(separator: "; ")
        return ProviderError(
            code: .allProvidersFailed,
            message: summary.isEmpty ? "no provider could serve the request" : summary,
            provider: nil,
            retryable: failovers.isEmpty || lastError?.retryable == true,
            failovers: failovers
        )
    }
}

extension ProviderError {
    func with(failovers: [FailoverRecord]) -> ProviderError {
        var copy = self
        copy.failovers = failovers
        return copy
    }
}

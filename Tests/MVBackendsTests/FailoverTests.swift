import Foundation
import MVFakeProviders
import Testing

@testable import MVBackends

struct FailoverTests {
    @Test func replicateDownFailsOverToGeminiKeepingSeedAndAspectRatio() async throws {
        try await Harness.run { router, replicate, gemini in
            replicate?.updateFaults { $0.createStatus = 500 }
            let request = VideoRequest(prompt: "a guitarist", aspectRatio: "9:16", durationSeconds: 8, seed: 1234)
            let result = try await router.generateVideo(
                request, resume: nil, workDirectory: try TestSupport.workDirectory(), observer: NoopGenerationObserver())
            #expect(result.provenance.provider == .gemini)
            #expect(result.provenance.failovers.map(\.provider) == [.replicate])
            #expect(result.provenance.failovers.first?.error.hasPrefix("provider_unavailable") == true)
            #expect(replicate?.counters.createRequests == 1, "a create that may have reached Replicate is never repeated")
            let body = try #require(gemini?.counters.lastVeoRequest)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            let parameters = try #require(json["parameters"] as? [String: Any])
            #expect(parameters["aspectRatio"] as? String == "9:16")
            #expect(parameters["seed"] as? Int == 1234)
            #expect(parameters["durationSeconds"] as? Int == 8)
        }
    }

    @Test func bothDownIsAllProvidersFailed() async throws {
        try await Harness.run { router, replicate, gemini in
            replicate?.updateFaults { $0.createStatus = 503 }
            gemini?.updateFaults { $0.status = 500 }
            let error = await Harness.failure { () async throws(ProviderError) in
                try await router.generateVideo(
                    VideoRequest(prompt: "x"), resume: nil, workDirectory: FileManager.default.temporaryDirectory.path,
                    observer: NoopGenerationObserver())
            }
            #expect(error?.code == "all_providers_failed")
            #expect(error?.failovers.map(\.provider) == [.replicate, .gemini])
        }
    }

    @Test func breakerOpensAfterThresholdThenHalfOpens() async throws {
        let clock = ManualClock()
        try await Harness.run(configure: { config in
            config.breakerFailureThreshold = 2
            config.breakerOpenDuration = .seconds(30)
            config.now = { clock.now }
        }) { router, replicate, _ in
            replicate?.updateFaults { $0.createStatus = 500 }
            let dir = try TestSupport.workDirectory()
            for _ in 0..<2 {
                let result = try await router.generateVideo(
                    VideoRequest(prompt: "x"), resume: nil, workDirectory: dir, observer: NoopGenerationObserver())
                #expect(result.provenance.provider == .gemini)
            }
            #expect(replicate?.counters.createRequests == 2)
            #expect(router.providerStatuses().first { $0.name == .replicate }?.breakerState == .open)
            let skipped = try await router.generateVideo(
                VideoRequest(prompt: "x"), resume: nil, workDirectory: dir, observer: NoopGenerationObserver())
            #expect(skipped.provenance.failovers.first?.error.contains("circuit breaker open") == true)
            #expect(replicate?.counters.createRequests == 2, "open breaker: Replicate not called")
            clock.advance(by: .seconds(31))
            #expect(router.providerStatuses().first { $0.name == .replicate }?.breakerState == .halfOpen)
            replicate?.updateFaults { $0.createStatus = nil }
            let probe = try await router.generateVideo(VideoRequest(prompt: "x"), resume: nil, workDirectory: dir, observer: NoopGenerationObserver())
            #expect(probe.provenance.provider == .replicate)
            #expect(router.providerStatuses().first { $0.name == .replicate }?.breakerState == .closed)
            let status = try #require(router.providerStatuses().first { $0.name == .replicate })
            #expect(status.recentCalls == 3)
            #expect(status.lastError?.hasPrefix("provider_unavailable") == true)
        }
    }

    @Test func rateLimitWithRetryAfterDelaysButSucceeds() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            replicate?.updateFaults {
                $0.rateLimitCreates = 2
                $0.retryAfterSeconds = 1
            }
            let started = ContinuousClock.now
            let result = try await router.generateVideo(
                VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: try TestSupport.workDirectory(),
                observer: NoopGenerationObserver())
            #expect(result.provenance.provider == .replicate)
            #expect(result.provenance.attempts == 3)
            #expect(replicate?.counters.createRequests == 3)
            #expect(replicate?.counters.predictionsCreated == 1)
            #expect(ContinuousClock.now - started >= .seconds(2), "Retry-After was honoured")
        }
    }

    @Test func geminiRetryInfoIsHonouredAndPerDayQuotaIsNot() async throws {
        try await Harness.run(replicate: false) { router, _, gemini in
            gemini?.updateFaults {
                $0.rateLimited = 1
                $0.retryDelay = "0.2s"
            }
            let ok = try await router.createScenes(ScenesRequest(prompt: "p", numberOfScenes: 1), resume: nil, observer: NoopGenerationObserver())
            #expect(ok.provenance.attempts == 2)
            gemini?.updateFaults {
                $0.rateLimited = 1
                $0.perDayQuota = true
            }
            let error = await Harness.failure { () async throws(ProviderError) in
                try await router.createScenes(ScenesRequest(prompt: "p", numberOfScenes: 1), resume: nil, observer: NoopGenerationObserver())
            }
            #expect(error?.code == "quota_exhausted")
            #expect(error?.retryable == false)
        }
    }

    @Test func resumeWithCheckpointPollsInsteadOfCreating() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            let dir = try TestSupport.workDirectory()
            let observer = RecordingObserver()
            _ = try await router.generateVideo(VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: dir, observer: observer)
            let checkpoint = try #require(observer.checkpoints.first)
            #expect(replicate?.counters.predictionsCreated == 1)
            let resumed = try await router.generateVideo(
                VideoRequest(prompt: "x", backend: .replicate), resume: checkpoint, workDirectory: dir, observer: NoopGenerationObserver())
            #expect(replicate?.counters.predictionsCreated == 1, "no second prediction")
            #expect(resumed.provenance.providerJobID == checkpoint.jobID)
        }
    }

    @Test func resumeOfGeminiOperationPollsIt() async throws {
        try await Harness.run(replicate: false) { router, _, gemini in
            let observer = RecordingObserver()
            let dir = try TestSupport.workDirectory()
            _ = try await router.generateVideo(VideoRequest(prompt: "x", backend: .gemini), resume: nil, workDirectory: dir, observer: observer)
            let checkpoint = try #require(observer.checkpoints.first)
            _ = try await router.generateVideo(
                VideoRequest(prompt: "x", backend: .gemini), resume: checkpoint, workDirectory: dir, observer: NoopGenerationObserver())
            #expect(gemini?.counters.operationsCreated == 1)
        }
    }

    @Test func failingCheckpointAbortsAndCancelsPrediction() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            let error = await Harness.failure { () async throws(ProviderError) in
                try await router.generateVideo(
                    VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: FileManager.default.temporaryDirectory.path,
                    observer: RecordingObserver(failCheckpoint: true))
            }
            #expect(error?.code == "checkpoint_failed")
            #expect(replicate?.counters.cancels == 1)
            #expect(replicate?.counters.polls == 0)
        }
    }

    @Test func unsupportedFeatureIsRejectedBeforeAnyCall() async throws {
        try await Harness.run { router, replicate, gemini in
            let error = await Harness.failure { () async throws(ProviderError) in
                try await router.generateVideo(
                    VideoRequest(prompt: "x", durationSeconds: 5), resume: nil, workDirectory: FileManager.default.temporaryDirectory.path,
                    observer: NoopGenerationObserver())
            }
            #expect(error?.code == "unsupported_feature")
            #expect(error?.retryable == false)
            #expect(replicate?.counters.createRequests == 0 && gemini?.counters.operationsCreated == 0)
            #expect(router.candidates(for: .video, backend: .auto, model: nil, needs: FeatureNeeds(durationSeconds: 5)).isEmpty)
            #expect(
                router.candidates(for: .video, backend: .auto, model: nil, needs: FeatureNeeds(durationSeconds: 8)).map(\.provider) == [
                    .replicate, .gemini,
                ])
        }
    }

    @Test func cancellationCancelsThePrediction() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            replicate?.updateFaults { $0.pollsBeforeDone = 1_000_000 }
            let observer = RecordingObserver()
            let dir = try TestSupport.workDirectory()
            let task = Task {
                try await router.generateVideo(VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: dir, observer: observer)
            }
            while (replicate?.counters.polls ?? 0) < 2 { await Task.yield() }
            task.cancel()
            let result = await task.result
            guard case .failure(let error) = result else {
                Issue.record("expected cancellation")
                return
            }
            #expect((error as? ProviderError)?.code == "canceled")
            #expect(replicate?.counters.cancels == 1)
        }
    }
}

extension FailoverTests {
    @Test func providerJobPastTheDeadlineIsCancelledAndTimesOut() async throws {
        try await Harness.run(gemini: false, configure: { $0.providerJobDeadline = .milliseconds(300) }) { router, replicate, _ in
            replicate?.updateFaults { $0.pollsBeforeDone = 1_000_000 }
            let error = await Harness.failure { () async throws(ProviderError) in
                try await router.generateVideo(
                    VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: FileManager.default.temporaryDirectory.path,
                    observer: NoopGenerationObserver())
            }
            #expect(error?.code == "timeout")
            #expect(replicate?.counters.cancels == 1)
            #expect(replicate?.counters.predictionsCreated == 1, "a job timeout fails over instead of paying for the same model again")
        }
    }
}

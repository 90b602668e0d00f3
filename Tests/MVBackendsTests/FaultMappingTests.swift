import Foundation
import MVFakeProviders
import Testing

@testable import MVBackends

struct FaultMappingTests {
    private static let dir = FileManager.default.temporaryDirectory.path

    func replicateVideoError(
        _ setup: @escaping @Sendable (inout FakeReplicateServer.Faults) -> Void, configure: @escaping (inout BackendsConfiguration) -> Void = { _ in }
    ) async throws -> (ProviderError?, FakeReplicateServer.Counters?) {
        var outcome: (ProviderError?, FakeReplicateServer.Counters?) = (nil, nil)
        try await Harness.run(gemini: false, configure: configure) { router, replicate, _ in
            replicate?.updateFaults(setup)
            let error = await Harness.failure { () async throws(ProviderError) in
                try await router.generateVideo(
                    VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: Self.dir, observer: NoopGenerationObserver())
            }
            outcome = (error, replicate?.counters)
        }
        return outcome
    }

    private func geminiError(
        video: Bool, _ setup: @escaping @Sendable (inout FakeGeminiServer.Faults) -> Void,
        configure: @escaping (inout BackendsConfiguration) -> Void = { _ in }
    ) async throws -> ProviderError? {
        var outcome: ProviderError?
        try await Harness.run(replicate: false, configure: configure) { router, _, gemini in
            gemini?.updateFaults(setup)
            outcome = await Harness.failure { () async throws(ProviderError) in
                if video {
                    _ = try await router.generateVideo(
                        VideoRequest(prompt: "x", backend: .gemini), resume: nil, workDirectory: Self.dir, observer: NoopGenerationObserver())
                } else {
                    _ = try await router.createScenes(
                        ScenesRequest(prompt: "x", numberOfScenes: 2, backend: .gemini), resume: nil, observer: NoopGenerationObserver())
                }
            }
        }
        return outcome
    }

    @Test func replicateRetiredModelIsNotRetried() async throws {
        let (error, counters) = try await replicateVideoError { $0.retiredModels = ["google/veo-3.1"] }
        #expect(error?.code == "model_retired")
        #expect(error?.retryable == false)
        #expect(counters?.createRequests == 1)
    }

    @Test func replicateBadTokenIsAuthFailed() async throws {
        let (error, _) = try await replicateVideoError({ _ in }, configure: { $0.replicateToken = "r8_wrong" })
        #expect(error?.code == "auth_failed")
        #expect(error?.httpStatus == 401)
    }

    @Test func replicateFailedPredictionsMapByReason() async throws {
        let (failed, _) = try await replicateVideoError {
            $0.finalStatus = "failed"
        }
        #expect(failed?.code == "generation_failed")
        let (policy, _) = try await replicateVideoError {
            $0.finalStatus = "failed"
            $0.failureMessage = "The input or output was flagged as sensitive (E005)"
        }
        #expect(policy?.code == "content_policy")
        #expect(policy?.retryable == false)
        let (aborted, _) = try await replicateVideoError { $0.finalStatus = "aborted" }
        #expect(aborted?.code == "generation_failed")
    }

    @Test func replicateStalledCreateTimesOutWithoutRetry() async throws {
        let (error, counters) = try await replicateVideoError(
            {
                $0.stall = true
                $0.stallLimit = .seconds(10)
            }, configure: { $0.requestTimeout = .milliseconds(300) })
        #expect(error?.code == "timeout")
        #expect(counters?.createRequests == 1)
    }

    @Test func replicateConnectionResetOnCreateFailsOver() async throws {
        let (error, counters) = try await replicateVideoError { $0.resetConnection = true }
        #expect(error?.code == "provider_unavailable")
        #expect(counters?.createRequests == 1)
    }

    @Test func replicateTruncatedJSONIsInvalidOutput() async throws {
        let (error, _) = try await replicateVideoError { $0.truncatedJSON = true }
        #expect(error?.code == "invalid_output")
    }

    @Test func replicateTruncatedDownloadIsNeverSuccess() async throws {
        let (error, counters) = try await replicateVideoError { $0.truncatedDownload = true }
        #expect(["download_failed", "invalid_output"].contains(error?.code ?? ""))
        #expect((counters?.downloads ?? 0) >= 1)
    }

    @Test func replicateDataRemovedIsInvalidOutput() async throws {
        let (error, _) = try await replicateVideoError { $0.dataRemoved = true }
        #expect(error?.code == "invalid_output")
    }

    @Test func replicateRateLimitWithoutRetryAfterUsesBackoffThenGivesUp() async throws {
        let (error, counters) = try await replicateVideoError {
            $0.rateLimitCreates = 10
            $0.retryAfterSeconds = nil
        }
        #expect(error?.code == "rate_limited")
        #expect(counters?.createRequests == 3)
    }

    @Test func replicateFlakyPollsAreRetriedInPlace() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            replicate?.updateFaults {
                $0.pollsBeforeDone = 6
                $0.serverErrorRate = 0
            }
            // First create succeeds, then polls hit a seeded 30% rate of 500s.
            let task = Task {
                try await router.generateVideo(
                    VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: Self.dir, observer: NoopGenerationObserver())
            }
            while (replicate?.counters.predictionsCreated ?? 0) < 1 { await Task.yield() }
            replicate?.updateFaults {
                $0.serverErrorRate = 0.3
                $0.serverErrorSeed = 7
            }
            let result = try await task.value
            #expect(result.provenance.provider == .replicate)
            #expect(replicate?.counters.predictionsCreated == 1)
            #expect((replicate?.counters.injectedServerErrors ?? 0) > 0, "the seeded 500s really happened")
        }
    }

    @Test(arguments: [FakeReplicateServer.OutputMode.dataURI, .list])
    func replicateOutputShapes(mode: FakeReplicateServer.OutputMode) async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            replicate?.updateFaults {
                $0.outputMode = mode
                $0.finishOnCreate = true
            }
            let result = try await router.generateVideo(
                VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: try TestSupport.workDirectory(),
                observer: NoopGenerationObserver())
            #expect(result.file.contentType == "video/mp4")
            #expect(replicate?.counters.polls == 0)
        }
    }

    @Test func outputWhileProcessingIsNotTakenAsDone() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            replicate?.updateFaults {
                $0.outputWhileProcessing = true
                $0.outputMode = .dataURI
                $0.pollsBeforeDone = 2
            }
            let result = try await router.generateVideo(
                VideoRequest(prompt: "x", backend: .replicate), resume: nil, workDirectory: try TestSupport.workDirectory(),
                observer: NoopGenerationObserver())
            #expect((replicate?.counters.polls ?? 0) >= 3)
            #expect(try await MediaProbe.probe(path: result.file.path).videoCodec == "h264")
        }
    }

    @Test func geminiBadKeyIsAuthFailedWithoutRetry() async throws {
        let error = try await geminiError(video: false, { _ in }, configure: { $0.geminiKey = "wrong" })
        #expect(error?.code == "auth_failed")
        #expect(error?.retryable == false)
    }

    @Test func geminiTextFailures() async throws {
        let maxTokens = try await geminiError(video: false) { $0.sceneMode = .maxTokensNoText }
        #expect(maxTokens?.code == "invalid_output")
        #expect(maxTokens?.message.contains("MAX_TOKENS") == true)
        let safety = try await geminiError(video: false) { $0.sceneMode = .safety }
        #expect(safety?.code == "content_policy")
        let blocked = try await geminiError(video: false) { $0.sceneMode = .promptBlocked }
        #expect(blocked?.code == "content_policy")
        let malformed = try await geminiError(video: false) { $0.sceneMode = .malformedJSON }
        #expect(malformed?.code == "invalid_output")
    }

    @Test(arguments: [(500, "provider_unavailable"), (503, "provider_unavailable"), (403, "auth_failed"), (404, "model_retired")])
    func geminiHTTPErrors(status: Int, code: String) async throws {
        let error = try await geminiError(video: false) { $0.status = status }
        #expect(error?.code.rawValue == code)
        #expect(error?.httpStatus == status)
    }

    @Test func geminiVeoOutcomes() async throws {
        let filtered = try await geminiError(video: true) { $0.veoOutcome = .filtered }
        #expect(filtered?.code == "content_policy")
        #expect(filtered?.retryable == false)
        let failed = try await geminiError(video: true) { $0.veoOutcome = .error }
        #expect(failed?.code == "generation_failed")
        let retired = try await geminiError(video: true) { $0.retiredModels = ["veo-3.1-generate-001"] }
        #expect(retired?.code == "model_retired")
        let truncated = try await geminiError(video: true) { $0.truncatedDownload = true }
        #expect(["download_failed", "invalid_output"].contains(truncated?.code ?? ""))
    }

    @Test func geminiOperationLookupErrors() async throws {
        let lost = try await geminiError(video: true) { $0.operationLookupStatus = 404 }
        #expect(lost?.code == "job_not_found")
        let flaky = try await geminiError(video: true) { $0.operationLookupStatus = 500 }
        #expect(flaky?.code == "provider_unavailable")
    }
}

extension FaultMappingTests {
    @Test(arguments: [(402, "quota_exhausted"), (422, "invalid_request"), (401, "auth_failed")])
    func replicateCreateStatuses(status: Int, code: String) async throws {
        let (error, counters) = try await replicateVideoErrorPublic { $0.createStatus = status }
        #expect(error?.code.rawValue == code)
        #expect(error?.retryable == false)
        #expect(counters?.createRequests == 1)
    }

    @Test func replicateFilesAPILimitIsInvalidRequest() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            replicate?.updateFaults { $0.maxFileBytes = 1000 }
            let dir = try TestSupport.workDirectory()
            let large = dir + "/large.png"
            FileManager.default.createFile(atPath: large, contents: Data(repeating: 1, count: 300 * 1024))
            let request = VideoRequest(prompt: "x", referenceImages: [MediaFile(path: large, contentType: "image/png")], backend: .replicate)
            let error = await Harness.failure { () async throws(ProviderError) in
                try await router.generateVideo(request, resume: nil, workDirectory: dir, observer: NoopGenerationObserver())
            }
            #expect(error?.code == "invalid_request")
            #expect(error?.httpStatus == 413)
            #expect(replicate?.counters.createRequests == 0)
        }
    }

    @Test func slowButTimelyAnswersSucceed() async throws {
        try await Harness.run { router, replicate, gemini in
            replicate?.updateFaults { $0.responseDelay = .milliseconds(200) }
            gemini?.updateFaults { $0.responseDelay = .milliseconds(200) }
            let video = try await router.generateVideo(
                VideoRequest(prompt: "x"), resume: nil, workDirectory: try TestSupport.workDirectory(), observer: NoopGenerationObserver())
            #expect(video.provenance.provider == .replicate)
            let scenes = try await router.createScenes(ScenesRequest(prompt: "x", numberOfScenes: 1), resume: nil, observer: NoopGenerationObserver())
            #expect(scenes.provenance.provider == .gemini)
        }
    }

    @Test func geminiStallTimesOutThenFailsOverToReplicate() async throws {
        try await Harness.run(configure: { $0.requestTimeout = .milliseconds(300) }) { router, _, gemini in
            gemini?.updateFaults {
                $0.stall = true
                $0.stallLimit = .seconds(10)
            }
            let result = try await router.createScenes(ScenesRequest(prompt: "x", numberOfScenes: 2), resume: nil, observer: NoopGenerationObserver())
            #expect(result.provenance.provider == .replicate)
            #expect(result.provenance.failovers.first?.error.hasPrefix("timeout") == true)
            #expect(result.provenance.attempts == 4, "3 attempts on Gemini (timeouts of generateContent are retryable), then Replicate")
        }
    }

    func replicateVideoErrorPublic(_ setup: @escaping @Sendable (inout FakeReplicateServer.Faults) -> Void) async throws -> (
        ProviderError?, FakeReplicateServer.Counters?
    ) {
        try await replicateVideoError(setup)
    }
}

import AsyncHTTPClient
import Foundation
import Testing

@testable import MVBackends

struct MockProviderTests {
    private func router(_ client: HTTPClient, mock: MockConfiguration = MockConfiguration()) -> GenerationRouter {
        GenerationRouter(
            configuration: BackendsConfiguration(replicateToken: nil, geminiKey: nil, mock: mock),
            catalog: ModelCatalog(entries: []),
            httpClient: client,
            logger: TestSupport.logger
        )
    }

    @Test(arguments: [("16:9", "720p", 1280, 720), ("9:16", "720p", 720, 1280), ("1:1", "1080p", 1080, 1080)])
    func mockVideoIsH264WithRequestedDurationAndSize(ratio: String, resolution: String, width: Int, height: Int) async throws {
        try await TestSupport.withHTTPClient { client in
            let dir = try TestSupport.workDirectory()
            let observer = RecordingObserver()
            let request = VideoRequest(
                prompt: "A neon city at night, it's 100% \"quoted\" : colon", aspectRatio: ratio, durationSeconds: 3, resolution: resolution, seed: 7)
            let result = try await router(client).generateVideo(request, resume: nil, workDirectory: dir, observer: observer)
            #expect(result.file.path.hasPrefix(dir))
            #expect(result.file.contentType == "video/mp4")
            let info = try await MediaProbe.probe(path: result.file.path)
            #expect(info.videoCodec == "h264")
            #expect(info.pixelFormat == "yuv420p")
            #expect(info.width == width && info.height == height)
            #expect(abs(info.durationSeconds - 3) < 0.15)
            #expect(info.audioCodec == "aac")
            #expect(result.provenance.provider == .mock)
            #expect(result.usage.videoSeconds == 3)
            #expect(observer.checkpoints.count == 1)
            #expect(observer.stages.last == "done")
        }
    }

    @Test func mockVideoWithoutAudioHasNoAudioStream() async throws {
        try await TestSupport.withHTTPClient { client in
            let request = VideoRequest(prompt: "silent", durationSeconds: 1, generateAudio: false)
            let result = try await router(client).generateVideo(
                request, resume: nil, workDirectory: try TestSupport.workDirectory(), observer: NoopGenerationObserver())
            let info = try await MediaProbe.probe(path: result.file.path)
            #expect(info.audioCodec == nil)
            #expect(info.videoCodec == "h264")
        }
    }

    @Test func mockImagesArePNGsWithSeedPlusIndex() async throws {
        try await TestSupport.withHTTPClient { client in
            let request = ImageRequest(prompt: "a portrait", numImages: 3, aspectRatio: "9:16", seed: 40)
            let result = try await router(client).generateImages(
                request, resume: nil, workDirectory: try TestSupport.workDirectory(), observer: NoopGenerationObserver())
            #expect(result.images.map(\.seed) == [40, 41, 42])
            #expect(result.usage.images == 3)
            for outcome in result.images {
                let file = try outcome.result.get()
                let info = try await MediaProbe.probe(path: file.path)
                #expect(info.videoCodec == "png")
                #expect(info.width == 720 && info.height == 1280)
            }
        }
    }

    @Test func mockScenesAreDeterministic() async throws {
        try await TestSupport.withHTTPClient { client in
            let router = router(client)
            let request = ScenesRequest(prompt: "A band plays on a rooftop", numberOfScenes: 4)
            let first = try await router.createScenes(request, resume: nil, observer: NoopGenerationObserver())
            let second = try await router.createScenes(request, resume: nil, observer: NoopGenerationObserver())
            #expect(first.scenes.count == 4)
            #expect(first.scenes == second.scenes)
            #expect(first.scenes.map(\.index) == [0, 1, 2, 3])
            #expect((first.usage.inputTokens ?? 0) > 0)
        }
    }

    @Test func mockFailureRateOneFailsNonRetryably() async throws {
        try await TestSupport.withHTTPClient { client in
            let router = router(client, mock: MockConfiguration(failureRate: 1))
            do {
                _ = try await router.generateVideo(
                    VideoRequest(prompt: "x", durationSeconds: 1), resume: nil, workDirectory: try TestSupport.workDirectory(),
                    observer: NoopGenerationObserver())
                Issue.record("expected a failure")
            } catch let error as ProviderError {
                #expect(error.code == "mock_failure")
                #expect(error.retryable == false)
            }
        }
    }

    @Test func cancellationStopsTheMockDelay() async throws {
        try await TestSupport.withHTTPClient { client in
            let router = router(client, mock: MockConfiguration(delayMin: 60, delayMax: 60))
            let dir = try TestSupport.workDirectory()
            let task = Task {
                try await router.generateVideo(
                    VideoRequest(prompt: "x", durationSeconds: 1), resume: nil, workDirectory: dir, observer: NoopGenerationObserver())
            }
            task.cancel()
            let result = await task.result
            guard case .failure(let error) = result else {
                Issue.record("expected cancellation")
                return
            }
            #expect((error as? ProviderError)?.code == "canceled")
        }
    }
}

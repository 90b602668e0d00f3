import Foundation
import MVFakeProviders
import Testing

@testable import MVBackends

struct ProviderSuccessTests {
    @Test func replicateMakesVideoWithMappedInputs() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            let dir = try TestSupport.workDirectory()
            let observer = RecordingObserver()
            let request = VideoRequest(
                prompt: "a drummer", negativePrompt: "blur", aspectRatio: "9:16", durationSeconds: 6, seed: 11, backend: .replicate)
            let result = try await router.generateVideo(request, resume: nil, workDirectory: dir, observer: observer)
            #expect(result.provenance.provider == .replicate)
            #expect(result.provenance.model == "google/veo-3.1")
            #expect(result.file.path.hasPrefix(dir))
            #expect(try await MediaProbe.probe(path: result.file.path).videoCodec == "h264")
            #expect(result.usage.videoSeconds == 6)
            #expect(observer.checkpoints.first?.jobID == result.provenance.providerJobID)
            let input = try #require(replicate?.counters.lastCreateInput)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(input.utf8)) as? [String: Any])
            #expect(json["duration"] as? Int == 6)
            #expect(json["aspect_ratio"] as? String == "9:16")
            #expect(json["seed"] as? Int == 11)
            #expect(json["negative_prompt"] as? String == "blur")
            #expect(replicate?.counters.lastPrefer == "wait=1")
        }
    }

    @Test func replicateSendsSmallReferenceInlineAndLargeThroughFilesAPI() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            let dir = try TestSupport.workDirectory()
            let media = try await FakeMedia.files()
            let small = dir + "/small.png"
            let large = dir + "/large.png"
            FileManager.default.createFile(atPath: small, contents: media.png)
            FileManager.default.createFile(atPath: large, contents: media.png + Data(repeating: 0, count: 300 * 1024))
            let refs = [MediaFile(path: small, contentType: "image/png"), MediaFile(path: large, contentType: "image/png")]
            let request = VideoRequest(prompt: "hero", durationSeconds: 8, referenceImages: refs, backend: .replicate)
            _ = try await router.generateVideo(request, resume: nil, workDirectory: dir, observer: NoopGenerationObserver())
            #expect(replicate?.counters.filesUploaded == 1)
            let input = try #require(replicate?.counters.lastCreateInput)
            #expect(input.contains("data:image/png;base64,"))
            #expect(input.contains("/v1/files/"))
        }
    }

    @Test func replicateMakesImagesOnePredictionEach() async throws {
        try await Harness.run(gemini: false) { router, replicate, _ in
            let request = ImageRequest(prompt: "portrait", numImages: 3, aspectRatio: "3:4", backend: .replicate)
            let observer = RecordingObserver()
            let result = try await router.generateImages(request, resume: nil, workDirectory: try TestSupport.workDirectory(), observer: observer)
            #expect(result.images.count == 3)
            #expect(result.images.allSatisfy { (try? $0.result.get().contentType) == "image/png" })
            #expect(replicate?.counters.predictionsCreated == 3)
            #expect(observer.checkpoints.count == 1)
            #expect(observer.checkpoints.first?.jobID.split(separator: ",").count == 3)
            #expect(result.usage.images == 3)
        }
    }

    @Test func replicateMakesScenesFromTextModel() async throws {
        try await Harness.run(gemini: false) { router, _, _ in
            let result = try await router.createScenes(
                ScenesRequest(prompt: "a band", numberOfScenes: 3, backend: .replicate), resume: nil, observer: NoopGenerationObserver())
            #expect(result.scenes.count == 3)
            #expect(result.provenance.provider == .replicate)
            #expect(result.scenes[2].description.contains("scene 3"))
        }
    }

    @Test func geminiMakesVideoAndKeepsKeyOffTheRedirect() async throws {
        try await Harness.run(replicate: false) { router, _, gemini in
            let observer = RecordingObserver()
            let request = VideoRequest(prompt: "a singer", aspectRatio: "16:9", durationSeconds: 8, backend: .gemini)
            let result = try await router.generateVideo(request, resume: nil, workDirectory: try TestSupport.workDirectory(), observer: observer)
            #expect(result.provenance.provider == .gemini)
            #expect(result.provenance.providerJobID?.hasPrefix("models/veo-3.1-generate-001/operations/") == true)
            #expect(observer.checkpoints.count == 1)
            #expect(try await MediaProbe.probe(path: result.file.path).videoCodec == "h264")
            #expect(gemini?.counters.downloads == 1)
            #expect(gemini?.counters.keyLeakedOnRedirect == 0)
        }
    }

    @Test func geminiInlineVideoBytesAreAccepted() async throws {
        try await Harness.run(replicate: false) { router, _, gemini in
            gemini?.updateFaults { $0.veoOutcome = .inlineBytes }
            let result = try await router.generateVideo(
                VideoRequest(prompt: "x", backend: .gemini), resume: nil, workDirectory: try TestSupport.workDirectory(),
                observer: NoopGenerationObserver())
            #expect(result.file.contentType == "video/mp4")
        }
    }

    @Test func geminiMakesImages() async throws {
        try await Harness.run(replicate: false) { router, _, gemini in
            let result = try await router.generateImages(
                ImageRequest(prompt: "p", numImages: 2, backend: .gemini), resume: nil, workDirectory: try TestSupport.workDirectory(),
                observer: NoopGenerationObserver())
            #expect(result.images.count == 2)
            #expect(result.usage.images == 2)
            #expect(gemini?.counters.imagePredictCalls == 1)
        }
    }

    @Test func geminiMakesScenesSkippingThoughts() async throws {
        try await Harness.run(replicate: false) { router, _, _ in
            let result = try await router.createScenes(
                ScenesRequest(prompt: "a band", numberOfScenes: 2), resume: nil, observer: NoopGenerationObserver())
            #expect(result.scenes.count == 2)
            #expect(!result.scenes[0].description.contains("Planning"))
            #expect(result.usage.inputTokens == 120)
            #expect(result.usage.outputTokens == 120)
            #expect(result.provenance.model == "gemini-2.5-flash")
        }
    }

    @Test func autoWithoutKeysUsesMockAndForceMockWins() async throws {
        try await Harness.run(replicate: false, gemini: false) { router, _, _ in
            #expect(router.candidates(for: .video, backend: .auto, model: nil, needs: .none).map(\.provider) == [.mock])
        }
        try await Harness.run(configure: { $0.forceMock = true }) { router, _, _ in
            #expect(router.candidates(for: .video, backend: .replicate, model: nil, needs: .none).map(\.provider) == [.mock])
        }
    }
}

import AsyncHTTPClient
import Foundation
import MVFakeProviders

@testable import MVBackends

/// Fakes + router wiring for provider tests, with fast polling and retry settings.
enum Harness {
    static func entry(_ capability: Capability, _ provider: ProviderName, _ model: String, seed: Bool = true) -> ModelEntry {
        var features = ModelFeatures()
        switch capability {
        case .video:
            features.maxReferenceImages = 3
            features.audio = true
            features.seed = seed
            features.negativePrompt = true
            features.durations = [4, 6, 8]
            features.resolutions = ["720p", "1080p"]
            features.aspectRatios = ["16:9", "9:16"]
        case .image:
            features.maxImages = 4
            features.aspectRatios = ["1:1", "16:9", "9:16", "3:4", "4:3"]
            features.outputFormats = ["png", "jpg"]
        case .scenes:
            break
        }
        return ModelEntry(capability: capability, provider: provider, model: model, features: features)
    }

    static let catalog = ModelCatalog(entries: [
        entry(.video, .replicate, "google/veo-3.1"),
        entry(.video, .gemini, "veo-3.1-generate-001"),
        entry(.image, .replicate, "google/imagen-4"),
        entry(.image, .gemini, "imagen-4.0-generate-001"),
        entry(.scenes, .gemini, "gemini-2.5-flash"),
        entry(.scenes, .replicate, "meta/meta-llama-3-70b-instruct"),
    ])

    static func configuration(replicate: FakeReplicateServer?, gemini: FakeGeminiServer?, clock: ManualClock? = nil) -> BackendsConfiguration {
        var config = BackendsConfiguration(
            replicateToken: replicate == nil ? nil : FakeReplicateServer.token,
            replicateBaseURL: replicate?.baseURL ?? "https://api.replicate.com",
            geminiKey: gemini == nil ? nil : FakeGeminiServer.apiKey,
            geminiBaseURL: gemini?.baseURL ?? "https://generativelanguage.googleapis.com"
        )
        config.pollInitialInterval = .milliseconds(5)
        config.pollMaxInterval = .milliseconds(20)
        config.retryBaseDelay = .milliseconds(5)
        config.retryMaxDelay = .milliseconds(20)
        config.requestTimeout = .seconds(2)
        config.downloadTimeout = .seconds(5)
        config.replicatePreferWaitSeconds = 1
        config.maxRetryAfter = .seconds(5)
        if let clock { config.now = { clock.now } }
        return config
    }

    /// Starts the fakes, runs `body`, always stops them and shuts the client down.
    static func run(
        replicate useReplicate: Bool = true,
        gemini useGemini: Bool = true,
        configure: (inout BackendsConfiguration) -> Void = { _ in },
        catalog: ModelCatalog = Harness.catalog,
        _ body: (GenerationRouter, FakeReplicateServer?, FakeGeminiServer?) async throws -> Void
    ) async throws {
        let replicate = useReplicate ? try await FakeReplicateServer.start() : nil
        let gemini = useGemini ? try await FakeGeminiServer.start() : nil
        let client = TestSupport.makeHTTPClient()
        var config = configuration(replicate: replicate, gemini: gemini)
        configure(&config)
        let router = GenerationRouter(configuration: config, catalog: catalog, httpClient: client, logger: TestSupport.logger)
        do {
            try await body(router, replicate, gemini)
        } catch {
            await replicate?.stop()
            await gemini?.stop()
            try? await client.shutdown()
            throw error
        }
        await replicate?.stop()
        await gemini?.stop()
        try await client.shutdown()
    }

    /// Runs a throwing call and returns its ProviderError (or records an issue when it succeeds).
    static func failure<T>(_ body: () async throws(ProviderError) -> T) async -> ProviderError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }
}

import Foundation
import Testing

@testable import MVBackends
import MVCore

struct ModelCatalogTests {
    private static let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("configs").path

    @Test func shippedCatalogLoads() throws {
        let catalog = try ModelCatalog.load(path: Self.configs + "/models.yaml")
        #expect(catalog.models(for: .video).first?.model == "google/veo-3.1")
        #expect(catalog.models(for: .image).contains { $0.provider == .gemini } == false, "disabled entries are not routed")
        #expect(catalog.entry(capability: .image, provider: .gemini, model: "imagen-4.0-generate-001")?.enabled == false)
        let veo = try #require(catalog.entry(capability: .video, provider: .replicate, model: "google/veo-3.1"))
        #expect(veo.unsupportedReason(for: FeatureNeeds(referenceImages: 1, durationSeconds: 6, aspectRatio: "16:9")) != nil)
        #expect(veo.unsupportedReason(for: FeatureNeeds(referenceImages: 1, durationSeconds: 8, aspectRatio: "16:9")) == nil)
        #expect(veo.cost.usd(for: Usage(videoSeconds: 8)) > 3.19)
    }

    @Test func routerOrdersShippedCatalogAndSkipsMissingFeatures() async throws {
        let catalog = try ModelCatalog.load(path: Self.configs + "/models.yaml")
        try await TestSupport.withHTTPClient { client in
            let config = BackendsConfiguration(replicateToken: "r8_x", geminiKey: "g")
            let router = GenerationRouter(configuration: config, catalog: catalog, httpClient: client, logger: TestSupport.logger)
            let withRefs = router.candidates(
                for: .video, backend: .auto, model: nil, needs: FeatureNeeds(referenceImages: 2, durationSeconds: 8, aspectRatio: "16:9"))
            #expect(withRefs.map(\.model) == ["google/veo-3.1", "veo-3.1-generate-001"])
            let pinned = router.candidates(for: .video, backend: .gemini, model: nil, needs: .none)
            #expect(pinned.map(\.provider) == [.gemini])
        }
    }

    @Test(arguments: [
        ("video:\n  - provider: replicat\n    model: a/b\n", "video[0].provider"),
        ("video:\n  - provider: replicate\n    model: nameonly\n", "video[0].model"),
        ("video:\n  - provider: mock\n    model: m\n    features:\n      durationz: [1]\n", "video[0].features"),
        ("video:\n  - provider: mock\n    model: m\n    features:\n      durations: [a]\n", "video[0].features.durations[0]"),
        ("video:\n  - provider: mock\n    model: m\n    cost:\n      usd_per_image: -1\n", "video[0].cost.usd_per_image"),
        ("videos: []\n", ""),
        ("version: 2\n", "version"),
    ])
    func badCatalogNamesKeyAndReason(yaml: String, key: String) {
        do {
            _ = try ModelCatalog.parse(yaml: yaml, file: "models.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "models.yaml")
            #expect(error.key == key)
            #expect(!error.reason.isEmpty)
        }
    }

    @Test func environmentConfiguration() {
        let config = BackendsConfiguration.fromEnvironment([
            "REPLICATE_API_KEY": "r8_key", "GEMINI_API_KEY": " ", "REPLICATE_BASE_URL": "http://127.0.0.1:9/v1/",
            "MOCK_VID_GENS": "true", "MOCK_VIDEO_DELAY_MIN": "2", "MOCK_VIDEO_DELAY_MAX": "1", "MOCK_FAILURE_RATE": "1.5",
        ])
        #expect(config.replicateToken == "r8_key")
        #expect(config.geminiKey == nil)
        #expect(config.replicateBaseURL == "http://127.0.0.1:9")
        #expect(config.forceMock)
        #expect(config.mock.delayMin == 2 && config.mock.delayMax == 2)
        #expect(config.mock.failureRate == 1)
    }
}

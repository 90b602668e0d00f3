import AsyncHTTPClient
import Foundation
import Logging

/// The one entry point the service uses: picks models from the catalog, calls providers with
/// retries, circuit breakers and failover, and reports provenance and usage.
///
/// ```swift
/// let router = GenerationRouter(configuration: .fromEnvironment(env), catalog: try .load(path: "configs/models.yaml"),
///                               httpClient: client, logger: logger)
/// let clip = try await router.generateVideo(request, resume: saved, workDirectory: tmp, observer: jobObserver)
/// ```
///
/// The `HTTPClient` must not follow redirects by itself (`redirectConfiguration: .disallow`): downloads
/// follow them one hop at a time so every target can be checked.
public final class GenerationRouter: Sendable {
    let configuration: BackendsConfiguration
    /// The catalog the router chooses models from.
    public let catalog: ModelCatalog
    let logger: Logger
    let providers: [ProviderName: any GenerationProvider]
    let health: ProviderHealth
    let budget: RetryBudget

    /// Creates a router.
    /// - Parameters:
    ///   - configuration: Keys, endpoints and policies.
    ///   - catalog: The model catalog.
    ///   - httpClient: Shared client for provider calls (owned and shut down by the caller).
    ///   - logger: Logger; secrets are never logged.
    public init(configuration: BackendsConfiguration, catalog: ModelCatalog, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.catalog = catalog
        self.logger = logger
        self.health = ProviderHealth(configuration: configuration)
        self.budget = RetryBudget(capacity: configuration.retryBudgetTokens, refillPerSuccess: configuration.retryBudgetRefillPerSuccess)
        var providers: [ProviderName: any GenerationProvider] = [.mock: MockProvider(configuration: configuration.mock)]
        for provider in ProviderFactory.remoteProviders(configuration: configuration, httpClient: httpClient, logger: logger) {
            providers[provider.name] = provider
        }
        self.providers = providers
    }

    /// Ordered candidate models (provider, model id) for pricing the hold: the service holds the max price among them.
    ///
    /// Mock models when `forceMock`, `backend == .mock`, or `auto` without any provider key; otherwise the
    /// catalog's enabled models of configured providers matching `backend` and `model` that meet `needs`.
    /// - Parameters:
    ///   - capability: What to generate.
    ///   - backend: Requested provider family.
    ///   - model: Explicit model id, optional.
    ///   - needs: Hard requirements.
    /// - Returns: Candidates in the order they would be tried (empty = the request can't be served).
    public func candidates(for capability: Capability, backend: BackendChoice, model: String?, needs: FeatureNeeds) -> [ModelEntry] {
        eligible(capability: capability, backend: backend, model: model).filter { $0.unsupportedReason(for: needs) == nil }
    }

    /// For GET /api/admin/providers.
    /// - Returns: One status per provider (`replicate`, `gemini`, `mock`).
    public func providerStatuses() -> [ProviderStatus] {
        ProviderName.allCases.map { health.status($0, configured: configuration.isConfigured($0)) }
    }

    /// Whether the router would serve this backend choice with the mock provider.
    /// - Parameter backend: Requested provider family.
    /// - Returns: `true` for mock mode.
    public func usesMock(for backend: BackendChoice) -> Bool {
        configuration.forceMock || backend == .mock
            || (backend == .auto && !configuration.isConfigured(.replicate) && !configuration.isConfigured(.gemini))
    }

    /// Models that match backend and model id, before feature checks.
    func eligible(capability: Capability, backend: BackendChoice, model: String?) -> [ModelEntry] {
        var entries: [ModelEntry]
        if usesMock(for: backend) {
            entries = catalog.models(for: capability).filter { $0.provider == .mock }
            if entries.isEmpty { entries = [Self.defaultMockEntry(capability)] }
            if let model, entries.contains(where: { $0.model == model }) { entries = entries.filter { $0.model == model } }
            return entries
        }
        entries = catalog.models(for: capability).filter { $0.provider != .mock && configuration.isConfigured($0.provider) }
        if backend != .auto { entries = entries.filter { $0.provider == backend.provider } }
        if let model { entries = entries.filter { $0.model == model } }
        return entries
    }

    /// Used when the catalog lists no mock model for a capability.
    static func defaultMockEntry(_ capability: Capability) -> ModelEntry {
        var features = ModelFeatures()
        features.maxReferenceImages = 4
        features.audio = true
        features.seed = true
        features.negativePrompt = true
        features.durations = Array(1...30)
        features.resolutions = ["720p", "1080p"]
        features.aspectRatios = ["16:9", "9:16", "1:1", "4:3", "3:4"]
        features.maxImages = 4
        features.outputFormats = ["png", "jpg"]
        return ModelEntry(capability: capability, provider: .mock, model: "mock-\(capability.rawValue)", features: features)
    }
}

import AsyncHTTPClient
import Logging

/// Builds the remote provider clients that have credentials.
enum ProviderFactory {
    static func remoteProviders(configuration: BackendsConfiguration, httpClient: HTTPClient, logger: Logger) -> [any GenerationProvider] {
        var providers: [any GenerationProvider] = []
        if let token = configuration.replicateToken, !token.isEmpty {
            providers.append(ReplicateClient(configuration: configuration, token: token, httpClient: httpClient))
        }
        if let key = configuration.geminiKey, !key.isEmpty {
            providers.append(GeminiClient(configuration: configuration, key: key, httpClient: httpClient))
        }
        return providers
    }
}

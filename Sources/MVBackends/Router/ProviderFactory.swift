import AsyncHTTPClient
import Logging

/// Builds the remote provider clients that have credentials.
enum ProviderFactory {
    static func remoteProviders(configuration: BackendsConfiguration, httpClient: HTTPClient, logger: Logger) -> [any GenerationProvider] {
        []
    }
}

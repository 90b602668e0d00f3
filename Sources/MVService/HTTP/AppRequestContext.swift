import Foundation
import Hummingbird
import MVAuth

/// Per-request state: who is calling (set by ``AuthMiddleware``).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller and the team they act for.
    public var principal: Principal?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// snake_case JSON with RFC 3339 dates.
    public var responseEncoder: JSONEncoder { JSONCoding.encoder }
    /// snake_case JSON with RFC 3339 dates.
    public var requestDecoder: JSONDecoder { JSONCoding.decoder }

    /// The caller, or 401.
    public func requirePrincipal() throws(Problem) -> Principal {
        guard let principal else { throw Problem.unauthorized() }
        return principal
    }
}

/// The API's JSON conventions.
public enum JSONCoding {
    /// snake_case keys, ISO 8601 dates.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// snake_case keys, ISO 8601 dates.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

import Foundation
import Hummingbird
import MVAuth
import MVCore

/// Per-request state: who is calling (set by ``AuthMiddleware``).
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The authenticated caller and the team they act for.
    var principal: Principal?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
    }

    /// The largest JSON body a route accepts (`limits.max_json_body_bytes`), set by ``ProblemMiddleware``.
    var maxJSONBodyBytes = 1 << 20

    /// Request bodies larger than this are refused with 413.
    var maxUploadSize: Int { maxJSONBodyBytes }
    /// snake_case JSON with RFC 3339 dates and lowercase UUIDs.
    var responseEncoder: JSONResponseEncoder { JSONResponseEncoder() }
    /// JSON bodies in one pass, with problems for every failure.
    var requestDecoder: JSONRequestDecoder { JSONRequestDecoder() }

    /// The caller, or 401.
    func requirePrincipal() throws(Problem) -> Principal {
        guard let principal else { throw Problem.unauthorized() }
        return principal
    }
}

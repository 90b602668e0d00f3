import Foundation
import Hummingbird
import NIOCore
import MVAuth
import MVCore

/// Per-request state: who is calling (set by ``AuthMiddleware``).
struct AppRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The authenticated caller and the team they act for.
    var principal: Principal?
    /// Whether ``principal``'s standing came from the standing cache (a read, or an admission whose statement checks
    /// the standing again) rather than from an exact lookup.
    var standingCached = false

    /// The client's address (for the audit log).
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Who acts in this request, and from where, for audit events.
    func auditActor(_ request: Request) -> AuditEvent.Actor {
        AuditEvent.Actor(
            userID: principal?.userID, keyID: principal?.apiKeyID,
            origin: AuditEvent.Origin(ip: remoteAddress?.ipAddress, userAgent: request.headers[.userAgent].map { String($0.prefix(300)) }))
    }

    /// The caller when `action` is allowed in their current team (role, narrowed by an API key's scopes), else 403.
    func require(_ action: TeamAction) throws(Problem) -> Principal {
        let principal = try requirePrincipal()
        guard Authorization.allows(principal, action) else {
            throw Problem.roleForbids(principal.role)
        }
        return principal
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

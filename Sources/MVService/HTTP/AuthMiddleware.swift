import Foundation
import Hummingbird
import JWTKit
import Logging
import MVAuth
import MVBilling
import MVCore
import PostgresNIO

/// Authenticates `Authorization: Bearer <token>`: an access JWT of ours (verified tokens are cached until they expire)
/// an API key (`mvk_…`), or a JWT of a configured external identity provider. Resolves the team (`X-MV-Team`, the key's team, or the default team) with the user's
/// current standing and role in one query, or from the ``StandingCache`` (which every standing change invalidates on
/// every instance through NOTIFY), and takes a token from the caller's `api` rate-limit bucket (leased in batches,
/// ``RateTokenLeases``). On the hot path an authenticated read therefore costs no query of its own. Stamps the
/// rate-limit header fields on the response, errors included.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let tokens: TokenIssuer
    let identities: any IdentityStore
    let tokenLeases: RateTokenLeases
    let standing: StandingCache
    let apiPolicy: RateLimitPolicy
    let postgres: PostgresClient
    let verifiedTokens: VerifiedTokenCache
    let keys: APIKeyStore
    /// Verifiers of the configured external identity providers, by issuer.
    let external: [String: ExternalTokenVerifier]
    let externalIdentities: ExternalIdentityStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], Self.isBearer(header) else {
            throw Problem.unauthorized()
        }
        let token = Self.trimmed(header.utf8.dropFirst("bearer ".utf8.count))
        var teamID: UUID?
        if let raw = request.headers[MVHeader.team] {
            guard let id = UUID(uuidString: raw) else { throw Problem.notFound("team") }
            teamID = id
        }
        // Reads may reuse a cached standing; anything that changes state asks PostgreSQL, so a demoted or disabled
        // caller's next write is refused exactly, whichever instance it reaches and however late a NOTIFY is.
        let reuse = request.method == .get || request.method == .head
        let (principal, decision) = if let key = APIKeySecret(parsing: token) {
            try await keyPrincipal(key, teamID: teamID)
        } else if let verifier = externalVerifier(for: token) {
            try await externalPrincipal(token, verifier: verifier, teamID: teamID, origin: context.auditActor(request).origin, reuse: reuse)
        } else {
            try await tokenPrincipal(token, teamID: teamID, reuse: reuse)
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "user"] = "\(principal.userID.lowercased)"
        context.logger[metadataKey: "team"] = "\(principal.teamID.lowercased)"
        guard decision.allowed else { throw Problem.rateLimited(decision) }
        // Every authenticated answer carries the rate-limit fields: the api bucket's, unless a generation route
        // already reported its own (stricter) policy.
        do {
            var response = try await next(request, context)
            if response.headers[MVHeader.rateLimitPolicy] == nil { response.headers.set(decision.httpFields) }
            return response
        } catch {
            var problem = ProblemMiddleware.problem(for: error, context: context)
            if problem.headers[MVHeader.rateLimitPolicy] == nil { problem.headers.set(decision.httpFields) }
            throw problem
        }
    }

    /// Whether an Authorization value starts with the scheme `Bearer ` (the scheme is case-insensitive, ASCII only).
    static func isBearer(_ header: String) -> Bool {
        let lowered: (UInt8) -> UInt8 = { (65...90).contains($0) ? $0 + 32 : $0 }
        return header.utf8.count > 7 && header.utf8.prefix(7).elementsEqual("bearer ".utf8) { lowered($0) == $1 }
    }

    /// The token of a bearer header without the spaces and tabs around it, read as UTF-8 bytes (a token is ASCII;
    /// Foundation's `trimmingCharacters` walked it as UTF-16 on every request).
    static func trimmed(_ bytes: Substring.UTF8View) -> String {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else { return "" }
        return String(Substring(bytes[first...last]))
    }

    /// An access token of ours: verified (or found in the cache of verified tokens), then, in parallel, the caller's
    /// standing in the team and a token from their `api` bucket.
    private func tokenPrincipal(_ token: String, teamID: UUID?, reuse: Bool) async throws -> (Principal, RateLimitDecision) {
        let claims: AccessClaims
        if let cached = verifiedTokens.claims(for: token) {
            claims = cached
        } else {
            do {
                claims = try await tokens.verifyAccessToken(token)
            } catch {
                throw Problem.unauthorized("The token is invalid or expired.")
            }
            verifiedTokens.insert(claims, for: token)
        }
        guard let userID = UUID(uuidString: claims.sub.value) else { throw Problem.unauthorized("The token is invalid or expired.") }
        return try await standing(userID: userID, teamID: teamID, reuse: reuse)
    }

    /// The verifier of the external issuer a JWT names, when it names a configured one (the claim is only read here,
    /// to choose keys; the verifier checks it).
    private func externalVerifier(for token: String) -> ExternalTokenVerifier? {
        guard !external.isEmpty, let issuer = JWTHeaderCheck.unverifiedIssuer(of: token) else { return nil }
        return external[issuer]
    }

    /// A JWT of an external identity provider: verified against its JWKS, its user (and organisation team) created or
    /// updated just in time, then the standing in the addressed team (`X-MV-Team`, else the organisation's team, else
    /// the personal team).
    private func externalPrincipal(
        _ token: String, verifier: ExternalTokenVerifier, teamID: UUID?, origin: AuditEvent.Origin, reuse: Bool
    ) async throws -> (Principal, RateLimitDecision) {
        let claims = try await verifier.verify(token)
        let identity = try ExternalIdentity(claims: claims, issuer: verifier.issuer)
        let (userID, organisationTeam) = try await externalIdentities.resolve(identity, origin: origin)
        return try await standing(userID: userID, teamID: teamID ?? organisationTeam, reuse: reuse)
    }

    /// The user's current standing in `teamID` (default team when nil), cached when `reuse` allows, and a token from
    /// their `api` bucket.
    private func standing(userID: UUID, teamID: UUID?, reuse: Bool) async throws -> (Principal, RateLimitDecision) {
        // The caller's standing and their api bucket are independent reads: ask both at once.
        async let standing = self.standing.principal(for: .user(userID, team: teamID), reuse: reuse) {
            try await identities.principal(userID: userID, teamID: teamID)
        }
        // The team's override of the api policy applies: the named team's, else the user's default team's.
        let overrides: RateLimitTeam = teamID.map(RateLimitTeam.team) ?? .defaultTeam(ofUser: userID)
        async let bucket = tokenLeases.take(key: "api:user:\(userID)", policy: apiPolicy, team: overrides, client: postgres)
        let decision = try await bucket
        guard let principal = try await standing else {
            if teamID != nil, try await identities.principal(userID: userID, teamID: nil) != nil {
                throw Problem.notFound("team")
            }
            throw Problem.unauthorized("The account is disabled or no longer exists.")
        }
        return (principal, decision)
    }

    /// An API key: the key, its creator's standing and role in the key's team in one statement, then a token from the
    /// creator's `api` bucket (a user's keys and sessions share one bucket). A key acts only in its own team.
    private func keyPrincipal(_ key: APIKeySecret, teamID: UUID?) async throws -> (Principal, RateLimitDecision) {
        // Not cached: the key's one statement also decides expiry to the second and keeps `last_used_at`.
        guard let principal = try await keys.principal(for: key) else {
            throw Problem.unauthorized("The API key is invalid, expired or revoked.")
        }
        if let teamID, teamID != principal.teamID { throw Problem.notFound("team") }
        let decision = try await tokenLeases.take(
            key: "api:user:\(principal.userID)", policy: apiPolicy, team: .team(principal.teamID), client: postgres)
        return (principal, decision)
    }
}

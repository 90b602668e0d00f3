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
            guard let id = UUID(parsing: raw) else { throw Problem.notFound("team") }
            teamID = id
        }
        // Reads may reuse a cached standing, and so may the admissions whose one statement checks the standing again
        // (``standingCheckingAdmissions``); anything else that changes state asks PostgreSQL, so a demoted or disabled
        // caller's next write is refused exactly, whichever instance it reaches and however late a NOTIFY is.
        let reuse = request.method == .get || request.method == .head
            || (request.method == .post && Self.standingCheckingAdmissions.contains(request.uri.path))
        let (principal, decision, cached) = if let key = APIKeySecret(parsing: token) {
            try await keyPrincipal(key, teamID: teamID)
        } else if let verifier = externalVerifier(for: token) {
            try await externalPrincipal(token, verifier: verifier, teamID: teamID, origin: context.auditActor(request).origin, reuse: reuse)
        } else {
            try await tokenPrincipal(token, teamID: teamID, reuse: reuse)
        }
        var context = context
        context.principal = principal
        context.standingCached = cached
        // Both keys in one assignment: a handler may re-render its metadata on every change (the stream handler does).
        var metadata = context.logger.handler.metadata
        metadata["user"] = .string(principal.userID.lowercased)
        metadata["team"] = .string(principal.teamID.lowercased)
        context.logger.handler.metadata = metadata
        guard decision.allowed else { throw Problem.rateLimited(decision) }
        // Every authenticated answer carries the rate-limit fields: the api bucket's, unless a generation route
        // already reported its own (stricter) policy.
        do {
            var response = try await next(request, context)
            if response.headers[MVHeader.rateLimitPolicy] == nil { response.headers.setRateLimitFields(decision.headers) }
            return response
        } catch {
            var error = error
            if cached, case AdmissionError.standingChanged = error {
                error = try await changedStanding(of: principal, teamID: teamID)
            }
            var problem = ProblemMiddleware.problem(for: error, context: context)
            if problem.headers[MVHeader.rateLimitPolicy] == nil { problem.headers.setRateLimitFields(decision.headers) }
            throw problem
        }
    }

    /// The admission routes whose one statement re-checks the caller's standing (`admit_job`'s `p_roles`, passed by
    /// ``GenerationController/admit(kind:spec:projectID:quote:key:principal:standingCached:request:holdReason:jobID:alsoWrite:)``
    /// when ``AppRequestContext/standingCached``): they may start from a cached standing without a query of their own.
    static let standingCheckingAdmissions: Set<String> = ["/api/mv/generate_video", "/api/mv/create_scenes", "/api/mv/generate_character_reference"]

    /// An admission found the cached standing it started from no longer holding: drops the user's cached standing and
    /// answers what the exact standing says, as if it had been looked up first (401 disabled or gone, 404 not in the
    /// named team, 403 a role that may not generate); 409 `standing_changed` if it holds again by now.
    private func changedStanding(of principal: Principal, teamID: UUID?) async throws -> Problem {
        standing.invalidate(userID: principal.userID)
        guard let exact = try await identities.principal(userID: principal.userID, teamID: teamID) else {
            return try await missingStanding(userID: principal.userID, teamID: teamID)
        }
        guard Authorization.allows(exact, .generate) else { return Problem.roleForbids(exact.role) }
        return Problem(AdmissionError.standingChanged)
    }

    /// The problem for a user without standing in `teamID`: 404 for a named team they are not in while their account
    /// stands, 401 when the account is disabled or gone.
    private func missingStanding(userID: UUID, teamID: UUID?) async throws -> Problem {
        if teamID != nil, try await identities.principal(userID: userID, teamID: nil) != nil {
            return Problem.notFound("team")
        }
        return Problem.unauthorized("The account is disabled or no longer exists.")
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

    /// An access token of ours: verified (or found in the cache of verified tokens), then a token from the caller's
    /// `api` bucket and their standing in the team.
    private func tokenPrincipal(_ token: String, teamID: UUID?, reuse: Bool) async throws -> (Principal, RateLimitDecision, cached: Bool) {
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
        guard let userID = UUID(parsing: claims.sub.value) else { throw Problem.unauthorized("The token is invalid or expired.") }
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
    ) async throws -> (Principal, RateLimitDecision, cached: Bool) {
        let claims = try await verifier.verify(token)
        let identity = try ExternalIdentity(claims: claims, issuer: verifier.issuer)
        let (userID, organisationTeam) = try await externalIdentities.resolve(identity, origin: origin)
        return try await standing(userID: userID, teamID: teamID ?? organisationTeam, reuse: reuse)
    }

    /// The user's current standing in `teamID` (default team when nil), cached when `reuse` allows, and a token from
    /// their `api` bucket.
    private func standing(userID: UUID, teamID: UUID?, reuse: Bool) async throws -> (Principal, RateLimitDecision, cached: Bool) {
        // One after the other, not `async let`: on the hot path both answer in process (a cached standing, a leased
        // token), and two child tasks per request cost more than the rare query they would overlap.
        // The team's override of the api policy applies: the named team's, else the user's default team's.
        let overrides: RateLimitTeam = teamID.map(RateLimitTeam.team) ?? .defaultTeam(ofUser: userID)
        let decision = try await tokenLeases.take(key: apiPolicy.bucketKey(user: userID), policy: apiPolicy, team: overrides, client: postgres)
        let found = try await self.standing.principal(for: .user(userID, team: teamID), reuse: reuse) {
            try await identities.principal(userID: userID, teamID: teamID)
        }
        guard let principal = found.principal else { throw try await missingStanding(userID: userID, teamID: teamID) }
        return (principal, decision, found.cached)
    }

    /// An API key: the key, its creator's standing and role in the key's team in one statement, then a token from the
    /// creator's `api` bucket (a user's keys and sessions share one bucket). A key acts only in its own team.
    private func keyPrincipal(_ key: APIKeySecret, teamID: UUID?) async throws -> (Principal, RateLimitDecision, cached: Bool) {
        // Not cached: the key's one statement also decides expiry to the second and keeps `last_used_at`.
        guard let principal = try await keys.principal(for: key) else {
            throw Problem.unauthorized("The API key is invalid, expired or revoked.")
        }
        if let teamID, teamID != principal.teamID { throw Problem.notFound("team") }
        let decision = try await tokenLeases.take(
            key: apiPolicy.bucketKey(user: principal.userID), policy: apiPolicy, team: .team(principal.teamID), client: postgres)
        return (principal, decision, false)
    }
}

import Foundation
import Hummingbird
import JWTKit
import Logging
import MVAuth
import MVBilling
import MVCore
import PostgresNIO

/// Authenticates `Authorization: Bearer <access JWT>` (verified tokens are cached until they expire), then, in
/// parallel, resolves the team (`X-MV-Team` or the default team) with the user's standing in one query (a disabled
/// user is refused on the very next request) and takes a token from the caller's `api` rate-limit bucket. Stamps the
/// rate-limit header fields on the response, errors included.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let tokens: TokenIssuer
    let identities: any IdentityStore
    let rateLimiter: RateLimiter
    let apiPolicy: RateLimitPolicy
    let postgres: PostgresClient
    let verifiedTokens: VerifiedTokenCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw Problem.unauthorized()
        }
        let token = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
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
        var teamID: UUID?
        if let raw = request.headers[MVHeader.team] {
            guard let id = UUID(uuidString: raw) else { throw Problem.notFound("team") }
            teamID = id
        }
        // The caller's standing and their api bucket are independent reads: ask both at once.
        async let standing = identities.principal(userID: userID, teamID: teamID)
        async let bucket = rateLimiter.take(key: "api:user:\(userID)", policy: apiPolicy, cost: 1, client: postgres)
        let decision = try await bucket
        guard let principal = try await standing else {
            if teamID != nil, try await identities.principal(userID: userID, teamID: nil) != nil {
                throw Problem.notFound("team")
            }
            throw Problem.unauthorized("The account is disabled or no longer exists.")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "user"] = "\(userID.lowercased)"
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
}

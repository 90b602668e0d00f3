import Foundation
import JWTKit
import Logging
import MVCore

/// Verifies one external issuer's JWTs against keys from its JWKS.
///
/// The key set is fetched on first use and cached. A token naming a `kid` the cache does not know triggers one
/// refetch (key rotation), at most once per refetch interval (a minute), so tokens with made-up kids cannot make us hammer the
/// provider; concurrent callers share one fetch. The header's `alg` must be one the issuer is configured with and a
/// `kid` is required — the token never picks the algorithm, `none` and HMAC never pass.
public actor ExternalTokenVerifier {
    /// Fewest seconds between two fetches of the key set, by default.
    public static let defaultRefetchInterval: Duration = .seconds(60)

    /// The issuer this verifier serves.
    public nonisolated let issuer: ExternalIssuer
    private let fetcher: any JWKSFetcher
    private let logger: Logger
    private let refetchInterval: Duration
    private let clock = ContinuousClock()
    private var keys = JWTKeyCollection()
    private var kids: Set<String> = []
    private var lastFetch: ContinuousClock.Instant?
    private var inflight: Task<Void, Never>?

    /// Creates a verifier; nothing is fetched until the first token.
    public init(
        issuer: ExternalIssuer, fetcher: any JWKSFetcher, refetchInterval: Duration = defaultRefetchInterval, logger: Logger
    ) {
        self.issuer = issuer
        self.refetchInterval = refetchInterval
        self.fetcher = fetcher
        self.logger = logger
    }

    /// The verified claims of `token`.
    /// - Throws: ``AuthError/invalidToken`` for any failure (header, unknown kid after a refetch, signature, time,
    ///   issuer, audience); never says which.
    public func verify(_ token: String) async throws(AuthError) -> ExternalClaims {
        guard let header = JWTHeaderCheck.header(of: token), let alg = header.alg, issuer.algorithms.contains(alg),
            let kid = header.kid, !kid.isEmpty
        else { throw .invalidToken }
        if !kids.contains(kid) { await refetchIfAllowed() }
        guard kids.contains(kid) else { throw .invalidToken }
        let claims: ExternalClaims
        do {
            claims = try await keys.verify(token, as: ExternalClaims.self)
        } catch {
            throw .invalidToken
        }
        guard claims.string("iss") == issuer.issuer, claims.hasAudience(issuer.audience) else { throw .invalidToken }
        return claims
    }

    /// Fetches the key set unless a fetch ran within the refetch interval; joins a fetch already running.
    private func refetchIfAllowed() async {
        if let inflight {
            await inflight.value
            return
        }
        if let lastFetch, clock.now - lastFetch < refetchInterval { return }
        lastFetch = clock.now
        let task = Task { await self.fetch() }
        inflight = task
        await task.value
        inflight = nil
    }

    private func fetch() async {
        do {
            let data = try await fetcher.jwks(at: issuer.jwksURL)
            let jwks = try JSONDecoder().decode(JWKS.self, from: data)
            let fresh = JWTKeyCollection()
            var fetched: Set<String> = []
            for jwk in jwks.keys {
                guard let kid = jwk.keyIdentifier else { continue }
                // Only asymmetric keys; a key the library cannot use is skipped, not fatal.
                guard jwk.keyType == .rsa || jwk.keyType == .ecdsa else { continue }
                do {
                    try await fresh.add(jwk: jwk)
                    fetched.insert(kid.string)
                } catch {
                    logger.warning("skipping an unusable JWKS key", metadata: ["issuer": "\(issuer.issuer)", "kid": "\(kid.string)"])
                }
            }
            // The first key added becomes the default, which would verify tokens with an unknown kid.
            await fresh.clearDefault()
            keys = fresh
            kids = fetched
            logger.info("fetched JWKS", metadata: ["issuer": "\(issuer.issuer)", "keys": "\(fetched.count)"])
        } catch {
            logger.warning("JWKS fetch failed", metadata: ["issuer": "\(issuer.issuer)", "error": "\(String(describing: error).prefix(200))"])
        }
    }
}

import Crypto
import Foundation
import JWTKit
import MVCore
import NIOPosix

/// Issues and verifies access tokens: ES256 JWTs with `iss`, `aud`, `sub` (user id), `exp`, `iat`, `nbf`, `jti`
/// and a `kid` header.
///
/// ```swift
/// let issuer = try await TokenIssuer.load(
///     pem: nil, keyPath: "data/keys/access.pem", issuer: "mv-service", audience: "mv-api", accessTTL: .seconds(900))
/// let (token, expiresIn) = try await issuer.issueAccessToken(userID: user.id)
/// let claims = try await issuer.verifyAccessToken(token)      // throws AuthError.invalidToken on any problem
/// ```
public actor TokenIssuer {
    /// The only algorithm issued and accepted.
    static let algorithm = "ES256"

    private let keys: JWTKeyCollection
    private let issuer: String
    private let audience: String
    private let ttlSeconds: Int
    private let jwks: String

    /// The signing key's id: the first 16 hex characters of SHA-256 over the public key's DER (SPKI).
    public nonisolated let keyID: String

    private init(privateKey: P256.Signing.PrivateKey, issuer: String, audience: String, accessTTL: Duration) async throws {
        let kid = SHA256.hash(data: privateKey.publicKey.derRepresentation)
            .prefix(8).hexString
        let signingKey = try ES256PrivateKey(backing: privateKey)
        guard let (x, y) = signingKey.publicKey.parameters else { throw SecretFileError.invalidKey(source: "parameters") }
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: signingKey, kid: JWKIdentifier(string: kid))
        // The first key added becomes the default, which would verify tokens with a missing or unknown kid.
        await keys.clearDefault()
        self.keys = keys
        self.keyID = kid
        self.issuer = issuer
        self.audience = audience
        self.ttlSeconds = max(1, Int(accessTTL.components.seconds))
        self.jwks = try JWKSDocument(keys: [.init(x: x, y: y, kid: kid)]).json()
    }

    /// Loads (or creates) the ES256 signing key and builds an issuer.
    ///
    /// Key source, first match wins: `pem` (from config; blank counts as absent); the file at `keyPath` (created
    /// with a fresh key, mode 0600, parent directories included, when missing); otherwise an in-memory key
    /// that dies with the process (tokens then do not survive a restart — tests only).
    /// - Parameters:
    ///   - pem: A P-256 private key in PEM (SEC1 or PKCS#8), or `nil`.
    ///   - keyPath: Where the key file lives, or `nil`.
    ///   - issuer: The `iss` value written and required.
    ///   - audience: The `aud` value written and required.
    ///   - accessTTL: Access-token lifetime (~15 minutes); at least one second.
    /// - Returns: The issuer.
    /// - Throws: ``SecretFileError`` when the key cannot be parsed, read or written.
    public static func load(
        pem: String?,
        keyPath: String?,
        issuer: String,
        audience: String,
        accessTTL: Duration
    ) async throws -> TokenIssuer {
        let privateKey: P256.Signing.PrivateKey
        if let pem, !pem.trimmingWhitespaceAndNewlines().isEmpty {
            privateKey = try parse(pem, source: "config")
        } else if let keyPath {
            let filePEM = try await NIOThreadPool.singleton.runIfActive {
                try SecretFile.loadOrCreate(path: keyPath) { P256.Signing.PrivateKey().pemRepresentation }
            }
            privateKey = try parse(filePEM, source: keyPath)
        } else {
            privateKey = P256.Signing.PrivateKey()
        }
        return try await TokenIssuer(privateKey: privateKey, issuer: issuer, audience: audience, accessTTL: accessTTL)
    }

    /// Signs a new access token for a user.
    /// - Parameter userID: The subject.
    /// - Returns: The compact JWT and its lifetime in seconds (for `expires_in`).
    /// - Throws: A jwt-kit error if signing fails.
    public func issueAccessToken(userID: UUID) async throws -> (token: String, expiresIn: Int) {
        // Whole seconds, so the claims compare equal after a round trip.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = AccessClaims(
            iss: IssuerClaim(value: issuer),
            aud: AudienceClaim(value: [audience]),
            sub: SubjectClaim(value: userID.uuidString.lowercased()),
            exp: ExpirationClaim(value: now.addingTimeInterval(TimeInterval(ttlSeconds))),
            iat: IssuedAtClaim(value: now),
            nbf: NotBeforeClaim(value: now),
            jti: IDClaim(value: UUID().uuidString.lowercased())
        )
        let token = try await keys.sign(claims, kid: JWKIdentifier(string: keyID))
        return (token, ttlSeconds)
    }

    /// Verifies an access token: header `alg` must be ES256 and `kid` ours; signature by our key only;
    /// `exp`/`nbf` with 30 s leeway; `iss` and `aud` must match; `sub` must be a UUID.
    /// - Parameter token: The compact JWT from `Authorization: Bearer`.
    /// - Returns: The verified claims.
    /// - Throws: ``AuthError/invalidToken`` on ANY failure (`alg: none`, HS256-with-public-key forgeries,
    ///   unknown or missing `kid`, bad signature, expiry, wrong issuer/audience, malformed input).
    public func verifyAccessToken(_ token: String) async throws(AuthError) -> AccessClaims {
        guard JWTHeaderCheck.accepts(token, alg: Self.algorithm, kid: keyID) else { throw .invalidToken }
        do {
            let claims = try await keys.verify(token, as: AccessClaims.self)
            guard claims.iss.value == issuer, claims.userID != nil else { throw AuthError.invalidToken }
            try claims.aud.verifyIntendedAudience(includes: audience)
            return claims
        } catch {
            // jwt-kit may throw non-JWTError errors (e.g. CryptoKitError) for forged tokens; all look the same.
            throw .invalidToken
        }
    }

    /// The JWKS document (`{"keys":[{"kty":"EC","crv":"P-256","x":…,"y":…,"kid":…,"alg":"ES256","use":"sig"}]}`).
    /// - Returns: The JSON text, computed once at load.
    public nonisolated func jwksJSON() -> String {
        jwks
    }

    private static func parse(_ pem: String, source: String) throws(SecretFileError) -> P256.Signing.PrivateKey {
        do {
            return try P256.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw .invalidKey(source: source)
        }
    }
}

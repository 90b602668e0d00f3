import Crypto
import Foundation
import JWTKit
import MVAuth
import Testing

/// Access tokens: what `TokenIssuer` signs verifies with the documented claims; tokens that are expired, not yet
/// valid, for another audience or issuer, signed by another key, unsigned, HMAC-signed or tampered are refused —
/// each with `AuthError.invalidToken` and nothing else.
struct TokenIssuerTests {
    static let pem = P256.Signing.PrivateKey().pemRepresentation

    static func issuer(issuer: String = "mv-service", audience: String = "mv-api", ttl: Duration = .seconds(900)) async throws -> TokenIssuer {
        try await TokenIssuer.load(pem: pem, keyPath: nil, issuer: issuer, audience: audience, accessTTL: ttl)
    }

    /// Signs `claims` with `pem` (default: the issuer's own key) under `kid`, bypassing every check of `TokenIssuer`.
    static func sign(_ claims: AccessClaims, kid: String, pem: String = Self.pem) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(pem: pem), kid: JWKIdentifier(string: kid))
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// Claims as the issuer would write them, shifted in time and free to be wrong.
    static func claims(
        sub: String = UUID().uuidString.lowercased(), issuedSecondsAgo: Double = 0, ttl: Double = 900,
        issuer: String = "mv-service", audience: String = "mv-api"
    ) -> AccessClaims {
        let now = Date().addingTimeInterval(-issuedSecondsAgo)
        return AccessClaims(
            iss: IssuerClaim(value: issuer), aud: AudienceClaim(value: [audience]), sub: SubjectClaim(value: sub),
            exp: ExpirationClaim(value: now.addingTimeInterval(ttl)), iat: IssuedAtClaim(value: now),
            nbf: NotBeforeClaim(value: now), jti: IDClaim(value: UUID().uuidString))
    }

    @Test func issuedTokenVerifiesWithItsClaims() async throws {
        let tokens = try await Self.issuer()
        let user = UUID()
        let (token, expiresIn) = try await tokens.issueAccessToken(userID: user)
        #expect(expiresIn == 900)
        let claims = try await tokens.verifyAccessToken(token)
        #expect(claims.userID == user)
        #expect(claims.sub.value == user.uuidString.lowercased())
        #expect(claims.iss.value == "mv-service")
        #expect(claims.aud.value == ["mv-api"])
        #expect(claims.exp.value.timeIntervalSince(claims.iat.value) == 900)
        #expect(claims.nbf.value == claims.iat.value)
        #expect(abs(claims.iat.value.timeIntervalSinceNow) < 60)
        #expect(tokens.keyID.count == 16 && tokens.keyID.allSatisfy(\.isHexDigit))
        #expect(tokens.jwksJSON().contains(#""kid":"\#(tokens.keyID)""#))
        // Every token is unique, even for the same user in the same second.
        #expect(try await tokens.issueAccessToken(userID: user).token != token)
    }

    @Test func sameKeySameKeyID() async throws {
        #expect(try await Self.issuer().keyID == Self.issuer(audience: "elsewhere").keyID)
        let other = try await TokenIssuer.load(pem: nil, keyPath: nil, issuer: "mv-service", audience: "mv-api", accessTTL: .seconds(60))
        #expect(try await Self.issuer().keyID != other.keyID)
    }

    @Test func selfSignedTokenWithinLeewayIsAccepted() async throws {
        // The control for the refusals below: the hand-signing path itself produces tokens the issuer accepts.
        let tokens = try await Self.issuer()
        let expiredFiveSecondsAgo = Self.claims(issuedSecondsAgo: 905)  // inside the 30 s leeway
        let claims = try await tokens.verifyAccessToken(try await Self.sign(expiredFiveSecondsAgo, kid: tokens.keyID))
        #expect(claims.sub == expiredFiveSecondsAgo.sub)
    }

    @Test func expiredTokenIsRefused() async throws {
        let tokens = try await Self.issuer()
        let token = try await Self.sign(Self.claims(issuedSecondsAgo: 960), kid: tokens.keyID)  // expired 60 s ago
        await #expect(throws: AuthError.invalidToken) { try await tokens.verifyAccessToken(token) }
    }

    @Test func notYetValidTokenIsRefused() async throws {
        let tokens = try await Self.issuer()
        let token = try await Self.sign(Self.claims(issuedSecondsAgo: -120), kid: tokens.keyID)
        await #expect(throws: AuthError.invalidToken) { try await tokens.verifyAccessToken(token) }
    }

    @Test func tokenForAnotherAudienceIsRefused() async throws {
        let ours = try await Self.issuer(audience: "mv-api")
        let theirs = try await Self.issuer(audience: "billing-api")  // same key: only the audience differs
        let (token, _) = try await theirs.issueAccessToken(userID: UUID())
        #expect(try await theirs.verifyAccessToken(token).userID != nil)
        await #expect(throws: AuthError.invalidToken) { try await ours.verifyAccessToken(token) }
    }

    @Test func tokenFromAnotherIssuerIsRefused() async throws {
        let ours = try await Self.issuer()
        let (token, _) = try await Self.issuer(issuer: "someone-else").issueAccessToken(userID: UUID())
        await #expect(throws: AuthError.invalidToken) { try await ours.verifyAccessToken(token) }
    }

    @Test func tokenSignedByAnotherKeyUnderOurKeyIDIsRefused() async throws {
        let tokens = try await Self.issuer()
        let otherPEM = P256.Signing.PrivateKey().pemRepresentation
        let token = try await Self.sign(Self.claims(), kid: tokens.keyID, pem: otherPEM)
        await #expect(throws: AuthError.invalidToken) { try await tokens.verifyAccessToken(token) }
    }

    @Test func unsignedAndHMACTokensAreRefused() async throws {
        let tokens = try await Self.issuer()
        let claims = Self.claims()
        let payload = Self.base64URL(try JSONEncoder().encode(claims))
        let none = Self.base64URL(Data(#"{"alg":"none","kid":"\#(tokens.keyID)","typ":"JWT"}"#.utf8)) + "." + payload + "."
        await #expect(throws: AuthError.invalidToken) { try await tokens.verifyAccessToken(none) }

        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: tokens.jwksJSON()), digestAlgorithm: .sha256, kid: JWKIdentifier(string: tokens.keyID))
        let hmac = try await keys.sign(claims, kid: JWKIdentifier(string: tokens.keyID))
        await #expect(throws: AuthError.invalidToken) { try await tokens.verifyAccessToken(hmac) }
    }

    @Test func tamperedOrMalformedTokensAreRefused() async throws {
        let tokens = try await Self.issuer()
        let (token, _) = try await tokens.issueAccessToken(userID: UUID())
        let parts = token.split(separator: ".").map(String.init)
        // Another user's payload under this token's signature.
        let forged = Self.base64URL(try JSONEncoder().encode(Self.claims()))
        let candidates = [
            [parts[0], forged, parts[2]].joined(separator: "."),
            [parts[0], parts[1]].joined(separator: "."),
            token + "x",
            "",
            "not.a.jwt",
            String(repeating: "a", count: 5000),
        ]
        for candidate in candidates {
            await #expect(throws: AuthError.invalidToken, "\(candidate.prefix(40))") { try await tokens.verifyAccessToken(candidate) }
        }
    }

    @Test func subjectThatIsNotAUserIDIsRefused() async throws {
        let tokens = try await Self.issuer()
        let token = try await Self.sign(Self.claims(sub: "admin"), kid: tokens.keyID)
        await #expect(throws: AuthError.invalidToken) { try await tokens.verifyAccessToken(token) }
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

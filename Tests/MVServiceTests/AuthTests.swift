import Foundation
import Hummingbird
import JWTKit
import PostgresNIO
import Testing
@testable import MVService

/// Registration, login, token forgery and claim checks, refresh rotation with reuse detection, logout, and
/// disabling a user — all through HTTP against real PostgreSQL.
struct AuthTests {
    // MARK: Registration and login

    @Test func registerCreatesUserAndRefusesTakenEmailAndShortPassword() async throws {
        try await withTestApp { client, context in
            let created = try await client.request(.post, "/api/auth/register", json: ["email": "Bob@Example.com", "password": "correct horse battery"])
            #expect(created.status == .created)
            #expect(((created.json["user"] as? [String: Any])?["email"] as? String)?.lowercased() == "bob@example.com")
            #expect((created.json["access_token"] as? String)?.isEmpty == false)
            #expect((created.json["refresh_token"] as? String)?.isEmpty == false)
            #expect((created.json["team"] as? [String: Any])?["id"] as? String != nil)

            let taken = try await client.request(.post, "/api/auth/register", json: ["email": "bOB@example.COM", "password": "another good password"])
            expectProblemReply(taken, .conflict, code: "email_taken", "email taken in another case")
            #expect(try await context.countRows("SELECT count(*) FROM users WHERE lower(email) = 'bob@example.com'") == 1)

            let short = try await client.request(.post, "/api/auth/register", json: ["email": "carol@example.com", "password": "short"])
            expectProblemReply(short, .unprocessableContent, code: "validation_failed", "short password")
            #expect(short.problemFields == ["password"])
            #expect(try await context.countRows("SELECT count(*) FROM users WHERE lower(email) = 'carol@example.com'") == 0)
            #expect(try await context.countRows("SELECT count(*) FROM users") == 1)
        }
    }

    @Test func wrongPasswordAndUnknownEmailAnswerTheSame() async throws {
        try await withTestApp { client, _ in
            let user = try await client.register("dana@example.com")
            let wrong = try await client.request(.post, "/api/auth/login", json: ["email": "dana@example.com", "password": "not the password"])
            let unknown = try await client.request(.post, "/api/auth/login", json: ["email": "nobody@example.com", "password": "not the password"])
            expectProblemReply(wrong, .unauthorized, code: "invalid_credentials", "wrong password")
            expectProblemReply(unknown, .unauthorized, code: "invalid_credentials", "unknown email")
            #expect(wrong.json["detail"] as? String == unknown.json["detail"] as? String)
            #expect(wrong.json["title"] as? String == unknown.json["title"] as? String)
            #expect(wrong.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(unknown.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)

            let login = try await client.request(.post, "/api/auth/login", json: ["email": "DANA@example.com", "password": "correct horse battery"])
            #expect(login.status == .ok)
            #expect(login.json["token_type"] as? String == "Bearer")
            let token = try #require(login.json["access_token"] as? String)
            let me = try await client.request(.get, "/api/me", token: token)
            #expect(me.status == .ok)
            #expect(((me.json["user"] as? [String: Any])?["id"] as? String)?.lowercased() == user.userID.lowercased())
            #expect((me.json["user"] as? [String: Any])?["email"] as? String == "dana@example.com")
        }
    }

    // MARK: Forged and wrong tokens

    @Test func forgedTokensAreRefusedWithBearerChallenge() async throws {
        try await withTestApp { client, _ in
            let user = try await client.register()
            let kid = try await Self.serviceKeyID(client)
            let claims = ForgedClaims.valid(userID: user.userID)

            // The service's own token works: the forgeries below fail for their forgery, not by accident.
            #expect(try await client.request(.get, "/api/me", token: user.accessToken).status == .ok)

            let none = try claims.unsignedToken(header: ["alg": "none", "typ": "JWT", "kid": kid])
            let noneNoKid = try claims.unsignedToken(header: ["alg": "none", "typ": "JWT"])

            // HS256 keyed with the public key material anyone can fetch (PEM, and the JWKS JSON itself).
            let jwks = try await client.request(.get, "/.well-known/jwks.json")
            let jwk = try #require((jwks.json["keys"] as? [[String: Any]])?.first)
            let x = try #require(jwk["x"] as? String)
            let y = try #require(jwk["y"] as? String)
            let publicKey = try ES256PublicKey(parameters: (x: x, y: y))
            let hmacWithPEM = JWTKeyCollection()
            await hmacWithPEM.add(hmac: HMACKey(from: Data(publicKey.pemRepresentation.utf8)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            let hs256PEM = try await hmacWithPEM.sign(claims, kid: JWKIdentifier(string: kid))
            let hmacWithJWKS = JWTKeyCollection()
            await hmacWithJWKS.add(hmac: HMACKey(from: Data(jwks.body.readableBytesView)), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
            let hs256JWKS = try await hmacWithJWKS.sign(claims, kid: JWKIdentifier(string: kid))

            // A well-formed ES256 token from a key the service does not know, under another kid and under ours.
            let stranger = JWTKeyCollection()
            await stranger.add(ecdsa: ES256PrivateKey(), kid: "other")
            let otherKid = try await stranger.sign(claims, kid: "other")
            let impostor = JWTKeyCollection()
            await impostor.add(ecdsa: ES256PrivateKey(), kid: JWKIdentifier(string: kid))
            let wrongKeyOurKid = try await impostor.sign(claims, kid: JWKIdentifier(string: kid))

            let forgeries: [(String, String)] = [
                ("alg none", none), ("alg none without kid", noneNoKid), ("HS256 with public PEM", hs256PEM),
                ("HS256 with JWKS", hs256JWKS), ("unknown kid", otherKid), ("wrong key under our kid", wrongKeyOurKid),
                ("garbage", "not.a.token"), ("truncated signature", String(user.accessToken.dropLast(4))),
            ]
            for (name, token) in forgeries {
                let reply = try await client.request(.get, "/api/me", token: token)
                expectProblemReply(reply, .unauthorized, code: "unauthorized", name)
                #expect(reply.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(name): no Bearer challenge")
                #expect(reply.json["user"] == nil, "\(name) leaked the user")
            }
            let missing = try await client.request(.get, "/api/me")
            expectProblemReply(missing, .unauthorized, code: "unauthorized", "no token")
            #expect(missing.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
    }

    @Test func claimsSignedWithTheServiceKeyAreChecked() async throws {
        let pem = ES256PrivateKey().pemRepresentation
        try await withTestApp({ $0.auth.signingKeyPEM = pem }) { client, _ in
            let user = try await client.register()
            let kid = try await Self.serviceKeyID(client)
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: try ES256PrivateKey(pem: pem), kid: JWKIdentifier(string: kid))
            func sign(_ claims: ForgedClaims) async throws -> String {
                try await keys.sign(claims, kid: JWKIdentifier(string: kid))
            }

            // Our own signature with the right claims passes: the key and kid really are the service's.
            let good = try await client.request(.get, "/api/me", token: try await sign(.valid(userID: user.userID)))
            #expect(good.status == .ok, "correctly signed token refused: \(good.text)")

            let now = Int(Date().timeIntervalSince1970)
            var wrongIssuer = ForgedClaims.valid(userID: user.userID)
            wrongIssuer.iss = "someone-else"
            var wrongAudience = ForgedClaims.valid(userID: user.userID)
            wrongAudience.aud = ["another-api"]
            var expired = ForgedClaims.valid(userID: user.userID)
            expired.iat = now - 3600
            expired.nbf = now - 3600
            expired.exp = now - 120
            var notYetValid = ForgedClaims.valid(userID: user.userID)
            notYetValid.nbf = now + 600
            var notAUUID = ForgedClaims.valid(userID: user.userID)
            notAUUID.sub = "admin"
            let unknownUser = ForgedClaims.valid(userID: UUID().uuidString)

            let cases: [(String, ForgedClaims)] = [
                ("wrong iss", wrongIssuer), ("wrong aud", wrongAudience), ("expired", expired), ("nbf in the future", notYetValid),
                ("sub not a uuid", notAUUID), ("unknown user", unknownUser),
            ]
            for (name, claims) in cases {
                let reply = try await client.request(.get, "/api/me", token: try await sign(claims))
                expectProblemReply(reply, .unauthorized, code: "unauthorized", name)
                #expect(reply.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(name): no Bearer challenge")
            }
        }
    }

    // MARK: Refresh tokens

    @Test func refreshRotatesAndReuseRevokesTheFamily() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let first = try await client.request(.post, "/api/auth/refresh", json: ["refresh_token": user.refreshToken])
            #expect(first.status == .ok)
            let access1 = try #require(first.json["access_token"] as? String)
            let refresh1 = try #require(first.json["refresh_token"] as? String)
            #expect(refresh1 != user.refreshToken)
            #expect(try await client.request(.get, "/api/me", token: access1).status == .ok)

            let second = try await client.request(.post, "/api/auth/refresh", json: ["refresh_token": refresh1])
            #expect(second.status == .ok)
            let refresh2 = try #require(second.json["refresh_token"] as? String)
            #expect(refresh2 != refresh1)

            // The first token was already used: presenting it again is theft, and kills the whole family.
            let reused = try await client.request(.post, "/api/auth/refresh", json: ["refresh_token": user.refreshToken])
            expectProblemReply(reused, .unauthorized, code: "refresh_token_reused", "reused refresh token")
            let newest = try await client.request(.post, "/api/auth/refresh", json: ["refresh_token": refresh2])
            expectProblemReply(newest, .unauthorized, code: "unauthorized", "newest token of a revoked family")

            let userID = try #require(UUID(uuidString: user.userID))
            #expect(try await context.countRows("SELECT count(*) FROM refresh_tokens WHERE user_id = \(userID)") == 3)
            #expect(try await context.countRows("SELECT count(*) FROM refresh_tokens WHERE user_id = \(userID) AND revoked_at IS NULL") == 0)
        }
    }

    @Test func logoutRevokesTheRefreshToken() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let login = try await client.request(.post, "/api/auth/login", json: ["email": user.email, "password": "correct horse battery"])
            let refresh = try #require(login.json["refresh_token"] as? String)

            let logout = try await client.request(.post, "/api/auth/logout", json: ["refresh_token": refresh])
            #expect(logout.status == .noContent)
            let after = try await client.request(.post, "/api/auth/refresh", json: ["refresh_token": refresh])
            #expect(after.status == .unauthorized)
            #expect(after.isProblemJSON)
            #expect(after.json["access_token"] == nil)

            // The registration session is a different family and still works.
            let other = try await client.request(.post, "/api/auth/refresh", json: ["refresh_token": user.refreshToken])
            #expect(other.status == .ok)
            let userID = try #require(UUID(uuidString: user.userID))
            #expect(try await context.countRows("SELECT count(*) FROM refresh_tokens WHERE user_id = \(userID) AND revoked_at IS NOT NULL") == 1)
        }
    }

    // MARK: Disabling users

    @Test func disabledUserIsRefusedOnTheNextRequestAndOnlyAdminsMayDisable() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            let bystander = try await client.register()
            #expect(try await client.request(.get, "/api/me", token: user.accessToken).status == .ok)

            let notAdmin = try await client.request(.patch, "/api/admin/users/\(user.userID)", token: bystander.accessToken, json: ["disabled": true])
            expectProblemReply(notAdmin, .forbidden, code: "forbidden", "non-admin PATCH")
            let userID = try #require(UUID(uuidString: user.userID))
            #expect(try await context.scalar("SELECT disabled FROM users WHERE id = \(userID)", as: Bool.self) == false)
            #expect(try await client.request(.get, "/api/me", token: user.accessToken).status == .ok)

            let disable = try await client.request(.patch, "/api/admin/users/\(user.userID)", token: admin.accessToken, json: ["disabled": true])
            #expect(disable.status == .ok, "\(disable.text)")
            #expect(try await context.scalar("SELECT disabled FROM users WHERE id = \(userID)", as: Bool.self) == true)

            // The access token has not expired, but the account is gone.
            let me = try await client.request(.get, "/api/me", token: user.accessToken)
            expectProblemReply(me, .unauthorized, code: "unauthorized", "disabled user's access token")
            #expect(me.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let login = try await client.request(.post, "/api/auth/login", json: ["email": user.email, "password": "correct horse battery"])
            #expect(login.status == .unauthorized)
            #expect(login.json["access_token"] == nil)
            let refresh = try await client.request(.post, "/api/auth/refresh", json: ["refresh_token": user.refreshToken])
            #expect(refresh.status == .unauthorized)

            // Others are untouched.
            #expect(try await client.request(.get, "/api/me", token: bystander.accessToken).status == .ok)
        }
    }

    /// The `kid` of the service's only signing key, from the JWKS.
    static func serviceKeyID(_ client: TestClient) async throws -> String {
        let jwks = try await client.request(.get, "/.well-known/jwks.json")
        let keys = try #require(jwks.json["keys"] as? [[String: Any]])
        return try #require(keys.first?["kid"] as? String)
    }
}

import Crypto
import Foundation
import HTTPTypes
import JWTKit
import MVAuth
import MVCore
import MVFakeProviders
import MVTestSupport
import PostgresNIO
import Testing
import _CryptoExtras
@testable import MVService

/// Frontends that already have an identity provider: its JWTs verified against keys from its JWKS (a fake on
/// 127.0.0.1), users and teams created just in time and mapped from claims, key rotation, and every forgery → 401.
struct ExternalIdentityTests {
    static let issuer = "https://idp.test.example"
    static let audience = "mvservice"
    /// The shortest time between two fetches of the key set in these tests (a minute in production).
    static let refetchInterval: Duration = .seconds(1)

    /// The provider of one test: its JWKS server, its signing keys and a way to mint tokens.
    struct Provider: Sendable {
        let server: FakeJWKSServer
        let keys: JWTKeyCollection
        let rsa: JWTKit.Insecure.RSA.PrivateKey

        static func start() async throws -> Provider {
            let server = try await FakeJWKSServer.start()
            let rsa = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
            let keys = JWTKeyCollection()
            await keys.add(rsa: rsa, digestAlgorithm: .sha256, kid: "rsa-1")
            await keys.add(rsa: rsa, digestAlgorithm: .sha384, kid: "rsa-384")
            let ec = ES256PrivateKey()
            await keys.add(ecdsa: ec, kid: "ec-1")
            let provider = Provider(server: server, keys: keys, rsa: rsa)
            server.serve(try Self.jwks(rsa: [("rsa-1", rsa, "RS256"), ("rsa-384", rsa, "RS384")], ec: [("ec-1", ec)]))
            return provider
        }

        static func jwks(rsa: [(String, JWTKit.Insecure.RSA.PrivateKey, String)], ec: [(String, ES256PrivateKey)]) throws -> String {
            var keys: [[String: String]] = []
            for (kid, key, alg) in rsa {
                let (modulus, exponent) = try key.publicKey.getKeyPrimitives()
                keys.append(["kty": "RSA", "kid": kid, "alg": alg, "use": "sig", "n": Base64URL.encode(modulus), "e": Base64URL.encode(exponent)])
            }
            for (kid, key) in ec {
                guard let (x, y) = key.publicKey.parameters else { throw TestFailure("no EC parameters") }
                keys.append(["kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256", "use": "sig", "x": x, "y": y])
            }
            return String(decoding: try JSONSerialization.data(withJSONObject: ["keys": keys]), as: UTF8.self)
        }

        /// A token with the standard claims (valid for 10 minutes) plus `extra`, signed with key `kid`.
        func token(
            subject: String, kid: String = "rsa-1", extra: [String: JSONValue] = [:], issuer: String = ExternalIdentityTests.issuer,
            audience: String = ExternalIdentityTests.audience, expiresIn: Double = 600, notBefore: Double = -60
        ) async throws -> String {
            let now = Date().timeIntervalSince1970.rounded(.down)
            var claims: [String: JSONValue] = [
                "iss": .string(issuer), "aud": .array([.string(audience)]), "sub": .string(subject),
                "exp": .number(now + expiresIn), "iat": .number(now - 60), "nbf": .number(now + notBefore),
            ]
            claims.merge(extra) { $1 }
            return try await keys.sign(ExternalClaims(claims), kid: JWKIdentifier(string: kid))
        }
    }

    /// An app that trusts `provider` with the claim mapping of the issue's example.
    static func withIdPApp(
        _ body: @Sendable (TestClient, TestContext, Provider) async throws -> Void
    ) async throws {
        let provider = try await Provider.start()
        do {
            try await withTestApp({ config in
                config.auth.issuers = [
                    try! ExternalIssuer(
                        issuer: issuer, jwksURL: provider.server.url, audience: audience, algorithms: ["RS256", "ES256"],
                        claims: .init(subject: "sub", email: "email", team: "org_id", teamName: "org_name", role: "org_role"),
                        file: "test", key: "auth.issuers[0]")
                ]
                config.auth.jwksRefetchInterval = Self.refetchInterval
            }) { client, context in
                try await body(client, context, provider)
            }
        } catch {
            await provider.server.stop()
            throw error
        }
        await provider.server.stop()
    }

    static func org(_ id: String, name: String = "Acme Records", role: String) -> [String: JSONValue] {
        ["org_id": .string(id), "org_name": .string(name), "org_role": .string(role)]
    }

    @Test func validTokensCreateUsersAndTeamsJustInTime() async throws {
        try await Self.withIdPApp { client, context, provider in
            let org = "org_\(UUID().uuidString.prefix(6))"
            let email = "ada-\(UUID().uuidString.prefix(6))@acme.test"
            var extra = Self.org(org, role: "admin")
            extra["email"] = .string(email)
            let rs = try await provider.token(subject: "user-ada", extra: extra)
            let me = try await client.request(.get, "/api/me", token: rs)
            #expect(me.status == .ok, "\(me.text)")
            let user = me.json["user"] as? [String: Any] ?? [:]
            #expect(user["email"] as? String == email)
            let userID = try #require(user["id"] as? String)
            let teams = me.json["teams"] as? [[String: Any]] ?? []
            let orgTeam = try #require(teams.first { $0["name"] as? String == "Acme Records" }, "\(me.text)")
            #expect(orgTeam["role"] as? String == "admin")
            let teamID = try #require(orgTeam["id"] as? String)

            // Without X-MV-Team the request acts in the organisation's team; ES256 tokens of the same subject work too.
            let es = try await provider.token(subject: "user-ada", kid: "ec-1", extra: Self.org(org, role: "admin"))
            let balance = try await client.request(.get, "/api/billing/balance", token: es)
            #expect(balance.status == .ok, "\(balance.text)")
            let again = try await client.request(.get, "/api/me", token: es)
            #expect((again.json["user"] as? [String: Any])?["id"] as? String == userID, "the same subject is the same user")
            let ledger = try await client.request(.get, "/api/billing/ledger", token: es)
            #expect(ledger.status == .ok, "an admin of the org team reads its ledger: \(ledger.text)")

            // A second person of the organisation joins the same team; an unknown role maps to member.
            let bob = try await provider.token(subject: "user-bob", extra: Self.org(org, role: "superhero"))
            let bobMe = try await client.request(.get, "/api/me", token: bob)
            let bobTeam = (bobMe.json["teams"] as? [[String: Any]] ?? []).first { $0["id"] as? String == teamID }
            #expect(bobTeam?["role"] as? String == "member", "\(bobMe.text)")
            #expect(try await context.scalar("SELECT count(*) FROM external_teams WHERE external_id = \(org)", as: Int.self) == 1)
            #expect(try await context.scalar("SELECT count(*) FROM memberships WHERE team_id = \(UUID(uuidString: teamID)!)", as: Int.self) == 2)

            // A later token changes the role: demoted to viewer, Ada can no longer rename the team.
            let demoted = try await provider.token(subject: "user-ada", extra: Self.org(org, role: "viewer"))
            let rename = try await client.request(.patch, "/api/teams/\(teamID)", token: demoted, json: ["name": "Renamed"])
            expectProblemReply(rename, .forbidden, code: "forbidden", "a demoted provider user renames the team")
            let changed = try await context.scalar(
                "SELECT count(*) FROM audit_events WHERE action = 'team.member_role_changed' AND team_id = \(UUID(uuidString: teamID)!)", as: Int.self)
            #expect(changed == 1)

            // A provider account has no password.
            let login = try await client.request(.post, "/api/auth/login", json: ["email": email, "password": "anything at all"])
            expectProblemReply(login, .unauthorized, code: "invalid_credentials", "password login of a provider user")
        }
    }

    @Test func usersAreLinkedBySubjectNotByEmailAndInvitationsBind() async throws {
        try await Self.withIdPApp { client, context, provider in
            let local = try await client.register()
            let token = try await provider.token(subject: "someone-else", extra: ["email": .string(local.email)])
            let me = try await client.request(.get, "/api/me", token: token)
            #expect(me.status == .ok, "\(me.text)")
            let user = me.json["user"] as? [String: Any] ?? [:]
            #expect(user["id"] as? String != local.userID, "a provider's e-mail never takes over a local account")
            #expect((user["email"] as? String)?.hasSuffix("@identity.invalid") == true)

            // An invitation to an e-mail binds when that e-mail first signs in through the provider.
            let owner = try await client.register()
            let created = try await client.request(.post, "/api/teams", token: owner.accessToken, json: ["name": "Studio"])
            let studio = try #require(created.json["id"] as? String)
            let invited = "invited-\(UUID().uuidString.prefix(6))@acme.test"
            let invite = try await client.request(.post, "/api/teams/\(studio)/members", token: owner.accessToken, json: ["email": invited, "role": "member"])
            #expect(invite.status == .accepted)
            let newcomer = try await provider.token(subject: "newcomer", extra: ["email": .string(invited)])
            let teams = try await client.request(.get, "/api/teams", token: newcomer)
            #expect((teams.json["items"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == studio }, "\(teams.text)")
            #expect(try await context.scalar("SELECT count(*) FROM external_identities WHERE subject = 'newcomer'", as: Int.self) == 1)
        }
    }

    @Test func rotatedKeysAreFetchedAndUnknownKidsCannotHammerTheProvider() async throws {
        try await Self.withIdPApp { client, _, provider in
            #expect(try await client.request(.get, "/api/me", token: try await provider.token(subject: "rotating")).status == .ok)
            #expect(provider.server.fetches == 1)
            // Tokens naming kids the provider never published: at most one refetch per interval, however many arrive.
            // (Wait out the interval of the first fetch, so the first unknown kid may refetch.)
            try await Task.sleep(for: Self.refetchInterval + .milliseconds(100))
            let started = ContinuousClock.now
            for index in 0..<5 {
                let junk = try await Self.withKid(try await provider.token(subject: "rotating"), "ghost-\(index)")
                expectProblemReply(try await client.request(.get, "/api/me", token: junk), .unauthorized, code: "unauthorized", "unknown kid \(index)")
            }
            let intervals = Int(((ContinuousClock.now - started) / Self.refetchInterval).rounded(.up))
            #expect(provider.server.fetches >= 2, "an unknown kid triggers a refetch")
            #expect(provider.server.fetches <= 1 + max(1, intervals), "\(provider.server.fetches) fetches for 5 unknown kids in \(intervals) intervals")
            let fetchedBeforeRotation = provider.server.fetches

            // The provider rotates to a new key; after the interval its first token triggers a refetch and passes.
            let rotated = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
            await provider.keys.add(rsa: rotated, digestAlgorithm: .sha256, kid: "rsa-2")
            provider.server.serve(try Provider.jwks(rsa: [("rsa-2", rotated, "RS256")], ec: []))
            try await Task.sleep(for: Self.refetchInterval + .milliseconds(100))
            let fresh = try await provider.token(subject: "rotating", kid: "rsa-2")
            let reply = try await client.request(.get, "/api/me", token: fresh)
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(provider.server.fetches == fetchedBeforeRotation + 1)
            // The old key is gone from the set: its tokens no longer pass.
            let old = try await provider.token(subject: "rotating", kid: "rsa-1")
            expectProblemReply(try await client.request(.get, "/api/me", token: old), .unauthorized, code: "unauthorized", "a retired key")
        }
    }

    @Test func everyForgeryIsRefused() async throws {
        try await Self.withIdPApp { client, _, provider in
            let good = try await provider.token(subject: "victim")
            #expect(try await client.request(.get, "/api/me", token: good).status == .ok, "the correctly signed token passes")
            let now = Int(Date().timeIntervalSince1970)
            let payload: [String: Any] = ["iss": Self.issuer, "aud": [Self.audience], "sub": "victim", "exp": now + 600, "nbf": now - 60]
            // HS256 keyed with the provider's public key PEM: the classic algorithm-confusion forgery.
            let hmacKeys = JWTKeyCollection()
            await hmacKeys.add(hmac: HMACKey(from: provider.rsa.publicKey.pemRepresentation), digestAlgorithm: .sha256, kid: "rsa-1")
            let hs256 = try await hmacKeys.sign(ExternalClaims(try JSONValue.encoding(payload.mapValues(AnyJSON.init)).objectValue), kid: "rsa-1")
            let forgeries: [(String, String)] = [
                ("alg none", try Self.unsigned(header: ["alg": "none", "kid": "rsa-1"], payload: payload)),
                ("alg none without kid", try Self.unsigned(header: ["alg": "none"], payload: payload)),
                ("HS256 with the public key", hs256),
                ("RS384 (not allowed for this issuer)", try await provider.token(subject: "victim", kid: "rsa-384")),
                ("wrong audience", try await provider.token(subject: "victim", audience: "someone-else")),
                ("expired", try await provider.token(subject: "victim", expiresIn: -120)),
                ("not yet valid", try await provider.token(subject: "victim", notBefore: 600)),
                ("unconfigured issuer", try await provider.token(subject: "victim", issuer: "https://evil.example")),
                ("signature of another token", try Self.swapSignature(good, with: try await provider.token(subject: "other"))),
                ("no subject", try await provider.token(subject: "", extra: [:])),
            ]
            for (name, token) in forgeries {
                let reply = try await client.request(.get, "/api/me", token: token)
                expectProblemReply(reply, .unauthorized, code: "unauthorized", name)
            }
        }
    }

    @Test func issuerConfigurationIsChecked() throws {
        let cases: [(String, String, String)] = [
            ("http://idp.example.com/jwks.json", #"["RS256"]"#, "auth.issuers[0].jwks_url"),
            ("https://idp.example.com/jwks.json", #"["HS256"]"#, "auth.issuers[0].algorithms"),
            ("https://idp.example.com/jwks.json", #"["none"]"#, "auth.issuers[0].algorithms"),
            ("https://idp.example.com/jwks.json", "[]", "auth.issuers[0].algorithms"),
            ("not a url", #"["RS256"]"#, "auth.issuers[0].jwks_url"),
        ]
        for (url, algorithms, key) in cases {
            let yaml = """
                auth:
                  issuers:
                    - issuer: "https://idp.example.com"
                      jwks_url: "\(url)"
                      audience: "mvservice"
                      algorithms: \(algorithms)
                      claims: { subject: "sub", email: "email", team: "org_id", team_name: "org_name", role: "org_role" }
                """
            let (error, directory) = try ConfigTests.loadError(["service.yaml": yaml])
            defer { try? FileManager.default.removeItem(atPath: directory) }
            #expect(error?.key == key, "\(url) \(algorithms): \(String(describing: error))")
            #expect(error?.file == directory + "/service.yaml")
        }
        // The issue's example, with http to loopback, loads.
        let directory = try ConfigTests.folder([
            "service.yaml": """
                auth:
                  issuers:
                    - issuer: "https://idp.example.com"
                      jwks_url: "http://127.0.0.1:9/.well-known/jwks.json"
                      audience: "mvservice"
                      algorithms: ["RS256", "ES256"]
                      claims: { subject: "sub", email: "email", team: "org_id", team_name: "org_name", role: "org_role" }
                """
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let config = try AppConfig.load(configPath: directory + "/service.yaml", environment: [:])
        #expect(config.auth.issuers.first?.claims.team == "org_id" && config.auth.issuers.first?.algorithms == ["RS256", "ES256"])
    }

    // MARK: Token surgery

    static func unsigned(header: [String: String], payload: [String: Any]) throws -> String {
        Base64URL.encode(try JSONSerialization.data(withJSONObject: header)) + "."
            + Base64URL.encode(try JSONSerialization.data(withJSONObject: payload)) + "."
    }

    static func swapSignature(_ token: String, with other: String) throws -> String {
        let a = token.split(separator: ".", omittingEmptySubsequences: false)
        let b = other.split(separator: ".", omittingEmptySubsequences: false)
        return "\(a[0]).\(a[1]).\(b[2])"
    }

    /// `token` with its header's kid replaced (the signature no longer matters: the kid is unknown).
    static func withKid(_ token: String, _ kid: String) async throws -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        let header = Base64URL.encode(try JSONSerialization.data(withJSONObject: ["alg": "RS256", "typ": "JWT", "kid": kid]))
        return "\(header).\(parts[1]).\(parts[2])"
    }
}

/// Any JSON-serialisable value as Encodable (for building payloads from dictionaries).
private struct AnyJSON: Encodable {
    let value: Any
    init(_ value: Any) { self.value = value }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case let string as String: try container.encode(string)
        case let int as Int: try container.encode(int)
        case let strings as [String]: try container.encode(strings)
        default: try container.encodeNil()
        }
    }
}

extension JSONValue {
    fileprivate var objectValue: [String: JSONValue] {
        if case .object(let values) = self { return values }
        return [:]
    }
}

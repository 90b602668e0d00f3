import Foundation
import HTTPTypes
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// API keys through HTTP: shown once and stored as a keyed hash, scopes narrow the creator's current role, a
/// demoted, removed or disabled creator changes the key on the very next request, revoked or expired keys get 401,
/// keys cannot manage keys, and every job and ledger entry names the key that caused it.
struct APIKeysTests {
    /// Creates a key as `account` and returns the answer's JSON.
    static func createKey(
        _ client: TestClient, as account: TestClient.Account, scopes: [String], team: String? = nil, name: String = "ci"
    ) async throws -> [String: Any] {
        var body: [String: Any] = ["name": name, "scopes": scopes]
        if let team { body["team_id"] = team }
        let reply = try await client.request(.post, "/api/keys", token: account.accessToken, json: body)
        guard reply.status == .created else { throw TestFailure("key creation failed: \(reply.status) \(reply.text)") }
        return reply.json
    }

    static func submit(_ client: TestClient, token: String, headers: [String: String] = [:]) async throws -> TestClient.Reply {
        try await client.request(
            .post, "/api/mv/generate_video", token: token, json: ["prompt": "a key's clip", "duration": 1, "backend": "mock"],
            headers: headers.merging(["Idempotency-Key": UUID().uuidString]) { $1 })
    }

    @Test func aKeyIsShownOnceStoredHashedAndActsAsItsCreator() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let created = try await Self.createKey(client, as: user, scopes: ["read", "generate"])
            let secret = try #require(created["key"] as? String)
            #expect(secret.hasPrefix("mvk_") && secret.count == 47, "\(secret)")
            #expect(created["prefix"] as? String == String(secret.prefix(12)))
            #expect(created["team_id"] as? String == user.teamID && created["user_id"] as? String == user.userID)
            #expect(created["scopes"] as? [String] == ["read", "generate"])

            let me = try await client.request(.get, "/api/me", token: secret)
            #expect(me.status == .ok && (me.json["user"] as? [String: Any])?["id"] as? String == user.userID, "\(me.text)")
            #expect(me.header("RateLimit-Policy") != nil)

            let listed = try await client.request(.get, "/api/keys", token: user.accessToken)
            let items = listed.json["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1 && items.first?["key"] == nil && items.first?["prefix"] as? String == String(secret.prefix(12)))
            #expect(!listed.text.contains(secret))
            // Only a keyed digest is stored: no column holds the secret, and a plain SHA-256 of it matches nothing.
            let stored = try await context.scalar("SELECT count(*) FROM api_keys WHERE api_keys::text LIKE '%' || \(String(secret.dropFirst(12))) || '%'", as: Int.self)
            #expect(stored == 0)
            let plain = try await context.scalar("SELECT count(*) FROM api_keys WHERE secret_hash = sha256(convert_to(\(secret), 'UTF8'))", as: Int.self)
            #expect(plain == 0)
            let audited = try await context.scalar("SELECT count(*) FROM audit_events WHERE action = 'key.created' AND actor_user = \(UUID(uuidString: user.userID)!)", as: Int.self)
            #expect(audited == 1)

            // A wrong key with the right shape, and junk, are 401 with the bearer challenge.
            for bad in ["mvk_" + String(repeating: "A", count: 43), "mvk_short", secret + "x"] {
                let reply = try await client.request(.get, "/api/me", token: bad)
                expectProblemReply(reply, .unauthorized, code: "unauthorized", "key \(bad.prefix(10))")
                #expect(reply.header("WWW-Authenticate") != nil)
            }
        }
    }

    @Test func scopesNarrowTheRoleAndJobsAndLedgerNameTheKey() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let admin = try await context.makeAdmin(client)
            try await client.grant(10, to: user.teamID, admin: admin)
            let reader = try #require(try await Self.createKey(client, as: user, scopes: ["read"])["key"] as? String)
            let generator = try await Self.createKey(client, as: user, scopes: ["generate"])
            let generatorSecret = try #require(generator["key"] as? String)
            let generatorID = try #require(generator["id"] as? String)

            expectProblemReply(try await Self.submit(client, token: reader), .forbidden, code: "forbidden", "a read key generates")
            #expect(try await client.request(.get, "/api/jobs", token: reader).status == .ok)
            #expect(try await client.request(.get, "/api/billing/balance", token: reader).status == .ok)

            let accepted = try await Self.submit(client, token: generatorSecret)
            #expect(accepted.status == .accepted, "\(accepted.text)")
            let jobID = try #require(accepted.json["id"] as? String)
            let done = try await client.waitForJob(jobID, token: generatorSecret)
            #expect(done["status"] as? String == "succeeded")
            let keyID = try #require(UUID(uuidString: generatorID))
            let job = try #require(UUID(uuidString: jobID))
            #expect(try await context.scalar("SELECT api_key_id FROM jobs WHERE id = \(job)", as: UUID.self) == keyID)
            let entries = try await context.scalar(
                "SELECT count(*) FROM ledger_entries WHERE job_id = \(job) AND api_key_id = \(keyID) AND user_id IS NOT NULL", as: Int.self)
            let all = try await context.scalar("SELECT count(*) FROM ledger_entries WHERE job_id = \(job)", as: Int.self)
            #expect(all ?? 0 >= 4 && entries == all, "hold and capture entries name the key: \(entries ?? -1) of \(all ?? -1)")
            // A token call records no key.
            let byToken = try await Self.submit(client, token: user.accessToken)
            let tokenJob = try #require(UUID(uuidString: byToken.json["id"] as? String ?? ""))
            #expect(try await context.scalar("SELECT count(*) FROM jobs WHERE id = \(tokenJob) AND api_key_id IS NULL", as: Int.self) == 1)

            // Keys cannot create, list or revoke keys, whatever their scopes.
            let admin3 = try #require(try await Self.createKey(client, as: user, scopes: ["read", "generate", "admin"])["key"] as? String)
            for token in [reader, generatorSecret, admin3] {
                let create = try await client.request(.post, "/api/keys", token: token, json: ["name": "nested", "scopes": ["read"]])
                expectProblemReply(create, .forbidden, code: "forbidden", "a key creates a key")
                let revoke = try await client.request(.delete, "/api/keys/\(generatorID)", token: token)
                expectProblemReply(revoke, .forbidden, code: "forbidden", "a key revokes its own kind")
            }
        }
    }

    @Test func aKeyNeverOutlivesOrOutranksItsCreator() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let platform = try await context.makeAdmin(client)
            try await client.grant(100, to: crew.teamID, admin: platform)
            let key = try #require(
                try await Self.createKey(client, as: crew.member, scopes: ["read", "generate"], team: crew.teamID)["key"] as? String)
            #expect(try await Self.submit(client, token: key).status == .accepted)

            // The key's team is fixed: another team the creator belongs to is unknown to it.
            let personal = try await client.request(.get, "/api/billing/balance", token: key, headers: ["X-MV-Team": crew.member.teamID])
            expectProblemReply(personal, .notFound, code: "not_found", "a key names another team")
            let own = try await client.request(.get, "/api/billing/balance", token: key, headers: ["X-MV-Team": crew.teamID])
            #expect(own.status == .ok)

            let demote = try await client.request(
                .patch, "/api/teams/\(crew.teamID)/members/\(crew.member.userID)", token: crew.owner.accessToken, json: ["role": "viewer"])
            #expect(demote.status == .ok)
            expectProblemReply(try await Self.submit(client, token: key), .forbidden, code: "forbidden", "the key right after the demotion")
            #expect(try await client.request(.get, "/api/jobs", token: key).status == .ok, "reading still works for a viewer")

            let remove = try await client.request(.delete, "/api/teams/\(crew.teamID)/members/\(crew.member.userID)", token: crew.owner.accessToken)
            #expect(remove.status == .noContent)
            expectProblemReply(try await client.request(.get, "/api/jobs", token: key), .unauthorized, code: "unauthorized", "after the removal")

            // Disabling the creator stops their keys at once.
            let adminKey = try #require(try await Self.createKey(client, as: crew.admin, scopes: ["read"], team: crew.teamID)["key"] as? String)
            #expect(try await client.request(.get, "/api/me", token: adminKey).status == .ok)
            let disable = try await client.request(.patch, "/api/admin/users/\(crew.admin.userID)", token: platform.accessToken, json: ["disabled": true])
            #expect(disable.status == .ok, "\(disable.text)")
            expectProblemReply(try await client.request(.get, "/api/me", token: adminKey), .unauthorized, code: "unauthorized", "creator disabled")
        }
    }

    @Test func revokedAndExpiredKeysAreRefusedAndAdminsManageTheTeamsKeys() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let memberKey = try await Self.createKey(client, as: crew.member, scopes: ["read"], team: crew.teamID)
            let memberKeyID = try #require(memberKey["id"] as? String)
            let memberSecret = try #require(memberKey["key"] as? String)
            let adminKey = try await Self.createKey(client, as: crew.admin, scopes: ["read"], team: crew.teamID)
            let inTeam = ["X-MV-Team": crew.teamID]

            // Admins list every key of the team, members their own; viewers cannot create keys.
            let adminList = try await client.request(.get, "/api/keys", token: crew.admin.accessToken, headers: inTeam)
            #expect((adminList.json["items"] as? [[String: Any]])?.count == 2, "\(adminList.text)")
            let memberList = try await client.request(.get, "/api/keys", token: crew.member.accessToken, headers: inTeam)
            #expect((memberList.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [memberKeyID])
            let viewerCreates = try await client.request(
                .post, "/api/keys", token: crew.viewer.accessToken, json: ["name": "v", "scopes": ["read"], "team_id": crew.teamID])
            expectProblemReply(viewerCreates, .forbidden, code: "forbidden", "a viewer creates a key")
            let outsiderCreates = try await client.request(
                .post, "/api/keys", token: crew.outsider.accessToken, json: ["name": "o", "scopes": ["read"], "team_id": crew.teamID])
            expectProblemReply(outsiderCreates, .notFound, code: "not_found", "an outsider creates a key in the team")

            // Revoking: a member cannot revoke the admin's key, an outsider cannot see it, an admin revokes a member's.
            let adminKeyID = try #require(adminKey["id"] as? String)
            expectProblemReply(
                try await client.request(.delete, "/api/keys/\(adminKeyID)", token: crew.member.accessToken), .forbidden, code: "forbidden",
                "a member revokes the admin's key")
            expectProblemReply(
                try await client.request(.delete, "/api/keys/\(adminKeyID)", token: crew.outsider.accessToken), .notFound, code: "not_found",
                "an outsider revokes a key")
            #expect(try await client.request(.delete, "/api/keys/\(memberKeyID)", token: crew.admin.accessToken).status == .noContent)
            expectProblemReply(try await client.request(.get, "/api/me", token: memberSecret), .unauthorized, code: "unauthorized", "revoked key")
            expectProblemReply(
                try await client.request(.delete, "/api/keys/\(memberKeyID)", token: crew.admin.accessToken), .notFound, code: "not_found",
                "revoking twice")
            let revokedAudit = try await context.scalar(
                "SELECT count(*) FROM audit_events WHERE action = 'key.revoked' AND target_id = \(memberKeyID)", as: Int.self)
            #expect(revokedAudit == 1)

            // An expired key is refused (expiry set in the past directly, as time passing would).
            let expiring = try await Self.createKey(client, as: crew.owner, scopes: ["read"], team: crew.teamID)
            let expiringSecret = try #require(expiring["key"] as? String)
            let expiringID = try #require(UUID(uuidString: expiring["id"] as? String ?? ""))
            #expect(try await client.request(.get, "/api/me", token: expiringSecret).status == .ok)
            _ = try await context.withPostgres { postgres in
                try await postgres.query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = \(expiringID)", logger: TestCluster.logger)
            }
            expectProblemReply(try await client.request(.get, "/api/me", token: expiringSecret), .unauthorized, code: "unauthorized", "expired key")
        }
    }

    @Test func lastUsedIsWrittenAtMostOnceAMinute() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let key = try await Self.createKey(client, as: user, scopes: ["read"])
            let secret = try #require(key["key"] as? String)
            let id = try #require(UUID(uuidString: key["id"] as? String ?? ""))
            #expect(try await context.scalar("SELECT count(*) FROM api_keys WHERE id = \(id) AND last_used_at IS NULL", as: Int.self) == 1)
            #expect(try await client.request(.get, "/api/me", token: secret).status == .ok)
            let first = try #require(try await context.scalar("SELECT last_used_at FROM api_keys WHERE id = \(id)", as: Date.self))
            for _ in 0..<3 { #expect(try await client.request(.get, "/api/me", token: secret).status == .ok) }
            #expect(try await context.scalar("SELECT last_used_at FROM api_keys WHERE id = \(id)", as: Date.self) == first)
            // Once the last use is over a minute old, the next use writes again.
            _ = try await context.withPostgres { postgres in
                try await postgres.query("UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE id = \(id)", logger: TestCluster.logger)
            }
            #expect(try await client.request(.get, "/api/me", token: secret).status == .ok)
            let later = try #require(try await context.scalar("SELECT last_used_at FROM api_keys WHERE id = \(id)", as: Date.self))
            #expect(later > first.addingTimeInterval(-30))
            let listed = try await client.request(.get, "/api/keys", token: user.accessToken)
            #expect((listed.json["items"] as? [[String: Any]])?.first?["last_used_at"] is String)
        }
    }

    @Test func badInputNamesTheFieldAndCreatesNothing() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let past = "2020-01-01T00:00:00Z"
            let cases: [(String, [String: Any])] = [
                ("name", ["name": "  ", "scopes": ["read"]]),
                ("name", ["name": String(repeating: "k", count: 101), "scopes": ["read"]]),
                ("scopes", ["name": "k", "scopes": [String]()]),
                ("scopes[0]", ["name": "k", "scopes": ["superuser"]]),
                ("scopes", ["name": "k"]),
                ("expires_at", ["name": "k", "scopes": ["read"], "expires_at": past]),
                ("expires_at", ["name": "k", "scopes": ["read"], "expires_at": "tomorrow"]),
                ("team_id", ["name": "k", "scopes": ["read"], "team_id": "not-a-uuid"]),
            ]
            for (field, body) in cases {
                let reply = try await client.request(.post, "/api/keys", token: user.accessToken, json: body)
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(body)")
                #expect((reply.json["errors"] as? [[String: Any]])?.first?["field"] as? String == field, "\(body): \(reply.text)")
            }
            let unknownTeam = try await client.request(
                .post, "/api/keys", token: user.accessToken, json: ["name": "k", "scopes": ["read"], "team_id": UUID().uuidString])
            expectProblemReply(unknownTeam, .notFound, code: "not_found", "an unknown team")
            #expect(try await context.scalar("SELECT count(*) FROM api_keys", as: Int.self) == 0)
            #expect(try await context.scalar("SELECT count(*) FROM audit_events WHERE action = 'key.created'", as: Int.self) == 0)
            // A browser's toISOString() expiry is accepted.
            let future = try await client.request(
                .post, "/api/keys", token: user.accessToken, json: ["name": "k", "scopes": ["read"], "expires_at": "2099-01-01T00:00:00.000Z"])
            #expect(future.status == .created, "\(future.text)")
        }
    }
}

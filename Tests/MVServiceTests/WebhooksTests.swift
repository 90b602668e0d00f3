import Foundation
import HTTPTypes
import MVBackends
import MVFakeProviders
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Webhook endpoints through HTTP: who manages them, the secret shown once and stored sealed, bad input refused with
/// nothing stored, and outbox rows written in the same transaction as the job, quota and credit changes they announce.
struct WebhooksTests {
    static let receiverURL = "http://127.0.0.1:9/hook"

    @Test func onlyTeamAdminsManageWebhooksAndTheSecretIsShownOnce() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let team = crew.teamID
            let created = try await client.request(
                .post, "/api/teams/\(team)/webhooks", token: crew.admin.accessToken,
                json: ["url": Self.receiverURL, "events": ["job.succeeded", "job.failed", "job.succeeded"], "description": "CI"])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let secret = try #require(created.json["secret"] as? String)
            #expect(secret.hasPrefix("whsec_") && Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32, "\(secret)")
            #expect(created.json["events"] as? [String] == ["job.succeeded", "job.failed"], "duplicates dropped")
            #expect(created.header("Location") == "/api/teams/\(team)/webhooks/\(id)")

            let listed = try await client.request(.get, "/api/teams/\(team)/webhooks", token: crew.owner.accessToken)
            let items = try #require(listed.json["items"] as? [[String: Any]])
            #expect(items.count == 1 && items[0]["id"] as? String == id && items[0]["secret"] == nil, "\(listed.text)")
            #expect(!listed.text.contains(String(secret.dropFirst(6))), "the secret is never listed")
            let endpointID = try #require(UUID(uuidString: id))
            let sealed = try await context.scalar("SELECT secret_sealed FROM webhook_endpoints WHERE id = \(endpointID)", as: Data.self)
            let key = try #require(Data(base64Encoded: String(secret.dropFirst(6))))
            #expect(sealed != nil && sealed != key && sealed?.range(of: key) == nil, "stored sealed, not in clear")

            // Members and viewers: 403; outsiders: 404 (whatever the route).
            let routes: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.post, "/api/teams/\(team)/webhooks", ["url": Self.receiverURL, "events": ["job.failed"]]),
                (.get, "/api/teams/\(team)/webhooks", nil),
                (.patch, "/api/teams/\(team)/webhooks/\(id)", ["enabled": false]),
                (.delete, "/api/teams/\(team)/webhooks/\(id)", nil),
                (.get, "/api/teams/\(team)/webhooks/\(id)/deliveries", nil),
                (.post, "/api/teams/\(team)/webhooks/\(id)/deliveries/\(UUID().uuidString)/replay", nil),
            ]
            for (method, path, body) in routes {
                for (who, account) in [("member", crew.member), ("viewer", crew.viewer)] {
                    expectProblemReply(
                        try await client.request(method, path, token: account.accessToken, json: body), .forbidden, code: "forbidden",
                        "\(who) \(method) \(path)")
                }
                expectProblemReply(
                    try await client.request(method, path, token: crew.outsider.accessToken, json: body), .notFound, code: "not_found",
                    "outsider \(method) \(path)")
            }
            #expect(try await context.countRows("SELECT count(*) FROM webhook_endpoints") == 1, "refused calls stored nothing")

            let changed = try await client.request(
                .patch, "/api/teams/\(team)/webhooks/\(id)", token: crew.owner.accessToken,
                json: ["events": ["job.canceled"], "enabled": false, "description": ""])
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(changed.json["events"] as? [String] == ["job.canceled"] && changed.json["enabled"] as? Bool == false)
            #expect(changed.json["description"] == nil && changed.json["secret"] == nil)
            #expect(try await client.request(.delete, "/api/teams/\(team)/webhooks/\(id)", token: crew.admin.accessToken).status == .noContent)
            expectProblemReply(
                try await client.request(.delete, "/api/teams/\(team)/webhooks/\(id)", token: crew.admin.accessToken), .notFound,
                code: "not_found", "deleting twice")
        }
    }

    /// The Standard Webhooks specification's own test vector (secret, id, timestamp, body → signature).
    @Test func signingMatchesTheSpecificationsTestVector() throws {
        let secret = try #require(WebhookSecret(text: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = WebhookSignature.sign(
            secret: secret, messageID: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let generated = WebhookSecret.generate()
        #expect(WebhookSecret(text: generated.text) == generated && generated.keyBytes.count == 32)
        #expect(WebhookSignature.messageID(UUID(uuidString: "6BA7B810-9DAD-11D1-80B4-00C04FD430C8")!) == "msg_6ba7b8109dad11d180b400c04fd430c8")
    }

    @Test func theSecretIsDocumentedOnlyInTheCreateAnswer() throws {
        let document = try JSONSerialization.jsonObject(with: try OpenAPIDocument.json()) as? [String: Any]
        let schemas = (document?["components"] as? [String: Any])?["schemas"] as? [String: [String: Any]] ?? [:]
        let webhookSchemas = schemas.filter { $0.key.hasPrefix("Webhook") }
        #expect(webhookSchemas.count == 7)
        let withSecret = webhookSchemas.filter { ($0.value["properties"] as? [String: Any])?["secret"] != nil }.map(\.key)
        #expect(withSecret == ["WebhookCreated"])
        let created = try #require(schemas["WebhookCreated"]?["required"] as? [String])
        #expect(created.contains("secret"))
    }

    @Test func badRegistrationsAreRefusedAndStoreNothing() async throws {
        try await withTestApp { client, context in
            let owner = try await client.register()
            let team = owner.teamID
            let cases: [([String: Any], String)] = [
                (["url": Self.receiverURL, "events": [String]()], "events"),
                (["url": Self.receiverURL, "events": ["job.exploded"]], "events[0]"),
                (["url": Self.receiverURL, "events": ["job.failed"], "description": String(repeating: "x", count: 501)], "description"),
                (["url": "not a url", "events": ["job.failed"]], "url"),
                (["events": ["job.failed"]], "url"),
            ]
            for (body, field) in cases {
                let reply = try await client.request(.post, "/api/teams/\(team)/webhooks", token: owner.accessToken, json: body)
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(body)")
                #expect(reply.problemFields.contains(field), "\(body): \(reply.text)")
            }
            #expect(try await context.countRows("SELECT count(*) FROM webhook_endpoints") == 0)
            for _ in 0..<WebhookStore.maxEndpointsPerTeam {
                _ = try await WebhookFixtures.register(client, team: team, as: owner, url: Self.receiverURL, events: ["job.failed"])
            }
            expectProblemReply(
                try await client.request(
                    .post, "/api/teams/\(team)/webhooks", token: owner.accessToken, json: ["url": Self.receiverURL, "events": ["job.failed"]]),
                .conflict, code: "webhook_limit_reached", "one endpoint too many")
            #expect(try await context.countRows("SELECT count(*) FROM webhook_endpoints") == WebhookStore.maxEndpointsPerTeam)
        }
    }

    /// The outbox row exists iff the job's final state change committed: a cancel writes one `job.canceled`; a cancel
    /// that comes too late (the job already succeeded) is refused and writes none; a success writes one `job.succeeded`.
    @Test func jobEventsAreWrittenInTheTransactionThatFinishesTheJob() async throws {
        try await withTestApp({ config in
            config.backends.mock.delayMin = 1.5
            config.backends.mock.delayMax = 1.5
        }) { client, context in
            let user = try await client.register()
            let platform = try await context.makeAdmin(client)
            try await client.grant(100, to: user.teamID, admin: platform)
            // No dispatcher can reach port 9: the rows stay put for counting.
            _ = try await WebhookFixtures.register(
                client, team: user.teamID, as: user, url: Self.receiverURL, events: ["job.succeeded", "job.canceled", "job.failed"])
            func events(_ type: String, job: String) async throws -> Int {
                try await context.countRows(
                    "SELECT count(*) FROM webhook_events WHERE type = \(type) AND payload->'data'->'job'->>'id' = \(job)")
            }
            let body: [String: Any] = ["prompt": "outbox", "duration": 1, "backend": "mock"]
            let canceled = try #require(try await client.submitVideo(body, token: user.accessToken).json["id"] as? String)
            #expect(try await client.request(.post, "/api/jobs/\(canceled)/cancel", token: user.accessToken).status == .ok)
            #expect(try await events("job.canceled", job: canceled) == 1)
            expectProblemReply(
                try await client.request(.post, "/api/jobs/\(canceled)/cancel", token: user.accessToken), .conflict, code: "job_finished",
                "cancelling twice")
            #expect(try await events("job.canceled", job: canceled) == 1, "the refused second cancel wrote nothing")

            let finished = try #require(try await client.submitVideo(body, token: user.accessToken).json["id"] as? String)
            let job = try await client.waitForJob(finished, token: user.accessToken)
            #expect(job["status"] as? String == "succeeded")
            #expect(try await events("job.succeeded", job: finished) == 1)
            expectProblemReply(
                try await client.request(.post, "/api/jobs/\(finished)/cancel", token: user.accessToken), .conflict, code: "job_finished",
                "a cancel that lost the race")
            #expect(try await events("job.canceled", job: finished) == 0, "a cancel that lost the race writes no event")
            let payload = try await context.scalar(
                "SELECT payload->'data'->'job'->>'status' FROM webhook_events WHERE type = 'job.succeeded'", as: String.self)
            #expect(payload == "succeeded")
            #expect(try await context.countRows("SELECT count(*) FROM webhook_deliveries") == 2, "one delivery per event and endpoint")
        }
    }

    /// `quota.threshold` goes out with each alert crossing (as the audit does), `credits.low` once when a hold takes
    /// available credits below the threshold, and a team without endpoints gets no outbox rows at all.
    @Test func admissionAnnouncesQuotaThresholdsAndLowCreditsOnce() async throws {
        try await withTestApp({ config in
            config.webhooks.creditsLowThreshold = 8
        }) { client, context in
            let user = try await client.register()
            let platform = try await context.makeAdmin(client)
            try await client.grant(10, to: user.teamID, admin: platform)
            let silent = try await client.register()
            try await client.grant(10, to: silent.teamID, admin: platform)
            _ = try await WebhookFixtures.register(
                client, team: user.teamID, as: user, url: Self.receiverURL, events: ["quota.threshold", "credits.low"])
            let quota = try await QuotasTests.create(
                client, team: user.teamID, as: platform, subject: ["type": "team"], limit: 5, action: "alert")
            #expect(quota.status == .created, "\(quota.text)")
            for _ in 0..<6 {
                #expect(try await QuotasTests.submit(client, user, team: user.teamID).status == .accepted)
                #expect(try await QuotasTests.submit(client, silent, team: silent.teamID).status == .accepted)
            }
            let team = try #require(UUID(uuidString: user.teamID))
            let thresholds = try await context.withPostgres { postgres in
                let rows = try await postgres.query(
                    """
                    SELECT (payload->'data'->>'threshold_percent')::int FROM webhook_events
                    WHERE team_id = \(team) AND type = 'quota.threshold' ORDER BY created_at, (payload->'data'->>'threshold_percent')::int
                    """, logger: TestCluster.logger)
                var values: [Int] = []
                for try await value in rows.decode(Int.self) { values.append(value) }
                return values
            }
            #expect(thresholds == [80, 100], "\(thresholds)")
            #expect(
                try await context.countRows("SELECT count(*) FROM audit_events WHERE team_id = \(team) AND action = 'quota.threshold'") == 2)
            #expect(try await context.countRows("SELECT count(*) FROM webhook_events WHERE team_id = \(team) AND type = 'credits.low'") == 1)
            let available = try await context.scalar(
                "SELECT (payload->'data'->>'available')::int FROM webhook_events WHERE type = 'credits.low'", as: Int.self)
            #expect(available == 7, "fired by the hold that went from 8 to 7")
            let silentTeam = try #require(UUID(uuidString: silent.teamID))
            #expect(try await context.countRows("SELECT count(*) FROM webhook_events WHERE team_id = \(silentTeam)") == 0)
        }
    }
}

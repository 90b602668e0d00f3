import Foundation
import HTTPTypes
import Logging
import MVAuth
import MVCore
import MVFakeProviders
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Delivery end to end against a receiver on 127.0.0.1 that checks every signature with its own HMAC code: retries
/// after 500s with the same `webhook-id`, nothing more after a 2xx, replay of the same message, giving up after the
/// maximum age, and two dispatchers delivering each attempt exactly once.
struct WebhookDeliveryTests {
    /// The endpoint's deliveries through the API.
    static func deliveries(_ client: TestClient, team: String, endpoint: String, as account: TestClient.Account) async throws -> [[String: Any]] {
        let reply = try await client.request(.get, "/api/teams/\(team)/webhooks/\(endpoint)/deliveries", token: account.accessToken)
        guard reply.status == .ok else { throw TestFailure("deliveries: \(reply.status) \(reply.text)") }
        return reply.json["items"] as? [[String: Any]] ?? []
    }

    @Test func signedRetriedWithOneIDNotDuplicatedAndReplayable() async throws {
        let receiver = try await FakeWebhookReceiver.start()
        receiver.script([500, 503])
        defer { Task { await receiver.stop() } }
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let platform = try await context.makeAdmin(client)
            try await client.grant(100, to: crew.teamID, admin: platform)
            let (endpoint, secret) = try await WebhookFixtures.register(
                client, team: crew.teamID, as: crew.admin, url: receiver.url, events: ["job.succeeded"])
            let submitted = try await client.request(
                .post, "/api/mv/generate_video", token: crew.member.accessToken, json: ["prompt": "hook", "duration": 1, "backend": "mock"],
                headers: ["X-MV-Team": crew.teamID, "Idempotency-Key": UUID().uuidString])
            let jobID = try #require(submitted.json["id"] as? String)
            #expect(try await client.waitForJob(jobID, token: crew.member.accessToken)["status"] as? String == "succeeded")

            #expect(try await pollCondition { receiver.received.count >= 3 }, "two 500s, then the 200")
            #expect(
                try await pollCondition {
                    try await Self.deliveries(client, team: crew.teamID, endpoint: endpoint, as: crew.admin).first?["status"] as? String == "succeeded"
                })
            let received = receiver.received
            #expect(received.count == 3)
            let ids = Set(received.compactMap(\.id))
            #expect(ids.count == 1 && ids.first?.hasPrefix("msg_") == true, "one webhook-id on every retry: \(ids)")
            #expect(received.allSatisfy { WebhookFixtures.verify($0, secret: secret) }, "every attempt verifies")
            #expect(!WebhookFixtures.verify(received[0], secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()))
            #expect(Set(received.map(\.body)).count == 1, "the same body every time")
            let body = WebhookFixtures.body(received[0])
            #expect(body["type"] as? String == "job.succeeded" && body["timestamp"] is String)
            let job = (body["data"] as? [String: Any])?["job"] as? [String: Any]
            #expect(job?["id"] as? String == jobID && job?["status"] as? String == "succeeded", "\(body)")

            let log = try #require(try await Self.deliveries(client, team: crew.teamID, endpoint: endpoint, as: crew.admin).first)
            #expect(log["attempts"] as? Int == 3 && log["message_id"] as? String == ids.first && log["event_type"] as? String == "job.succeeded")
            let attempts = try #require(log["attempt_log"] as? [[String: Any]])
            #expect(attempts.map { $0["response_code"] as? Int } == [500, 503, 200], "\(attempts)")
            #expect(attempts.map { $0["succeeded"] as? Bool } == [false, false, true])
            #expect(attempts.allSatisfy { $0["latency_ms"] is Int && $0["started_at"] is String })

            // A 2xx ends it: several poll periods later, still three requests.
            let settled = try await pollCondition(timeout: .seconds(1)) { receiver.received.count > 3 }
            #expect(!settled, "no duplicate after a 2xx")

            // Replay: the same message again, once; members may not.
            let deliveryID = try #require(log["id"] as? String)
            let replayPath = "/api/teams/\(crew.teamID)/webhooks/\(endpoint)/deliveries/\(deliveryID)/replay"
            expectProblemReply(try await client.request(.post, replayPath, token: crew.member.accessToken), .forbidden, code: "forbidden")
            let replayed = try await client.request(.post, replayPath, token: crew.admin.accessToken)
            #expect(replayed.status == .accepted && replayed.json["message_id"] as? String == ids.first, "\(replayed.text)")
            #expect(try await pollCondition { receiver.received.count == 4 })
            let again = try #require(receiver.received.last)
            #expect(again.id == ids.first && again.body == received[0].body && WebhookFixtures.verify(again, secret: secret))
            #expect(
                try await pollCondition {
                    let log = try await Self.deliveries(client, team: crew.teamID, endpoint: endpoint, as: crew.admin).first
                    return log?["status"] as? String == "succeeded" && (log?["attempt_log"] as? [Any])?.count == 4
                })
            expectProblemReply(
                try await client.request(
                    .post, "/api/teams/\(crew.teamID)/webhooks/\(endpoint)/deliveries/\(UUID().uuidString)/replay",
                    token: crew.admin.accessToken), .notFound, code: "not_found", "replaying an unknown delivery")
        }
    }

    @Test func givesUpAfterTheMaximumAge() async throws {
        let receiver = try await FakeWebhookReceiver.start(defaultStatus: 500)
        defer { Task { await receiver.stop() } }
        try await withTestApp({ config in
            config.webhooks.maxAge = .milliseconds(1500)
        }) { client, context in
            let user = try await client.register()
            let (endpoint, _) = try await WebhookFixtures.register(
                client, team: user.teamID, as: user, url: receiver.url, events: ["credits.low"])
            let team = try #require(UUID(uuidString: user.teamID))
            try await context.withPostgres { postgres in
                try await postgres.withConnection { connection in
                    try await WebhookOutbox.enqueue(.creditsLow, teamID: team, payload: .object(["available": .number(1)]), on: connection)
                }
            }
            #expect(
                try await pollCondition {
                    try await Self.deliveries(client, team: user.teamID, endpoint: endpoint, as: user).first?["status"] as? String == "failed"
                }, "gave up")
            let log = try #require(try await Self.deliveries(client, team: user.teamID, endpoint: endpoint, as: user).first)
            let attempts = try #require(log["attempt_log"] as? [[String: Any]])
            #expect(attempts.count >= 2 && attempts.allSatisfy { $0["response_code"] as? Int == 500 }, "\(attempts.count) attempts")
            #expect(log["next_attempt_at"] == nil && (log["last_error"] as? String)?.contains("500") == true)
            let count = receiver.received.count
            #expect(count == attempts.count, "every attempt recorded")
            #expect(!(try await pollCondition(timeout: .seconds(1)) { receiver.received.count > count }), "nothing after giving up")
        }
    }

    @Test func twoDispatchersDeliverEachAttemptOnce() async throws {
        let receiver = try await FakeWebhookReceiver.start()
        defer { Task { await receiver.stop() } }
        try await withTestApp({ config in
            config.runWorkers = false
        }) { client, context in
            let user = try await client.register()
            let (endpoint, secret) = try await WebhookFixtures.register(
                client, team: user.teamID, as: user, url: receiver.url, events: ["project.rendered"])
            let team = try #require(UUID(uuidString: user.teamID))
            let config = context.config
            try await context.withPostgres { postgres in
                for index in 0..<30 {
                    try await postgres.withConnection { connection in
                        try await WebhookOutbox.enqueue(
                            .projectRendered, teamID: team, payload: .object(["index": .number(Double(index))]), on: connection)
                    }
                }
                let serverSecret = try await ServerSecret.load(
                    configured: config.auth.serverSecret, path: config.dataDirectory + "/keys/server-secret")
                var settings = config.webhooks
                settings.concurrency = 3
                let dispatchers = (0..<2).map { index in
                    var logger = Logger(label: "mvtest.dispatcher.\(index)")
                    logger.logLevel = .warning
                    let policy = WebhookURLPolicy(allowedHosts: settings.allowedHosts)
                    return WebhookDispatcher(
                        queue: WebhookDeliveryQueue(client: postgres, logger: logger), postgres: postgres,
                        sender: WebhookSender(policy: policy, timeout: settings.timeout, logger: logger), secret: serverSecret,
                        settings: settings, logger: logger)
                }
                let running = dispatchers.map { dispatcher in Task { try? await dispatcher.run() } }
                let done = try await pollCondition(timeout: .seconds(30)) {
                    try await context.countRows("SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'") == 30
                }
                for task in running { task.cancel() }
                for task in running { _ = await task.value }
                #expect(done)
            }
            let received = receiver.received
            #expect(received.count == 30, "each attempt delivered once: \(received.count)")
            #expect(Set(received.compactMap(\.id)).count == 30)
            #expect(received.allSatisfy { WebhookFixtures.verify($0, secret: secret) })
            #expect(try await context.countRows("SELECT count(*) FROM webhook_attempts") == 30)
            let endpointID = try #require(UUID(uuidString: endpoint))
            #expect(try await context.countRows("SELECT count(*) FROM webhook_deliveries WHERE endpoint_id = \(endpointID) AND attempts = 1") == 30)
        }
    }
}

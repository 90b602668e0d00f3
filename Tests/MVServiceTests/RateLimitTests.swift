import Foundation
import Hummingbird
import MVBilling
import PostgresNIO
import Testing
@testable import MVService

/// Token-bucket rate limits through HTTP: the generation bucket refuses a burst past its capacity with a 429 that
/// creates nothing and tells the client when to retry; every authenticated response advertises its policy.
struct RateLimitTests {
    static var video: [String: Any] { ["prompt": "a lantern drifting downriver", "duration": 1, "backend": "mock"] }

    @Test func generationBurstPastCapacityIs429UntilTheBucketRefills() async throws {
        try await withTestApp({ $0.rateLimits["generate"] = RateLimitPolicy(name: "generate", capacity: 3, refillPerSecond: 0.5) }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(20, to: user.teamID, admin: admin)
            let before = try await client.balance(token: user.accessToken)

            // Fired together so the bucket cannot refill in between (one token per 2 s, ample on a loaded machine).
            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for index in 0..<4 {
                    group.addTask { try await client.submitVideo(Self.video, token: user.accessToken, key: "burst-\(index)") }
                }
                var replies: [TestClient.Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            let accepted = replies.filter { $0.status == .accepted }
            let refused = replies.filter { $0.status == .tooManyRequests }
            #expect(accepted.count == 3, "statuses: \(replies.map(\.status))")
            #expect(refused.count == 1, "statuses: \(replies.map(\.status))")
            let limited = try #require(refused.first)

            expectProblemReply(limited, .tooManyRequests, code: "rate_limited", "4th submit")
            #expect(limited.json["policy"] as? String == "generate")
            let retryAfter = try #require(limited.header("Retry-After").flatMap { Int($0) }, "Retry-After: \(limited.headers)")
            #expect(retryAfter >= 1 && retryAfter <= 2)
            #expect(limited.json["retry_after"] as? Int == retryAfter)
            #expect(limited.header("RateLimit-Policy")?.contains(#""generate";q=3"#) == true, "\(limited.header("RateLimit-Policy") ?? "none")")
            #expect(limited.header("RateLimit")?.hasPrefix(#""generate";r=0"#) == true, "\(limited.header("RateLimit") ?? "none")")
            #expect(limited.header("X-RateLimit-Limit") == "3")
            #expect(limited.header("X-RateLimit-Remaining") == "0")
            #expect(limited.header("X-RateLimit-Reset").flatMap { Int($0) }.map { $0 >= 1 } == true)

            // The refused request made no job, no hold and moved no credits.
            let counts = try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID)
            #expect(counts.jobs == 3 && counts.holds == 3)
            let team = try #require(UUID(uuidString: user.teamID))
            #expect(try await context.countRows("SELECT count(*) FROM ledger_entries WHERE team_id = \(team) AND kind = 'hold' AND account = 'held'") == 3)
            let after = try await client.balance(token: user.accessToken)
            #expect(before.available - after.available == 3, "3 clips of 1 s cost 3 credits (held or captured): \(before) -> \(after)")

            // Accepted replies report the generation bucket too.
            for reply in accepted {
                #expect(reply.header("RateLimit-Policy")?.contains(#""generate";q=3"#) == true)
                #expect(reply.header("X-RateLimit-Limit") == "3")
            }

            // After Retry-After the bucket has a token again.
            try await Task.sleep(for: .seconds(retryAfter))
            let deadline = ContinuousClock.now + .seconds(3)
            var again = try await client.submitVideo(Self.video, token: user.accessToken, key: "after-wait")
            while again.status == .tooManyRequests && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                again = try await client.submitVideo(Self.video, token: user.accessToken, key: "after-wait")
            }
            #expect(again.status == .accepted, "after Retry-After: \(again.status) \(again.text)")
            #expect(try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID).jobs == 4)

            for reply in accepted {
                let id = try #require(reply.json["id"] as? String)
                _ = try await client.waitForJob(id, token: user.accessToken)
            }
            if let id = again.json["id"] as? String { _ = try await client.waitForJob(id, token: user.accessToken) }
        }
    }

    @Test func everyAuthenticatedResponseCarriesRateLimitFields() async throws {
        // A slow refill, so Remaining visibly counts down.
        try await withTestApp({ $0.rateLimits["api"] = RateLimitPolicy(name: "api", capacity: 100, refillPerSecond: 0.01) }) { client, _ in
            let user = try await client.register()
            let replies: [(String, TestClient.Reply)] = [
                ("me", try await client.request(.get, "/api/me", token: user.accessToken)),
                ("balance", try await client.request(.get, "/api/billing/balance", token: user.accessToken)),
                ("missing job (404)", try await client.request(.get, "/api/jobs/\(UUID())", token: user.accessToken)),
                ("bad quote (422)", try await client.request(.post, "/api/mv/quote", token: user.accessToken, json: ["kind": "nope"])),
            ]
            for (name, reply) in replies {
                #expect(reply.header("RateLimit-Policy")?.contains(#""api";q=100"#) == true, "\(name): \(reply.headers)")
                #expect(reply.header("RateLimit")?.hasPrefix(#""api";r="#) == true, "\(name)")
                #expect(reply.header("X-RateLimit-Limit") == "100", "\(name)")
                #expect(reply.header("X-RateLimit-Remaining").flatMap { Int($0) } != nil, "\(name)")
                #expect(reply.header("X-RateLimit-Reset").flatMap { Int($0) } != nil, "\(name)")
            }
            #expect(replies[0].1.status == .ok && replies[2].1.status == .notFound)
            // Remaining counts down with each request of the same user.
            let first = try #require(replies[0].1.header("X-RateLimit-Remaining").flatMap { Int($0) })
            let second = try #require(replies[1].1.header("X-RateLimit-Remaining").flatMap { Int($0) })
            #expect(first == 99)
            #expect(second == 98)
        }
    }

    @Test func apiBucketRefusesPastCapacityPerUser() async throws {
        try await withTestApp({ $0.rateLimits["api"] = RateLimitPolicy(name: "api", capacity: 3, refillPerSecond: 0.01) }) { client, _ in
            let user = try await client.register()
            let other = try await client.register()
            for index in 0..<3 {
                let reply = try await client.request(.get, "/api/me", token: user.accessToken)
                #expect(reply.status == .ok, "request \(index)")
            }
            let limited = try await client.request(.get, "/api/me", token: user.accessToken)
            expectProblemReply(limited, .tooManyRequests, code: "rate_limited", "4th api call")
            #expect(limited.json["policy"] as? String == "api")
            #expect(limited.header("Retry-After").flatMap { Int($0) }.map { $0 >= 1 } == true)
            #expect(limited.header("X-RateLimit-Limit") == "3")
            #expect(limited.json["user"] == nil)
            // Buckets are per user.
            #expect(try await client.request(.get, "/api/me", token: other.accessToken).status == .ok)
        }
    }
}

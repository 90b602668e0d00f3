import Foundation
import HTTPTypes
import MVBilling
import Testing
@testable import MVService

/// `GET /api/me/limits` tells a caller every policy that applies and what is left of it.
struct LimitsTests {
    @Test func limitsReportBucketsAndCreditsAsTheyAreSpent() async throws {
        try await withTestApp({ config in
            config.rateLimits["generate"] = RateLimitPolicy(name: "generate", capacity: 5, refillPerSecond: 5.0 / 3600)
        }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let before = try await client.request(.get, "/api/me/limits", token: user.accessToken)
            #expect(before.status == .ok)
            let generate = try #require((before.json["rate_limits"] as? [[String: Any]])?.first { $0["policy"] as? String == "generate" })
            #expect(generate["limit"] as? Int == 5 && generate["remaining"] as? Int == 5)
            #expect((before.json["credits"] as? [String: Any])?["available"] as? Int == 10)

            _ = try await client.submitVideo(["prompt": "spend", "duration": 2, "backend": "mock"], token: user.accessToken)
            let after = try await client.request(.get, "/api/me/limits", token: user.accessToken)
            let spent = try #require((after.json["rate_limits"] as? [[String: Any]])?.first { $0["policy"] as? String == "generate" })
            #expect(spent["remaining"] as? Int == 4)
            #expect((spent["reset_seconds"] as? Int ?? 0) > 0)
            let job = try await client.request(.get, "/api/jobs?limit=1", token: user.accessToken)
            if let id = (job.json["items"] as? [[String: Any]])?.first?["id"] as? String {
                _ = try await client.waitForJob(id, token: user.accessToken)
            }
        }
    }
}

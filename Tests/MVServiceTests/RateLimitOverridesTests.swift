import Foundation
import HTTPTypes
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Per-team overrides of rate-limit policies: set by platform admins through the API, applied on the next request
/// with no restart, dropped again, audited; bad values refused.
struct RateLimitOverridesTests {
    @Test func anOverrideAppliesOnTheNextRequestAndIsDroppedAgain() async throws {
        try await withTestApp { client, context in
            let platform = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(50, to: user.teamID, admin: platform)
            let path = "/api/admin/teams/\(user.teamID)/rate_limits"
            let before = try await client.request(.get, path, token: platform.accessToken)
            #expect(before.status == .ok, "\(before.text)")
            #expect(((before.json["effective"] as? [String: Any])?["generate"] as? [String: Any])?["source"] as? String == "default")

            let put = try await client.request(
                .put, path, token: platform.accessToken, json: ["generate": ["capacity": 2, "refill": 1, "per_seconds": 3600]])
            #expect(put.status == .ok, "\(put.text)")
            let effective = (put.json["effective"] as? [String: Any])?["generate"] as? [String: Any]
            #expect(effective?["capacity"] as? Int == 2 && effective?["source"] as? String == "override")

            // The very next submissions see the override: two pass, the third is refused naming the policy's new size.
            let statuses = try await (0..<3).asyncMap { _ in
                try await client.submitVideo(["prompt": "override", "duration": 1, "backend": "mock"], token: user.accessToken).status
            }
            #expect(statuses == [.accepted, .accepted, .tooManyRequests], "\(statuses)")
            let refused = try await client.submitVideo(["prompt": "override", "duration": 1, "backend": "mock"], token: user.accessToken)
            #expect(refused.header("RateLimit-Policy")?.contains(#""generate";q=2"#) == true, "\(refused.headers)")
            let limits = try await client.request(.get, "/api/me/limits", token: user.accessToken)
            let generate = (limits.json["rate_limits"] as? [[String: Any]] ?? []).first { $0["policy"] as? String == "generate" }
            #expect(generate?["limit"] as? Int == 2, "\(limits.text)")

            // Dropping it restores the configured policy at once (the bucket keeps its level and refills at that rate).
            #expect(try await client.request(.delete, path, token: platform.accessToken).status == .noContent)
            let after = try await client.request(.get, "/api/me/limits", token: user.accessToken)
            let restored = (after.json["rate_limits"] as? [[String: Any]] ?? []).first { $0["policy"] as? String == "generate" }
            #expect(restored?["limit"] as? Int == 100, "\(after.text)")
            let team = try #require(UUID(uuidString: user.teamID))
            #expect(try await context.countRows("SELECT count(*) FROM audit_events WHERE action = 'admin.rate_limits_changed' AND team_id = \(team)") == 2)
        }
    }

    @Test func theApiPolicyOverrideAppliesToTheTeamsRequests() async throws {
        try await withTestApp { client, context in
            let platform = try await context.makeAdmin(client)
            let user = try await client.register()
            let put = try await client.request(
                .put, "/api/admin/teams/\(user.teamID)/rate_limits", token: platform.accessToken,
                json: ["api": ["capacity": 3, "refill": 1, "per_seconds": 3600]])
            #expect(put.status == .ok, "\(put.text)")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<4 { statuses.append(try await client.request(.get, "/api/me", token: user.accessToken).status) }
            #expect(statuses == [.ok, .ok, .ok, .tooManyRequests], "\(statuses)")
            // Other teams keep the configured policy.
            let other = try await client.register()
            #expect(try await client.request(.get, "/api/me", token: other.accessToken).header("X-RateLimit-Limit") == "10000")
        }
    }

    @Test func onlyPlatformAdminsSetOverridesAndBadValuesAreRefused() async throws {
        try await withTestApp { client, context in
            let platform = try await context.makeAdmin(client)
            let user = try await client.register()
            let path = "/api/admin/teams/\(user.teamID)/rate_limits"
            expectProblemReply(
                try await client.request(.put, path, token: user.accessToken, json: ["generate": ["capacity": 1000, "refill": 1000, "per_seconds": 1]]),
                .forbidden, code: "forbidden", "a team owner raises their own limits")
            let cases: [(String, [String: Any])] = [
                ("generate.capacity", ["generate": ["capacity": 0, "refill": 1, "per_seconds": 1]]),
                ("generate.refill", ["generate": ["capacity": 5, "refill": -1, "per_seconds": 1]]),
                ("generate.per_seconds", ["generate": ["capacity": 5, "refill": 1, "per_seconds": 0]]),
                ("uploads", ["uploads": ["capacity": 5, "refill": 1, "per_seconds": 1]]),
                ("generate.per_seconds", ["generate": ["capacity": 5, "refill": 1]]),
            ]
            for (field, body) in cases {
                let reply = try await client.request(.put, path, token: platform.accessToken, json: body)
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(body)")
                #expect((reply.json["errors"] as? [[String: Any]])?.first?["field"] as? String == field, "\(body): \(reply.text)")
            }
            #expect(try await context.countRows("SELECT count(*) FROM team_rate_limits") == 0)
            expectProblemReply(
                try await client.request(.get, "/api/admin/teams/\(UUID().uuidString)/rate_limits", token: platform.accessToken),
                .notFound, code: "not_found", "an unknown team")
        }
    }
}

extension Sequence {
    /// Maps in order, one element after another.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

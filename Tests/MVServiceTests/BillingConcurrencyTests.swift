import Foundation
import Hummingbird
import PostgresNIO
import Testing
@testable import MVService

/// No overdraft under concurrency: holds are admitted by the database, one at a time, counting open holds.
struct BillingConcurrencyTests {
    /// A 2-second mock clip: 2 credits.
    static var clip: [String: Any] { ["prompt": "a crowd of fireflies", "duration": 2, "backend": "mock"] }

    @Test func twelveConcurrentSubmitsOnCreditForThreeAdmitExactlyThree() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            // The mock costs 1 credit per second: 6 credits pay for exactly three 2-second clips.
            try await client.grant(6, to: user.teamID, admin: admin)
            let body = Self.clip
            let quote = try await client.request(
                .post, "/api/mv/quote", token: user.accessToken, json: body.merging(["kind": "generate_video"]) { a, _ in a })
            #expect(quote.json["credits"] as? Int == 2)

            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for index in 0..<12 {
                    group.addTask { try await client.submitVideo(Self.clip, token: user.accessToken, key: "burst-\(index)") }
                }
                var replies: [TestClient.Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }

            let accepted = replies.filter { $0.status == .accepted }
            let refused = replies.filter { $0.status.code == 402 }
            #expect(accepted.count == 3, "statuses: \(replies.map(\.status.code))")
            #expect(refused.count == 9, "statuses: \(replies.map(\.status.code))")
            for reply in refused {
                expectProblemReply(reply, .init(code: 402), code: "insufficient_credits", "refused submit")
                #expect(reply.json["required"] as? Int == 2, "\(reply.text)")
                #expect(reply.json["available"] as? Int == 0, "\(reply.text)")
            }
            for reply in accepted {
                #expect((reply.json["cost"] as? [String: Any])?["held"] as? Int == 2)
            }

            let team = try #require(UUID(uuidString: user.teamID))
            let counts = try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID)
            #expect(counts.jobs == 3 && counts.holds == 3)
            let mid = try await client.balance(token: user.accessToken)
            #expect(mid.available == 0, "available must never go below zero or above posted - held: \(mid)")
            #expect(mid.posted - mid.held == mid.available)

            let jobIDs = accepted.compactMap { $0.json["id"] as? String }
            #expect(Set(jobIDs).count == 3)
            for jobID in jobIDs {
                let job = try await client.waitForJob(jobID, token: user.accessToken)
                #expect(job["status"] as? String == "succeeded", "\(job)")
                let cost = try #require(job["cost"] as? [String: Any])
                #expect(cost["charged"] as? Int == 2)
                #expect(cost["released"] as? Int == 0)
                #expect(cost["held"] as? Int == 0)
            }

            let after = try await client.balance(token: user.accessToken)
            #expect(after.available == 0 && after.held == 0 && after.posted == 0, "\(after)")
            let captured = try await context.scalar(
                "SELECT COALESCE(sum(captured), 0)::bigint FROM holds WHERE team_id = \(team) AND status = 'captured'", as: Int.self)
            #expect(captured == 6)
            #expect(try await context.countRows("SELECT count(*) FROM holds WHERE team_id = \(team) AND status <> 'captured'") == 0)

            // One more submit after everything settled is still refused and changes nothing.
            let late = try await client.submitVideo(body, token: user.accessToken, key: "late")
            expectProblemReply(late, .init(code: 402), code: "insufficient_credits", "late submit")
            let final = try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID)
            #expect(final.jobs == 3 && final.holds == 3)
        }
    }
}

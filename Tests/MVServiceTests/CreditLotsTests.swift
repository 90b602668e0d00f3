import Foundation
import HTTPTypes
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Credit lots through HTTP: grants with expiry and priority, the lots list, the balance's `expiring`, captures paid by
/// lots, and the sweeper expiring a lot's unused credits within its interval.
struct CreditLotsTests {
    static func grant(
        _ client: TestClient, _ body: [String: Any], to team: String, admin: TestClient.Account
    ) async throws -> TestClient.Reply {
        try await client.request(.post, "/api/admin/teams/\(team)/credits", token: admin.accessToken, json: body)
    }

    @Test func grantsAreLotsAndCapturesDrawFromThem() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(7 * 86_400))
            let promo = try await Self.grant(client, ["amount": 3, "reason": "promo", "priority": 10, "expires_at": soon], to: user.teamID, admin: admin)
            #expect(promo.status == .created, "\(promo.text)")
            #expect(promo.json["priority"] as? Int == 10)
            #expect(try await Self.grant(client, ["amount": 10, "reason": "plan"], to: user.teamID, admin: admin).status == .created)

            let balance = try await client.request(.get, "/api/billing/balance", token: user.accessToken)
            #expect(balance.json["available"] as? Int == 13)
            let expiring = balance.json["expiring"] as? [[String: Any]] ?? []
            #expect(expiring.count == 1 && expiring.first?["amount"] as? Int == 3 && expiring.first?["expires_at"] is String, "\(balance.text)")

            let submitted = try await client.submitVideo(["prompt": "lots", "duration": 4, "backend": "mock"], token: user.accessToken)
            let jobID = try #require(submitted.json["id"] as? String)
            #expect(try await client.waitForJob(jobID, token: user.accessToken)["status"] as? String == "succeeded")

            let lots = try await client.request(.get, "/api/billing/lots", token: user.accessToken)
            #expect(lots.status == .ok, "\(lots.text)")
            let items = lots.json["items"] as? [[String: Any]] ?? []
            let promoLot = try #require(items.first { $0["reason"] as? String == "promo" })
            let planLot = try #require(items.first { $0["reason"] as? String == "plan" })
            #expect(promoLot["granted"] as? Int == 3 && promoLot["consumed"] as? Int == 3 && promoLot["remaining"] as? Int == 0)
            #expect(planLot["consumed"] as? Int == 1 && planLot["remaining"] as? Int == 9 && planLot["expired"] as? Int == 0)
            #expect(planLot["priority"] as? Int == 100 && planLot["expires_at"] == nil)
            let job = try #require(UUID(uuidString: jobID))
            #expect(try await context.countRows("SELECT count(*) FROM lot_consumptions WHERE job_id = \(job)") == 2)
            let ledger = try await client.request(.get, "/api/billing/ledger", token: user.accessToken)
            #expect((ledger.json["items"] as? [[String: Any]] ?? []).contains { $0["kind"] as? String == "grant" && $0["lot_id"] is String })
        }
    }

    @Test func theSweeperExpiresUnusedCreditsWithinItsInterval() async throws {
        try await withTestApp({ $0.expirySweepInterval = .milliseconds(200) }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            let inTwoSeconds = ISO8601DateFormatter.withFractions.string(from: Date().addingTimeInterval(2))
            let granted = try await Self.grant(client, ["amount": 7, "reason": "trial", "expires_at": inTwoSeconds], to: user.teamID, admin: admin)
            #expect(granted.status == .created, "\(granted.text)")
            #expect(try await client.balance(token: user.accessToken).available == 7)
            let deadline = ContinuousClock.now + .seconds(15)
            var available = 7
            while available > 0 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                available = try await client.balance(token: user.accessToken).available
            }
            #expect(available == 0, "the trial lot expired")
            let lots = try await client.request(.get, "/api/billing/lots", token: user.accessToken)
            let lot = try #require((lots.json["items"] as? [[String: Any]])?.first)
            #expect(lot["expired"] as? Int == 7 && lot["remaining"] as? Int == 0)
            let team = try #require(UUID(uuidString: user.teamID))
            #expect(try await context.countRows("SELECT count(*) FROM audit_events WHERE action = 'credits.expired' AND team_id = \(team)") == 1)
            let refused = try await client.submitVideo(["prompt": "after expiry", "duration": 1, "backend": "mock"], token: user.accessToken)
            expectProblemReply(refused, HTTPResponse.Status(code: 402), code: "insufficient_credits", "after the lot expired")
        }
    }

    @Test func badGrantsNameTheFieldAndChangeNothing() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            #expect(try await Self.grant(client, ["amount": 5], to: user.teamID, admin: admin).status == .created)
            let cases: [(String, [String: Any])] = [
                ("expires_at", ["amount": 5, "expires_at": "2020-01-01T00:00:00Z"]),
                ("expires_at", ["amount": 5, "expires_at": "next week"]),
                ("expires_at", ["amount": -1, "expires_at": "2099-01-01T00:00:00Z"]),
                ("priority", ["amount": 5, "priority": -1]),
                ("priority", ["amount": 5, "priority": 1001]),
                ("amount", ["amount": 0]),
            ]
            for (field, body) in cases {
                let reply = try await Self.grant(client, body, to: user.teamID, admin: admin)
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(body)")
                #expect((reply.json["errors"] as? [[String: Any]])?.first?["field"] as? String == field, "\(reply.text)")
            }
            let beyond = try await Self.grant(client, ["amount": -6, "reason": "too much"], to: user.teamID, admin: admin)
            expectProblemReply(beyond, HTTPResponse.Status(code: 402), code: "insufficient_credits", "an adjustment beyond available")
            #expect(try await client.balance(token: user.accessToken).available == 5)
            let team = try #require(UUID(uuidString: user.teamID))
            #expect(try await context.countRows("SELECT count(*) FROM credit_lots WHERE team_id = \(team)") == 1)
            let memberReads = try await client.request(.get, "/api/billing/lots", token: user.accessToken)
            #expect(memberReads.status == .ok, "the owner of a personal team reads its lots")
        }
    }
}

extension ISO8601DateFormatter {
    /// RFC 3339 with milliseconds, as browsers send.
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}

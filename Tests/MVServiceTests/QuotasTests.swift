import Foundation
import HTTPTypes
import MVBackends
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Quotas through HTTP: who manages which, calendar periods in the team's time zone, exact all-or-nothing admission
/// under concurrency, failed work given back, alert thresholds recorded once, and bad input refused.
struct QuotasTests {
    static func create(
        _ client: TestClient, team: String, as account: TestClient.Account, subject: [String: Any], period: String = "day",
        limit: Int = 3, action: String = "block"
    ) async throws -> TestClient.Reply {
        try await client.request(
            .post, "/api/teams/\(team)/quotas", token: account.accessToken,
            json: ["subject": subject, "period": period, "limit": limit, "action": action])
    }

    static func submit(_ client: TestClient, _ account: TestClient.Account, team: String) async throws -> TestClient.Reply {
        try await client.request(
            .post, "/api/mv/generate_video", token: account.accessToken, json: ["prompt": "quota", "duration": 1, "backend": "mock"],
            headers: ["X-MV-Team": team, "Idempotency-Key": UUID().uuidString])
    }

    @Test func whoManagesWhichQuota() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let platform = try await context.makeAdmin(client)
            let team = crew.teamID
            let member = ["type": "member", "id": crew.member.userID]
            let byAdmin = try await Self.create(client, team: team, as: crew.admin, subject: member)
            #expect(byAdmin.status == .created, "\(byAdmin.text)")
            #expect(byAdmin.json["used"] as? Int == 0 && byAdmin.json["remaining"] as? Int == 3)
            #expect(byAdmin.json["period_start"] is String && byAdmin.json["resets_at"] is String)
            let quotaID = try #require(byAdmin.json["id"] as? String)
            expectProblemReply(
                try await Self.create(client, team: team, as: crew.member, subject: ["type": "member", "id": crew.viewer.userID]),
                .forbidden, code: "forbidden", "a member creates a quota")
            expectProblemReply(
                try await Self.create(client, team: team, as: crew.outsider, subject: member), .notFound, code: "not_found", "an outsider")
            expectProblemReply(
                try await Self.create(client, team: team, as: crew.owner, subject: ["type": "team"]), .forbidden, code: "forbidden",
                "a team owner caps the whole team")
            let teamQuota = try await Self.create(client, team: team, as: platform, subject: ["type": "team"], period: "month", limit: 50, action: "alert")
            #expect(teamQuota.status == .created, "a platform admin who is not a member caps the team: \(teamQuota.text)")
            #expect((teamQuota.json["subject"] as? [String: Any])?["id"] as? String == team)
            let teamQuotaID = try #require(teamQuota.json["id"] as? String)
            expectProblemReply(
                try await client.request(.patch, "/api/teams/\(team)/quotas/\(teamQuotaID)", token: crew.admin.accessToken, json: ["limit": 500]),
                .forbidden, code: "forbidden", "a team admin raises the team's quota")

            let changed = try await client.request(
                .patch, "/api/teams/\(team)/quotas/\(quotaID)", token: crew.owner.accessToken, json: ["limit": 4, "action": "alert"])
            #expect(changed.status == .ok && changed.json["limit"] as? Int == 4 && changed.json["action"] as? String == "alert", "\(changed.text)")
            let listed = try await client.request(.get, "/api/teams/\(team)/quotas", token: crew.admin.accessToken)
            #expect((listed.json["items"] as? [[String: Any]])?.count == 2)
            expectProblemReply(
                try await client.request(.get, "/api/teams/\(team)/quotas", token: crew.viewer.accessToken), .forbidden, code: "forbidden",
                "a viewer lists quotas")
            #expect(try await client.request(.delete, "/api/teams/\(team)/quotas/\(quotaID)", token: crew.admin.accessToken).status == .noContent)
            expectProblemReply(
                try await client.request(.delete, "/api/teams/\(team)/quotas/\(quotaID)", token: crew.admin.accessToken), .notFound,
                code: "not_found", "deleting twice")
            let teamUUID = try #require(UUID(uuidString: team))
            #expect(try await context.countRows("SELECT count(*) FROM audit_events WHERE team_id = \(teamUUID) AND action = 'quota.created'") == 2)
            #expect(try await context.countRows("SELECT count(*) FROM audit_events WHERE team_id = \(teamUUID) AND action = 'quota.changed'") == 2)
        }
    }

    @Test func aBlockingQuotaAdmitsExactlyItsLimitAndRefusesAllOrNothing() async throws {
        try await withTestApp({ config in
            config.backends.mock.delayMin = 0.2
            config.backends.mock.delayMax = 0.3
            // A bucket that barely refills, so what the refused admissions did (nothing) can be read off it.
            config.rateLimits["generate"] = RateLimitPolicy(name: "generate", capacity: 100, refillPerSecond: 0.0001)
        }) { client, context in
            let crew = try await TeamsTests.crew(client)
            let platform = try await context.makeAdmin(client)
            try await client.grant(100, to: crew.teamID, admin: platform)
            let quota = try await Self.create(client, team: crew.teamID, as: crew.admin, subject: ["type": "member", "id": crew.member.userID])
            let quotaID = try #require(quota.json["id"] as? String)
            // An alert quota on the team too: a refusal by the member quota must leave it untouched.
            let alert = try await Self.create(
                client, team: crew.teamID, as: platform, subject: ["type": "team"], period: "week", limit: 1000, action: "alert")
            let alertID = try #require(UUID(uuidString: alert.json["id"] as? String ?? ""))

            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for _ in 0..<12 { group.addTask { try await Self.submit(client, crew.member, team: crew.teamID) } }
                var replies: [TestClient.Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            let accepted = replies.filter { $0.status == .accepted }
            let refused = replies.filter { $0.status == .tooManyRequests }
            #expect(accepted.count == 3 && refused.count == 9, "\(replies.map(\.status))")
            let refusal = try #require(refused.first)
            expectProblemReply(refusal, .tooManyRequests, code: "quota_exceeded", "the 4th submit")
            #expect(refusal.json["quota_id"] as? String == quotaID)
            #expect((refusal.json["subject"] as? [String: Any])?["type"] as? String == "member")
            #expect(refusal.json["limit"] as? Int == 3 && refusal.json["used"] as? Int == 3)
            #expect(refusal.json["resets_at"] is String)
            let retryAfter = try #require(refusal.header("Retry-After").flatMap(Int.init))
            #expect(retryAfter >= 1 && retryAfter <= 86_400)

            // Nothing else moved for the refused ones: 3 holds, 3 credits held or spent, the team counter at 3, 3 generation tokens.
            let team = try #require(UUID(uuidString: crew.teamID))
            #expect(try await context.countRows("SELECT count(*) FROM holds WHERE team_id = \(team)") == 3)
            #expect(try await context.countRows("SELECT used FROM quota_usage WHERE quota_id = \(alertID)") == 3)
            let limits = try await client.request(.get, "/api/me/limits", token: crew.member.accessToken, headers: ["X-MV-Team": crew.teamID])
            let generate = (limits.json["rate_limits"] as? [[String: Any]] ?? []).first { $0["policy"] as? String == "generate" }
            #expect(generate?["remaining"] as? Int == 97, "only the 3 admissions took generation tokens: \(limits.text)")
            let mine = (limits.json["quotas"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(Set(mine) == [quotaID, alertID.uuidString.lowercased()], "\(limits.text)")
            // Another member is not counted by this member's quota.
            #expect(try await Self.submit(client, crew.admin, team: crew.teamID).status == .accepted)
            for reply in accepted + [] {
                _ = try await client.waitForJob(reply.json["id"] as? String ?? "", token: crew.member.accessToken)
            }
        }
    }

    @Test func anAPIKeyQuotaCountsOnlyThatKey() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let platform = try await context.makeAdmin(client)
            try await client.grant(20, to: crew.teamID, admin: platform)
            let key = try await APIKeysTests.createKey(client, as: crew.member, scopes: ["generate"], team: crew.teamID)
            let secret = try #require(key["key"] as? String)
            let quota = try await Self.create(
                client, team: crew.teamID, as: crew.admin, subject: ["type": "api_key", "id": key["id"] as? String ?? ""], limit: 1)
            #expect(quota.status == .created, "\(quota.text)")
            #expect(try await APIKeysTests.submit(client, token: secret).status == .accepted)
            let refused = try await APIKeysTests.submit(client, token: secret)
            expectProblemReply(refused, .tooManyRequests, code: "quota_exceeded", "the key's second job")
            #expect((refused.json["subject"] as? [String: Any])?["type"] as? String == "api_key")
            // The same member without the key is not counted by the key's quota.
            #expect(try await Self.submit(client, crew.member, team: crew.teamID).status == .accepted)
            let limits = try await client.request(.get, "/api/me/limits", token: secret)
            #expect((limits.json["quotas"] as? [[String: Any]])?.first?["remaining"] as? Int == 0, "\(limits.text)")
        }
    }

    @Test func failedWorkGivesItsCreditsBack() async throws {
        try await withTestApp({ $0.backends.mock.failureRate = 1; $0.jobs.maxAttempts = 1 }) { client, context in
            let user = try await client.register()
            let platform = try await context.makeAdmin(client)
            try await client.grant(10, to: user.teamID, admin: platform)
            let quota = try await Self.create(client, team: user.teamID, as: platform, subject: ["type": "team"], limit: 2)
            #expect(quota.status == .created, "\(quota.text)")
            for _ in 0..<2 {
                let reply = try await Self.submit(client, user, team: user.teamID)
                #expect(reply.status == .accepted, "\(reply.text)")
                let job = try await client.waitForJob(reply.json["id"] as? String ?? "", token: user.accessToken)
                #expect(job["status"] as? String == "failed")
            }
            let listed = try await client.request(.get, "/api/teams/\(user.teamID)/quotas", token: platform.accessToken)
            #expect((listed.json["items"] as? [[String: Any]])?.first?["used"] as? Int == 0, "\(listed.text)")
        }
    }

    @Test func alertThresholdsAreRecordedOncePerPeriod() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let platform = try await context.makeAdmin(client)
            try await client.grant(20, to: user.teamID, admin: platform)
            let quota = try await Self.create(client, team: user.teamID, as: platform, subject: ["type": "team"], limit: 5, action: "alert")
            let quotaID = try #require(quota.json["id"] as? String)
            for _ in 0..<7 { #expect(try await Self.submit(client, user, team: user.teamID).status == .accepted, "alert quotas never refuse") }
            let rows = try await context.withPostgres { postgres in
                let rows = try await postgres.query(
                    "SELECT (detail->>'threshold_percent')::int FROM audit_events WHERE action = 'quota.threshold' AND target_id = \(quotaID) ORDER BY id",
                    logger: TestCluster.logger)
                var thresholds: [Int] = []
                for try await value in rows.decode(Int.self) { thresholds.append(value) }
                return thresholds
            }
            #expect(rows == [80, 100], "crossing 4/5 then 5/5, once each: \(rows)")
        }
    }

    @Test func periodsAreCalendarPeriodsInTheTeamsTimeZone() async throws {
        try await withTestApp { client, context in
            let owner = try await client.register()
            let platform = try await context.makeAdmin(client)
            let created = try await client.request(
                .post, "/api/teams", token: owner.accessToken, json: ["name": "Tokyo", "time_zone": "Asia/Tokyo"])
            let team = try #require(created.json["id"] as? String)
            var zone = Calendar(identifier: .iso8601)
            zone.timeZone = try #require(TimeZone(identifier: "Asia/Tokyo"))
            for period in ["day", "week", "month"] {
                let reply = try await Self.create(client, team: team, as: platform, subject: ["type": "team"], period: period, limit: 10)
                #expect(reply.status == .created, "\(reply.text)")
                let start = try #require((reply.json["period_start"] as? String).flatMap(RFC3339Parse.date))
                let resets = try #require((reply.json["resets_at"] as? String).flatMap(RFC3339Parse.date))
                let component: Calendar.Component = period == "day" ? .day : period == "week" ? .weekOfYear : .month
                let interval = try #require(zone.dateInterval(of: component, for: Date()))
                #expect(start == interval.start && resets == interval.end, "\(period): \(start)…\(resets) vs \(interval)")
            }
        }
    }

    @Test func badInputNamesTheFieldAndChangesNothing() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let member = ["type": "member", "id": crew.member.userID]
            let cases: [(String, [String: Any])] = [
                ("limit", ["subject": member, "period": "day", "limit": 0, "action": "block"]),
                ("limit", ["subject": member, "period": "day", "limit": -5, "action": "block"]),
                ("period", ["subject": member, "period": "fortnight", "limit": 5, "action": "block"]),
                ("action", ["subject": member, "period": "day", "limit": 5, "action": "shout"]),
                ("subject.type", ["subject": ["type": "planet", "id": crew.member.userID], "period": "day", "limit": 5, "action": "block"]),
                ("subject.id", ["subject": ["type": "member"], "period": "day", "limit": 5, "action": "block"]),
            ]
            for (field, body) in cases {
                let reply = try await client.request(.post, "/api/teams/\(crew.teamID)/quotas", token: crew.admin.accessToken, json: body)
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(body)")
                #expect((reply.json["errors"] as? [[String: Any]])?.first?["field"] as? String == field, "\(body): \(reply.text)")
            }
            // A subject that names nothing in the team is not found, and the problem names the field.
            for subject in [["type": "member", "id": crew.outsider.userID], ["type": "api_key", "id": UUID().uuidString]] {
                let reply = try await client.request(
                    .post, "/api/teams/\(crew.teamID)/quotas", token: crew.admin.accessToken,
                    json: ["subject": subject, "period": "day", "limit": 5, "action": "block"])
                expectProblemReply(reply, .notFound, code: "not_found", "\(subject)")
                #expect((reply.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "subject.id", "\(reply.text)")
            }
            #expect(try await context.countRows("SELECT count(*) FROM quotas") == 0)
            #expect(try await Self.create(client, team: crew.teamID, as: crew.admin, subject: member).status == .created)
            expectProblemReply(
                try await Self.create(client, team: crew.teamID, as: crew.admin, subject: member), .conflict, code: "quota_exists",
                "the same subject and period twice")
            #expect(try await context.countRows("SELECT count(*) FROM quotas") == 1)
            #expect(try await context.countRows("SELECT count(*) FROM audit_events WHERE action = 'quota.created'") == 1)
        }
    }
}

/// RFC 3339 parsing with or without fractional seconds (the API writes milliseconds).
enum RFC3339Parse {
    static func date(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}

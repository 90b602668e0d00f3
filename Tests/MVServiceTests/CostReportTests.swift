import Foundation
import HTTPTypes
import MVBackends
import MVBilling
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Cost reports reconcile with the ledger to the credit: for every grouping, JSON and CSV, team and admin routes,
/// `sum(credits_charged)` equals the ledger's captures in the half-open range; day buckets are local days of the
/// named zone; failed work costs nothing; bad parameters are 422 naming the parameter.
struct CostReportTests {
    static let groupings = [
        "", "team", "user", "api_key", "provider", "model", "kind", "day", "user,day",
        "day,kind,model,provider,api_key,user,team",  // reversed on purpose: output is in canonical order
    ]

    /// Two teams with owners, a member of the second team working through an API key, and a platform admin.
    struct World {
        var admin: TestClient.Account
        var alice: TestClient.Account  // owner of team A (America/Los_Angeles)
        var bob: TestClient.Account  // owner of team B (UTC)
        var carol: TestClient.Account  // member of team B
        var carolKey: String
        var carolKeyID: UUID
        var teamA: UUID
        var teamB: UUID
        /// The Los Angeles midnight that began yesterday there (a whole second).
        var midnight: Date
        var failed: [UUID]
        var canceled: UUID
        var succeeded: [UUID]
    }

    static func config(_ config: inout AppConfig) {
        config.runWorkers = false
        config.jobs.maxAttempts = 1
        CostReportFixture.priceMockModels(&config)
    }

    static func submit(_ client: TestClient, _ path: String, _ body: [String: Any], token: String, team: UUID? = nil) async throws -> UUID {
        var headers = ["Idempotency-Key": UUID().uuidString]
        if let team { headers["X-MV-Team"] = team.lowercased }
        let reply = try await client.request(.post, path, token: token, json: body, headers: headers)
        guard reply.status == .accepted, let id = (reply.json["id"] as? String).flatMap(UUID.init(uuidString:)) else {
            throw TestFailure("submit \(path) failed: \(reply.status) \(reply.text)")
        }
        return id
    }

    static let video = "/api/mv/generate_video"
    static let scenes = "/api/mv/create_scenes"
    static let images = "/api/mv/generate_character_reference"
    static var scenesBody: [String: Any] { ["idea": "a lighthouse keeper dancing", "character_description": "an old sailor", "number_of_scenes": 2, "backend": "mock"] }
    static var imagesBody: [String: Any] { ["character_description": "an old sailor in a yellow raincoat", "num_images": 2, "backend": "mock"] }

    /// Builds the world: real jobs of every kind and final state through the API and the worker, plus historic
    /// captures on both sides of a Los Angeles midnight.
    static func world(_ client: TestClient, _ context: TestContext) async throws -> World {
        let admin = try await context.makeAdmin(client)
        let alice = try await client.register()
        let bob = try await client.register()
        let carol = try await client.register()
        func team(_ owner: TestClient.Account, _ zone: String) async throws -> UUID {
            let created = try await client.request(.post, "/api/teams", token: owner.accessToken, json: ["name": "Crew", "time_zone": zone])
            return try #require((created.json["id"] as? String).flatMap(UUID.init(uuidString:)), "\(created.text)")
        }
        let teamA = try await team(alice, "America/Los_Angeles")
        let teamB = try await team(bob, "UTC")
        let added = try await client.request(
            .post, "/api/teams/\(teamB.lowercased)/members", token: bob.accessToken, json: ["email": carol.email, "role": "member"])
        #expect(added.status == .created, "\(added.text)")
        try await client.grant(500, to: teamA.lowercased, admin: admin)
        try await client.grant(500, to: teamB.lowercased, admin: admin)
        let key = try await APIKeysTests.createKey(client, as: carol, scopes: ["read", "generate"], team: teamB.lowercased)
        let carolKey = try #require(key["key"] as? String)
        let carolKeyID = try #require((key["id"] as? String).flatMap(UUID.init(uuidString:)))

        // Failures first, with a worker whose mock provider always fails (one attempt: final at once).
        let failed = [
            try await submit(client, images, imagesBody, token: alice.accessToken, team: teamA),
            try await submit(client, scenes, scenesBody, token: carolKey),
        ]
        var failing = context.config
        failing.backends.mock.failureRate = 1
        try await CostReportFixture.drain(failed, config: failing, context: context, name: "failing")

        // A canceled job (still queued: no worker runs), then successes of every kind, by token and by key.
        let canceled = try await submit(client, video, ["prompt": "never", "duration": 4, "backend": "mock"], token: alice.accessToken, team: teamA)
        let cancel = try await client.request(.post, "/api/jobs/\(canceled.lowercased)/cancel", token: alice.accessToken)
        #expect(cancel.status == .ok, "\(cancel.text)")
        let succeeded = [
            try await submit(client, video, ["prompt": "a clip", "duration": 2, "backend": "mock"], token: alice.accessToken, team: teamA),
            try await submit(client, scenes, scenesBody, token: alice.accessToken, team: teamA),
            try await submit(client, images, imagesBody, token: bob.accessToken, team: teamB),
            try await submit(client, video, ["prompt": "a key's clip", "duration": 3, "backend": "mock"], token: carolKey),
        ]
        try await CostReportFixture.drain(succeeded, config: context.config, context: context, name: "working")

        // Historic captures around the Los Angeles midnight that began yesterday there.
        let midnight = try #require(try await context.scalar(
            "SELECT (date_trunc('day', now() AT TIME ZONE 'America/Los_Angeles') - interval '1 day') AT TIME ZONE 'America/Los_Angeles'",
            as: Date.self))
        let aliceID = try #require(UUID(uuidString: alice.userID))
        let carolID = try #require(UUID(uuidString: carol.userID))
        try await context.withPostgres { postgres in
            for (offset, amount) in [(-90.0, 5), (0, 3), (90, 7), (7200, 11)] as [(Double, Int64)] {
                try await CostReportFixture.historicCapture(
                    team: teamA, user: aliceID, amount: amount, at: midnight.addingTimeInterval(offset), postgres: postgres)
            }
            try await CostReportFixture.historicCapture(
                team: teamB, user: carolID, apiKey: carolKeyID, amount: 13, at: midnight.addingTimeInterval(-30), postgres: postgres)
        }
        return World(
            admin: admin, alice: alice, bob: bob, carol: carol, carolKey: carolKey, carolKeyID: carolKeyID, teamA: teamA, teamB: teamB,
            midnight: midnight, failed: failed, canceled: canceled, succeeded: succeeded)
    }

    /// Fetches `path` (with query) as JSON and as CSV; expects both 200, the same rows, and totals equal to the row sums.
    static func both(_ client: TestClient, _ path: String, token: String) async throws -> (json: [String: Any], rows: CostReportFixture.FlatRows) {
        let json = try await client.request(.get, path, token: token)
        #expect(json.status == .ok, "\(path): \(json.text)")
        let csv = try await client.request(.get, path + "&format=csv", token: token)
        #expect(csv.status == .ok, "\(path) csv: \(csv.text)")
        #expect(csv.header("Content-Type") == "text/csv; charset=utf-8")
        let parsed = CostReportFixture.parseCSV(csv.text)
        let flat = CostReportFixture.flatten(json: json.json, columns: parsed.columns)
        #expect(flat.matches(parsed), "\(path): JSON rows\n\(flat)\nCSV rows\n\(parsed)")
        #expect(json.json["truncated"] as? Bool == false)
        let totals = json.json["totals"] as? [String: Any] ?? [:]
        for column in ["jobs", "succeeded", "failed", "canceled", "credits_charged", "credits_released", "margin_credits"] {
            #expect(totals[column] as? Int == parsed.sum(column), "\(path): totals.\(column) \(totals[column] ?? "none") vs rows")
        }
        return (json.json, parsed)
    }

    static func time(_ date: Date) -> String { RFC3339.string(from: date) }

    /// A JSON number as a Double (NaN when absent).
    static func number(_ value: Any?) -> Double { (value as? NSNumber)?.doubleValue ?? .nan }

    @Test func everyGroupingReconcilesWithTheLedgerInJSONAndCSV() async throws {
        try await withTestApp(Self.config) { client, context in
            let world = try await Self.world(client, context)
            let from = world.midnight.addingTimeInterval(-3600)
            let to = Date().addingTimeInterval(60).rounded()
            let teamPath = "/api/teams/\(world.teamA.lowercased)/reports/costs?from=\(Self.time(from))&to=\(Self.time(to))"
            let adminPath = "/api/admin/reports/costs?from=\(Self.time(from))&to=\(Self.time(to))"
            let teamCaptures = try await CostReportFixture.ledgerCaptures(from: from, to: to, team: world.teamA, context: context)
            let allCaptures = try await CostReportFixture.ledgerCaptures(from: from, to: to, team: nil, context: context)
            #expect(teamCaptures > 26 && allCaptures > teamCaptures + 13, "the world has captures: \(teamCaptures), \(allCaptures)")

            for grouping in Self.groupings {
                let team = try await Self.both(client, teamPath + "&group_by=\(grouping)", token: world.alice.accessToken)
                #expect(team.rows.sum("credits_charged") == teamCaptures, "team, group_by=\(grouping)")
                #expect(team.json["tz"] as? String == "America/Los_Angeles")
                let all = try await Self.both(client, adminPath + "&group_by=\(grouping)", token: world.admin.accessToken)
                #expect(all.rows.sum("credits_charged") == allCaptures, "admin, group_by=\(grouping)")
                #expect(all.json["tz"] as? String == "UTC")
                let expected = CostReportDimension.allCases.filter { grouping.split(separator: ",").map(String.init).contains($0.rawValue) }
                #expect(all.json["group_by"] as? [String] == expected.map(\.rawValue))
                #expect(Array(all.rows.columns.prefix(expected.count)) == expected.map(\.column))
                #expect(all.rows.rows.count == (grouping.isEmpty ? 1 : all.rows.rows.count))
            }
            // The admin filter to one team gives the team's own figures.
            let filtered = try await Self.both(
                client, adminPath + "&team_id=\(world.teamA.lowercased)&group_by=kind", token: world.admin.accessToken)
            #expect(filtered.rows.sum("credits_charged") == teamCaptures)

            // Job counts: distinct jobs with a capture or release in the range, by final state.
            let total = try await Self.both(client, adminPath + "&group_by=", token: world.admin.accessToken).json["totals"] as? [String: Any] ?? [:]
            let resolved = try await context.countRows("""
                SELECT count(DISTINCT job_id) FROM ledger_entries
                WHERE account = 'held' AND kind IN ('capture', 'release') AND created_at >= \(from) AND created_at < \(to)
                """)
            #expect(total["jobs"] as? Int == resolved && resolved == 2 + 1 + 4 + 5, "\(total)")
            #expect(total["failed"] as? Int == 2 && total["canceled"] as? Int == 1 && total["succeeded"] as? Int == 4 + 5, "\(total)")
            let released = try await context.scalar("""
                SELECT coalesce(-sum(amount), 0)::int FROM ledger_entries
                WHERE account = 'held' AND kind = 'release' AND created_at >= \(from) AND created_at < \(to)
                """, as: Int.self)
            #expect(total["credits_released"] as? Int == released)
        }
    }

    @Test func daysAreLocalFailuresCostNothingAndUnitsArePriced() async throws {
        try await withTestApp(Self.config) { client, context in
            let world = try await Self.world(client, context)
            let from = world.midnight.addingTimeInterval(-3600)
            let to = world.midnight.addingTimeInterval(3 * 3600)
            let base = "/api/teams/\(world.teamA.lowercased)/reports/costs?from=\(Self.time(from))&to=\(Self.time(to))"

            // Los Angeles days: 5 credits the evening before, 3 (exactly at midnight) + 7 + 11 on the new day.
            let local = try await Self.both(client, base + "&group_by=day", token: world.alice.accessToken).rows
            let dayIndex = try #require(local.columns.firstIndex(of: "day"))
            let charged = try #require(local.columns.firstIndex(of: "credits_charged"))
            let calendar = { var c = Calendar(identifier: .gregorian); c.timeZone = TimeZone(identifier: "America/Los_Angeles")!; return c }()
            func day(_ date: Date) -> String {
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
            }
            #expect(local.rows.map { [$0[dayIndex], $0[charged]] } == [
                [day(world.midnight.addingTimeInterval(-1)), "5"], [day(world.midnight), "21"],
            ], "\(local)")
            // In UTC the same entries fall on one day (the Los Angeles midnight is 07:00 or 08:00 UTC).
            let utc = try await Self.both(client, base + "&group_by=day&tz=UTC", token: world.alice.accessToken).rows
            #expect(utc.rows.count == 1 && utc.sum("credits_charged") == 26, "\(utc)")

            // Half-open: an entry written exactly at `to` is out; one microsecond later it is in.
            let edge = world.midnight.addingTimeInterval(7200)
            let before = "/api/teams/\(world.teamA.lowercased)/reports/costs?from=\(Self.time(from))&to=\(Self.time(edge))"
            let cut = try await Self.both(client, before, token: world.alice.accessToken).rows
            #expect(cut.sum("credits_charged") == 15)
            #expect(try await CostReportFixture.ledgerCaptures(from: from, to: edge, team: world.teamA, context: context) == 15)
            let justAfter = Self.time(edge).replacingOccurrences(of: ".000Z", with: ".000001Z")
            let after = "/api/teams/\(world.teamA.lowercased)/reports/costs?from=\(Self.time(from))&to=\(justAfter)"
            #expect(try await Self.both(client, after, token: world.alice.accessToken).rows.sum("credits_charged") == 26)
            // A date `from` is local midnight in the zone: the day of the midnight starts exactly there.
            let dated = "/api/teams/\(world.teamA.lowercased)/reports/costs?from=\(day(world.midnight))&to=\(Self.time(to))"
            #expect(try await Self.both(client, dated, token: world.alice.accessToken).rows.sum("credits_charged") == 21)

            // Failed jobs cost nothing: team A's only image job failed; its row has charges 0, everything released.
            let now = "/api/admin/reports/costs?from=\(Self.time(from))&to=\(Self.time(Date().addingTimeInterval(60)))"
            let byKind = try await Self.both(client, now + "&group_by=team,kind,model", token: world.admin.accessToken)
            let rows = byKind.json["rows"] as? [[String: Any]] ?? []
            let failedImages = try #require(rows.first { $0["team_id"] as? String == world.teamA.lowercased && $0["kind"] as? String == "generate_character_reference" })
            #expect(failedImages["failed"] as? Int == 1 && failedImages["succeeded"] as? Int == 0)
            #expect(failedImages["credits_charged"] as? Int == 0 && failedImages["credits_released"] as? Int ?? 0 > 0, "\(failedImages)")
            #expect(Self.number(failedImages["provider_cost_usd"]) == 0 && failedImages["margin_credits"] as? Int == 0)
            let jobCharges = try await context.countRows("SELECT coalesce(sum(charged), 0)::int FROM jobs WHERE state <> 'succeeded'")
            #expect(jobCharges == 0)

            // Units × the catalog's price; margin = charged − round(cost × 100).
            for row in rows {
                let units = row["provider_units"] as? [String: Any] ?? [:]
                let seconds = Self.number(units["video_seconds"])
                let images = Self.number(units["images"])
                let input = Self.number(units["input_tokens"])
                let output = Self.number(units["output_tokens"])
                let cost = seconds * 0.035 + images * 0.015 + (input * 1.25 + output * 10) / 1_000_000
                let reported = Self.number(row["provider_cost_usd"])
                #expect(abs(reported - cost) < 0.000_001, "\(row)")
                #expect(row["margin_credits"] as? Int == (row["credits_charged"] as? Int ?? 0) - Int((reported * 100).rounded()), "\(row)")
            }
            let recorded = try await context.scalar(
                "SELECT usage_video_seconds::float8 FROM jobs WHERE id = \(world.succeeded[0])", as: Double.self)
            #expect(recorded == 2, "the succeeded clip records its seconds")
            let images = try await context.scalar("SELECT usage_images::int FROM jobs WHERE id = \(world.succeeded[2])", as: Int.self)
            #expect(images == 2)
            let tokens = try await context.scalar("SELECT usage_output_tokens::int FROM jobs WHERE id = \(world.succeeded[1])", as: Int.self)
            #expect(tokens ?? 0 > 0)
        }
    }

    @Test func onlyOwnersAdminsAndPlatformAdminsReadReportsAndBadParametersAreNamed() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let crew = try await TeamsTests.crew(client)
            let path = "/api/teams/\(crew.teamID)/reports/costs"
            for (who, account, status) in [
                ("owner", crew.owner, HTTPResponse.Status.ok), ("admin", crew.admin, .ok), ("member", crew.member, .forbidden),
                ("viewer", crew.viewer, .forbidden), ("outsider", crew.outsider, .notFound), ("platform admin", admin, .notFound),
            ] {
                let reply = try await client.request(.get, path, token: account.accessToken)
                #expect(reply.status == status, "\(who): \(reply.text)")
                if status != .ok { #expect(reply.isProblemJSON, "\(who)") }
            }
            let nonAdmin = try await client.request(.get, "/api/admin/reports/costs", token: crew.owner.accessToken)
            expectProblemReply(nonAdmin, .forbidden, code: "forbidden", "a team owner on the admin route")
            let empty = try await client.request(.get, path, token: crew.owner.accessToken)
            #expect(empty.json["tz"] as? String == "Europe/Berlin", "the team's zone by default: \(empty.text)")
            #expect((empty.json["rows"] as? [[String: Any]])?.count == 1, "no grouping: one total row")

            let bad: [(String, String)] = [
                ("tz=Mars/Olympus", "tz"), ("tz=", "tz"), ("tz=%27%3B%20DROP%20TABLE%20jobs", "tz"),
                ("from=2026-12-01&to=2026-12-01", "from"), ("from=2026-12-02&to=2026-12-01", "from"),
                ("group_by=team,color", "group_by"), ("group_by=team,", "group_by"), ("format=xml", "format"),
                ("from=2026-13-01", "from"), ("from=2026-02-30", "from"), ("to=yesterday", "to"), ("to=2026-12-01T25:00:00Z", "to"),
            ]
            for (query, field) in bad {
                for route in [path + "?", "/api/admin/reports/costs?"] {
                    let token = route.hasPrefix("/api/admin") ? admin.accessToken : crew.owner.accessToken
                    let reply = try await client.request(.get, route + query, token: token)
                    expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(route)\(query)")
                    #expect(reply.problemFields.contains(field), "\(route)\(query): \(reply.text)")
                }
            }
            let badTeam = try await client.request(.get, "/api/admin/reports/costs?team_id=nope", token: admin.accessToken)
            #expect(badTeam.problemFields == ["team_id"], "\(badTeam.text)")
        }
    }

    @Test func csvFieldsAreQuotedPerRFC4180() {
        #expect(CostReportCSV.field("mock-video") == "mock-video")
        #expect(CostReportCSV.field("a,b") == "\"a,b\"")
        #expect(CostReportCSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CostReportCSV.field("two\r\nlines") == "\"two\r\nlines\"")
        #expect(CostReportCSV.line([nil, "x"]) == ",x\r\n")
        let parsed = CostReportFixture.parseCSV("a,b\r\n\"x,1\",\"q\"\"\"\r\n")
        #expect(parsed.rows == [["x,1", "q\""]])
    }
}

extension Date {
    /// Rounded to the whole second (so values bound to SQL and sent as RFC 3339 are the same instant).
    fileprivate func rounded() -> Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }
}

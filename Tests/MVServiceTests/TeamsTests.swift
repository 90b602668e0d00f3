import Foundation
import HTTPTypes
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Teams, members, invitations and the role matrix through HTTP: not a member → 404, outside one's role → 403,
/// the last owner stays, role changes apply on the very next request, every change is audited.
struct TeamsTests {
    /// A shared team with one member of each role, plus an outsider.
    struct Crew {
        var teamID: String
        var owner: TestClient.Account
        var admin: TestClient.Account
        var member: TestClient.Account
        var viewer: TestClient.Account
        var outsider: TestClient.Account
    }

    static func crew(_ client: TestClient) async throws -> Crew {
        let owner = try await client.register()
        let created = try await client.request(.post, "/api/teams", token: owner.accessToken, json: ["name": "Band", "time_zone": "Europe/Berlin"])
        #expect(created.status == .created, "\(created.text)")
        let teamID = try #require(created.json["id"] as? String)
        var accounts: [String: TestClient.Account] = [:]
        for role in ["admin", "member", "viewer"] {
            let account = try await client.register()
            let added = try await client.request(
                .post, "/api/teams/\(teamID)/members", token: owner.accessToken, json: ["email": account.email, "role": role])
            #expect(added.status == .created && added.json["role"] as? String == role, "\(added.text)")
            accounts[role] = account
        }
        return Crew(
            teamID: teamID, owner: owner, admin: try #require(accounts["admin"]), member: try #require(accounts["member"]),
            viewer: try #require(accounts["viewer"]), outsider: try await client.register())
    }

    /// Each route × each caller: the status the matrix says.
    @Test func roleMatrixThroughHTTP() async throws {
        try await withTestApp { client, context in
            let crew = try await Self.crew(client)
            let platform = try await context.makeAdmin(client)
            try await client.grant(100, to: crew.teamID, admin: platform)
            let callers: [(String, TestClient.Account)] = [
                ("owner", crew.owner), ("admin", crew.admin), ("member", crew.member), ("viewer", crew.viewer), ("outsider", crew.outsider),
            ]
            let team = crew.teamID
            let inTeam = ["X-MV-Team": team]
            // (name, expected status per caller in the order above, request)
            typealias Call = (TestClient.Account) async throws -> TestClient.Reply
            let cells: [(String, [HTTPResponse.Status], Call)] = [
                ("GET team", [.ok, .ok, .ok, .ok, .notFound], { try await client.request(.get, "/api/teams/\(team)", token: $0.accessToken) }),
                ("PATCH team", [.ok, .ok, .forbidden, .forbidden, .notFound], {
                    try await client.request(.patch, "/api/teams/\(team)", token: $0.accessToken, json: ["name": "Band \(UUID().uuidString.prefix(4))"])
                }),
                ("GET members", [.ok, .ok, .ok, .ok, .notFound], { try await client.request(.get, "/api/teams/\(team)/members", token: $0.accessToken) }),
                ("POST member", [.accepted, .accepted, .forbidden, .forbidden, .notFound], {
                    try await client.request(
                        .post, "/api/teams/\(team)/members", token: $0.accessToken,
                        json: ["email": "new-\(UUID().uuidString.prefix(8))@example.com", "role": "viewer"])
                }),
                ("POST owner", [.accepted, .forbidden, .forbidden, .forbidden, .notFound], {
                    try await client.request(
                        .post, "/api/teams/\(team)/members", token: $0.accessToken,
                        json: ["email": "boss-\(UUID().uuidString.prefix(8))@example.com", "role": "owner"])
                }),
                ("GET audit", [.ok, .ok, .forbidden, .forbidden, .notFound], { try await client.request(.get, "/api/teams/\(team)/audit", token: $0.accessToken) }),
                ("GET ledger", [.ok, .ok, .forbidden, .forbidden, .notFound], {
                    try await client.request(.get, "/api/billing/ledger", token: $0.accessToken, headers: inTeam)
                }),
                ("GET balance", [.ok, .ok, .ok, .ok, .notFound], {
                    try await client.request(.get, "/api/billing/balance", token: $0.accessToken, headers: inTeam)
                }),
                ("submit", [.accepted, .accepted, .accepted, .forbidden, .notFound], {
                    try await client.request(
                        .post, "/api/mv/generate_video", token: $0.accessToken, json: ["prompt": "matrix", "duration": 1, "backend": "mock"],
                        headers: inTeam.merging(["Idempotency-Key": UUID().uuidString]) { $1 })
                }),
            ]
            for (name, statuses, call) in cells {
                for ((who, account), status) in zip(callers, statuses) {
                    let reply = try await call(account)
                    #expect(reply.status == status, "\(name) as \(who): \(reply.status) \(reply.text)")
                    if status.code >= 400 { #expect(reply.isProblemJSON, "\(name) as \(who)") }
                }
            }
            // Admins cannot touch owners; owners can.
            let demoteOwner = try await client.request(
                .patch, "/api/teams/\(team)/members/\(crew.owner.userID)", token: crew.admin.accessToken, json: ["role": "member"])
            expectProblemReply(demoteOwner, .forbidden, code: "forbidden", "admin demotes the owner")
            let removeOwner = try await client.request(.delete, "/api/teams/\(team)/members/\(crew.owner.userID)", token: crew.admin.accessToken)
            expectProblemReply(removeOwner, .forbidden, code: "forbidden", "admin removes the owner")
            let promoteByAdmin = try await client.request(
                .patch, "/api/teams/\(team)/members/\(crew.member.userID)", token: crew.admin.accessToken, json: ["role": "owner"])
            expectProblemReply(promoteByAdmin, .forbidden, code: "forbidden", "admin makes an owner")
            let demoteByAdmin = try await client.request(
                .patch, "/api/teams/\(team)/members/\(crew.member.userID)", token: crew.admin.accessToken, json: ["role": "viewer"])
            #expect(demoteByAdmin.status == .ok && demoteByAdmin.json["role"] as? String == "viewer", "\(demoteByAdmin.text)")
        }
    }

    @Test func theLastOwnerStays() async throws {
        try await withTestApp { client, _ in
            let crew = try await Self.crew(client)
            let team = crew.teamID
            let demoteSelf = try await client.request(
                .patch, "/api/teams/\(team)/members/\(crew.owner.userID)", token: crew.owner.accessToken, json: ["role": "admin"])
            expectProblemReply(demoteSelf, .conflict, code: "last_owner", "the only owner demotes themselves")
            let leave = try await client.request(.delete, "/api/teams/\(team)/members/\(crew.owner.userID)", token: crew.owner.accessToken)
            expectProblemReply(leave, .conflict, code: "last_owner", "the only owner leaves")
            // With a second owner, the first may step down.
            let promote = try await client.request(
                .patch, "/api/teams/\(team)/members/\(crew.admin.userID)", token: crew.owner.accessToken, json: ["role": "owner"])
            #expect(promote.status == .ok)
            let stepDown = try await client.request(
                .patch, "/api/teams/\(team)/members/\(crew.owner.userID)", token: crew.owner.accessToken, json: ["role": "member"])
            #expect(stepDown.status == .ok && stepDown.json["role"] as? String == "member", "\(stepDown.text)")
            let members = try await client.request(.get, "/api/teams/\(team)/members", token: crew.admin.accessToken)
            let owners = (members.json["items"] as? [[String: Any]] ?? []).filter { $0["role"] as? String == "owner" }
            #expect(owners.compactMap { $0["user_id"] as? String } == [crew.admin.userID])
            // Anyone may leave; a personal team keeps its one member.
            let viewerLeaves = try await client.request(.delete, "/api/teams/\(team)/members/\(crew.viewer.userID)", token: crew.viewer.accessToken)
            #expect(viewerLeaves.status == .noContent)
            let personal = try await client.request(
                .post, "/api/teams/\(crew.owner.teamID)/members", token: crew.owner.accessToken, json: ["email": crew.viewer.email, "role": "member"])
            expectProblemReply(personal, .conflict, code: "personal_team", "adding to a personal team")
        }
    }

    @Test func roleChangesApplyOnTheVeryNextRequest() async throws {
        try await withTestApp { client, context in
            let crew = try await Self.crew(client)
            let platform = try await context.makeAdmin(client)
            try await client.grant(100, to: crew.teamID, admin: platform)
            let headers = ["X-MV-Team": crew.teamID]
            func submit() async throws -> TestClient.Reply {
                try await client.request(
                    .post, "/api/mv/generate_video", token: crew.member.accessToken, json: ["prompt": "fresh", "duration": 1, "backend": "mock"],
                    headers: headers.merging(["Idempotency-Key": UUID().uuidString]) { $1 })
            }
            #expect(try await submit().status == .accepted)
            let demote = try await client.request(
                .patch, "/api/teams/\(crew.teamID)/members/\(crew.member.userID)", token: crew.owner.accessToken, json: ["role": "viewer"])
            #expect(demote.status == .ok)
            expectProblemReply(try await submit(), .forbidden, code: "forbidden", "the same token right after the demotion")
            let remove = try await client.request(.delete, "/api/teams/\(crew.teamID)/members/\(crew.member.userID)", token: crew.owner.accessToken)
            #expect(remove.status == .noContent)
            expectProblemReply(try await submit(), .notFound, code: "not_found", "the same token right after the removal")
            let read = try await client.request(.get, "/api/teams/\(crew.teamID)", token: crew.member.accessToken)
            expectProblemReply(read, .notFound, code: "not_found", "a removed member reads the team")
            let mine = try await client.request(.get, "/api/teams", token: crew.member.accessToken)
            #expect((mine.json["items"] as? [[String: Any]])?.contains { $0["id"] as? String == crew.teamID } == false)
        }
    }

    @Test func invitationsBindWhenTheEmailRegisters() async throws {
        try await withTestApp { client, context in
            let owner = try await client.register()
            let created = try await client.request(.post, "/api/teams", token: owner.accessToken, json: ["name": "Label"])
            let teamID = try #require(created.json["id"] as? String)
            #expect(created.json["time_zone"] as? String == "UTC")
            let email = "Later-\(UUID().uuidString.prefix(8))@Example.com"
            let invite = try await client.request(.post, "/api/teams/\(teamID)/members", token: owner.accessToken, json: ["email": email, "role": "admin"])
            #expect(invite.status == .accepted && invite.json["role"] as? String == "admin", "\(invite.text)")
            let again = try await client.request(.post, "/api/teams/\(teamID)/members", token: owner.accessToken, json: ["email": email, "role": "admin"])
            expectProblemReply(again, .conflict, code: "already_member", "the same invitation twice")
            let pending = try await client.request(.get, "/api/teams/\(teamID)/members", token: owner.accessToken)
            #expect((pending.json["invitations"] as? [[String: Any]])?.count == 1)

            let newcomer = try await client.register(email.lowercased())
            let me = try await client.request(.get, "/api/me", token: newcomer.accessToken)
            let teams = me.json["teams"] as? [[String: Any]] ?? []
            #expect(teams.contains { $0["id"] as? String == teamID && $0["role"] as? String == "admin" }, "\(me.text)")
            let after = try await client.request(.get, "/api/teams/\(teamID)/members", token: newcomer.accessToken)
            #expect((after.json["invitations"] as? [[String: Any]])?.isEmpty == true)
            #expect((after.json["items"] as? [[String: Any]])?.count == 2)
            let team = try #require(UUID(uuidString: teamID))
            let bound = try await context.countRows(
                "SELECT count(*) FROM audit_events WHERE team_id = \(team) AND action = 'team.member_added' AND detail->>'via' = 'invitation'")
            #expect(bound == 1, "the binding is audited")
        }
    }

    @Test func badInputNamesTheFieldAndChangesNothing() async throws {
        try await withTestApp { client, context in
            let crew = try await Self.crew(client)
            let team = crew.teamID
            let cases: [(String, HTTPRequest.Method, String, [String: Any])] = [
                ("name", .post, "/api/teams", ["name": " "]),
                ("time_zone", .post, "/api/teams", ["name": "X", "time_zone": "Mars/Olympus"]),
                ("time_zone", .patch, "/api/teams/\(team)", ["time_zone": "nowhere"]),
                ("role", .post, "/api/teams/\(team)/members", ["email": "x@example.com", "role": "superuser"]),
                ("email", .post, "/api/teams/\(team)/members", ["email": "not-an-email", "role": "member"]),
                ("role", .patch, "/api/teams/\(team)/members/\(crew.member.userID)", ["role": "emperor"]),
            ]
            let before = try await context.scalar("SELECT count(*) FROM audit_events", as: Int.self)
            for (field, method, path, body) in cases {
                let reply = try await client.request(method, path, token: crew.owner.accessToken, json: body)
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(method) \(path) \(body)")
                #expect((reply.json["errors"] as? [[String: Any]])?.first?["field"] as? String == field, "\(reply.text)")
            }
            let duplicate = try await client.request(
                .post, "/api/teams/\(team)/members", token: crew.owner.accessToken, json: ["email": crew.member.email, "role": "viewer"])
            expectProblemReply(duplicate, .conflict, code: "already_member", "a member added twice")
            #expect(try await context.scalar("SELECT count(*) FROM audit_events", as: Int.self) == before, "refusals write no audit event")
            let members = try await client.request(.get, "/api/teams/\(team)/members", token: crew.owner.accessToken)
            #expect((members.json["items"] as? [[String: Any]])?.first { $0["user_id"] as? String == crew.member.userID }?["role"] as? String == "member")
        }
    }

    @Test func changesAreAuditedAndTheLogIsAppendOnly() async throws {
        try await withTestApp { client, context in
            let crew = try await Self.crew(client)
            _ = try await client.request(
                .patch, "/api/teams/\(crew.teamID)/members/\(crew.member.userID)", token: crew.owner.accessToken, json: ["role": "viewer"])
            _ = try await client.request(.post, "/api/auth/login", json: ["email": crew.owner.email, "password": "wrong password!"])
            _ = try await client.request(.post, "/api/auth/login", json: ["email": "nobody-\(UUID().uuidString.prefix(6))@example.com", "password": "whatever!!"])

            let log = try await client.request(.get, "/api/teams/\(crew.teamID)/audit", token: crew.admin.accessToken)
            #expect(log.status == .ok)
            let items = log.json["items"] as? [[String: Any]] ?? []
            let actions = items.compactMap { $0["action"] as? String }
            #expect(actions.first == "team.member_role_changed", "\(actions)")
            #expect(actions.filter { $0 == "team.member_added" }.count == 3 && actions.last == "team.created", "\(actions)")
            let change = try #require(items.first)
            #expect((change["actor"] as? [String: Any])?["user_id"] as? String == crew.owner.userID)
            #expect((change["target"] as? [String: Any])?["id"] as? String == crew.member.userID)
            #expect((change["detail"] as? [String: Any])?["to"] as? String == "viewer")

            let filtered = try await client.request(.get, "/api/teams/\(crew.teamID)/audit?action=team.member_added&limit=2", token: crew.owner.accessToken)
            #expect((filtered.json["items"] as? [[String: Any]])?.count == 2 && filtered.json["next_cursor"] is String)

            // Failed logins look the same for a known and an unknown e-mail, and only platform admins see them.
            let platform = try await context.makeAdmin(client)
            let failures = try await client.request(.get, "/api/admin/audit?action=auth.login_failed", token: platform.accessToken)
            let failed = failures.json["items"] as? [[String: Any]] ?? []
            #expect(failed.count == 2)
            #expect(failed.allSatisfy { ($0["actor"] as? [String: Any])?["user_id"] == nil && $0["team_id"] == nil }, "\(failed)")
            let forbidden = try await client.request(.get, "/api/admin/audit", token: crew.owner.accessToken)
            expectProblemReply(forbidden, .forbidden, code: "forbidden", "a team owner reads the platform audit")

            let tamper = await #expect(throws: (any Error).self) {
                try await context.withPostgres { postgres in
                    try await postgres.query("UPDATE audit_events SET action = 'auth.login'", logger: TestCluster.logger)
                }
            }
            #expect(String(reflecting: tamper).contains("immutable") || tamper != nil)
        }
    }
}

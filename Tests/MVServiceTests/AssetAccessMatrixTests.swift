import Foundation
import HTTPTypes
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// The BOLA matrix of API.md "Who sees an asset": every asset id route × every kind of caller, with the status the
/// rule gives (no read access → 404, read without the right permission → 403, anonymous → 401).
struct AssetAccessMatrixTests {
    /// Everyone the matrix asks, around one asset created by `creator` (a member) in the crew's team.
    struct Cast {
        var crew: TeamsTests.Crew
        /// Another plain member of the asset's team, without a grant.
        var plainMember: TestClient.Account
        var userView: TestClient.Account
        var userEdit: TestClient.Account
        /// A member of team `grantee` (which holds an `edit` grant).
        var teamMember: TestClient.Account
        /// Granted once, then dropped from the list.
        var revoked: TestClient.Account
        /// Was a member of `grantee`, then removed.
        var removed: TestClient.Account
        var granteeTeam: String
        var grantee: TestClient.Account

        /// The access list every matrix asset gets (after `revoked` was dropped).
        var grants: [[String: Any]] {
            [
                ["principal": "user", "id": userView.userID, "permission": "view"],
                ["principal": "user", "id": userEdit.userID, "permission": "edit"],
                ["principal": "team", "id": granteeTeam, "permission": "edit"],
            ]
        }
    }

    static func cast(_ client: TestClient) async throws -> Cast {
        let crew = try await TeamsTests.crew(client)
        let plain = try await client.register()
        let added = try await client.request(
            .post, "/api/teams/\(crew.teamID)/members", token: crew.owner.accessToken, json: ["email": plain.email, "role": "member"])
        #expect(added.status == .created, "\(added.text)")
        let granteeOwner = try await client.register()
        let team = try await client.request(.post, "/api/teams", token: granteeOwner.accessToken, json: ["name": "Friends"])
        let granteeTeam = try #require(team.json["id"] as? String)
        var members: [TestClient.Account] = []
        for _ in 0..<2 {
            let account = try await client.register()
            let reply = try await client.request(
                .post, "/api/teams/\(granteeTeam)/members", token: granteeOwner.accessToken, json: ["email": account.email, "role": "viewer"])
            #expect(reply.status == .created, "\(reply.text)")
            members.append(account)
        }
        return Cast(
            crew: crew, plainMember: plain, userView: try await client.register(), userEdit: try await client.register(),
            teamMember: members[0], revoked: try await client.register(), removed: members[1], granteeTeam: granteeTeam,
            grantee: granteeOwner)
    }

    /// A fresh video of the crew's member with the standard access list (`revoked` granted, then dropped).
    static func sharedVideo(_ client: TestClient, _ context: TestContext, _ cast: Cast) async throws -> String {
        let id = try await context.insertAsset(owner: cast.crew.member.userID, team: cast.crew.teamID).lowercased
        let withRevoked = cast.grants + [["principal": "user", "id": cast.revoked.userID, "permission": "edit"]]
        let first = try await client.request(.put, "/api/mv/assets/\(id)/acl", token: cast.crew.member.accessToken, json: ["grants": withRevoked])
        #expect(first.status == .ok, "\(first.text)")
        let second = try await client.request(.put, "/api/mv/assets/\(id)/acl", token: cast.crew.member.accessToken, json: ["grants": cast.grants])
        #expect(second.status == .ok && (second.json["grants"] as? [Any])?.count == 3, "\(second.text)")
        return id
    }

    @Test func everyAssetRouteFollowsTheRule() async throws {
        try await withTestApp { client, context in
            let cast = try await Self.cast(client)
            let video = try await Self.sharedVideo(client, context, cast)
            // The removed member loses what the team's grant gave on the very next request.
            let before = try await client.request(.get, "/api/mv/videos/\(video)", token: cast.removed.accessToken)
            #expect(before.status == .ok, "\(before.text)")
            let removal = try await client.request(
                .delete, "/api/teams/\(cast.granteeTeam)/members/\(cast.removed.userID)", token: cast.grantee.accessToken)
            #expect(removal.status == .noContent, "\(removal.text)")

            let callers: [(String, TestClient.Account?)] = [
                ("owner", cast.crew.member), ("team owner", cast.crew.owner), ("team admin", cast.crew.admin),
                ("member without grant", cast.plainMember), ("team viewer", cast.crew.viewer), ("other team", cast.crew.outsider),
                ("user view grantee", cast.userView), ("user edit grantee", cast.userEdit), ("member of grantee team", cast.teamMember),
                ("revoked grantee", cast.revoked), ("removed member", cast.removed), ("anonymous", nil),
            ]
            let read: [HTTPResponse.Status] = [.ok, .ok, .ok, .notFound, .notFound, .notFound, .ok, .ok, .ok, .notFound, .notFound, .unauthorized]
            let change: [HTTPResponse.Status] = [
                .ok, .ok, .ok, .notFound, .notFound, .notFound, .forbidden, .ok, .ok, .notFound, .notFound, .unauthorized,
            ]
            let create = change.map { $0 == .ok ? HTTPResponse.Status.created : $0 }
            let grants = cast.grants
            typealias Call = (String?) async throws -> TestClient.Reply
            let cells: [(String, [HTTPResponse.Status], Call)] = [
                ("GET video", read, { try await client.request(.get, "/api/mv/videos/\(video)", token: $0) }),
                ("GET content", read, { try await client.request(.get, "/api/mv/videos/\(video)/content", token: $0) }),
                ("HEAD content", read, { try await client.request(.head, "/api/mv/videos/\(video)/content", token: $0) }),
                ("GET get_video", read, { try await client.request(.get, "/api/mv/get_video/\(video)", token: $0) }),
                ("HEAD get_video", read, { try await client.request(.head, "/api/mv/get_video/\(video)", token: $0) }),
                ("GET get_video info", read, { try await client.request(.get, "/api/mv/get_video/\(video)/info", token: $0) }),
                ("PATCH video", change, {
                    try await client.request(.patch, "/api/mv/videos/\(video)", token: $0, json: ["title": "renamed", "tags": ["x"]])
                }),
                ("GET acl", change, { try await client.request(.get, "/api/mv/assets/\(video)/acl", token: $0) }),
                ("PUT acl", change, { try await client.request(.put, "/api/mv/assets/\(video)/acl", token: $0, json: ["grants": grants]) }),
                ("POST share", create, {
                    try await client.request(.post, "/api/mv/assets/\(video)/share", token: $0, json: ["expires_in": 600])
                }),
                ("GET shares", change, { try await client.request(.get, "/api/mv/assets/\(video)/shares", token: $0) }),
            ]
            var mismatches: [String] = []
            for (route, expected, call) in cells {
                for ((name, account), status) in zip(callers, expected) {
                    let reply = try await call(account?.accessToken)
                    if reply.status != status { mismatches.append("\(route) as \(name): \(reply.status.code), expected \(status.code)") }
                    if status == .notFound && reply.header("ETag") != nil { mismatches.append("\(route) as \(name) leaked an ETag") }
                }
            }
            // Revoking a share and deleting: one fresh share / video per caller, since a success changes the state.
            for ((name, account), status) in zip(callers, change) {
                let share = try await client.request(
                    .post, "/api/mv/assets/\(video)/share", token: cast.crew.member.accessToken, json: ["expires_in": 600])
                let shareID = try #require(share.json["id"] as? String)
                let revoke = try await client.request(.delete, "/api/mv/shares/\(shareID)", token: account?.accessToken)
                let expected = status == .ok ? HTTPResponse.Status.noContent : status
                if revoke.status != expected { mismatches.append("DELETE share as \(name): \(revoke.status.code), expected \(expected.code)") }

                let doomed = try await Self.sharedVideo(client, context, cast)
                let delete = try await client.request(.delete, "/api/mv/videos/\(doomed)", token: account?.accessToken)
                if delete.status != expected { mismatches.append("DELETE video as \(name): \(delete.status.code), expected \(expected.code)") }
                let after = try await client.request(.get, "/api/mv/videos/\(doomed)", token: cast.crew.member.accessToken)
                #expect(after.status == (delete.status == .noContent ? .notFound : .ok), "after DELETE as \(name)")
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        }
    }

    /// A job read is allowed to whoever may read what it produced, besides its creator.
    @Test func jobsFollowTheirOutputs() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.register()
            let bob = try await client.register()
            let carol = try await client.register()
            try await client.grant(5, to: alice.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "a paper boat", "duration": 1, "backend": "mock"], token: alice.accessToken)
            let jobID = try #require(submit.json["id"] as? String)
            let job = try await client.waitForJob(jobID, token: alice.accessToken)
            let videoID = try #require((job["result"] as? [String: Any])?["video_id"] as? String)
            #expect(try await client.request(.get, "/api/jobs/\(jobID)", token: bob.accessToken).status == .notFound)
            let acl = try await client.request(
                .put, "/api/mv/assets/\(videoID)/acl", token: alice.accessToken,
                json: ["grants": [["principal": "user", "id": bob.userID, "permission": "view"]]])
            #expect(acl.status == .ok, "\(acl.text)")
            #expect(try await client.request(.get, "/api/jobs/\(jobID)", token: bob.accessToken).status == .ok)
            #expect(try await client.request(.get, "/api/jobs/\(jobID)", token: carol.accessToken).status == .notFound)
            // Deleting the output takes the job read away from the grantee, not from the creator.
            #expect(try await client.request(.delete, "/api/mv/videos/\(videoID)", token: alice.accessToken).status == .noContent)
            #expect(try await client.request(.get, "/api/jobs/\(jobID)", token: bob.accessToken).status == .notFound)
            #expect(try await client.request(.get, "/api/jobs/\(jobID)", token: alice.accessToken).status == .ok)
        }
    }
}

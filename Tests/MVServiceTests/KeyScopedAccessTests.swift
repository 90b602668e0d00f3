import Foundation
import HTTPTypes
import MVAuth
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// An API key acts for the team it was made in: through it, a user reads that team's assets and the assets granted
/// to that team, never their own assets in other teams or what was granted to them personally (a token still sees
/// all of it). Lists, id routes, changes and jobs narrow alike.
struct KeyScopedAccessTests {
    @Test func aKeySeesOnlyItsTeamAndWhatIsGrantedToIt() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let user = crew.owner
            let stranger = try await client.register()
            let created = try await APIKeysTests.createKey(client, as: user, scopes: ["generate"], team: crew.teamID)
            let key = try #require(created["key"] as? String)

            let inTeam = try await context.insertAsset(owner: user.userID, team: crew.teamID, title: "band clip")
            let personal = try await context.insertAsset(owner: user.userID, team: user.teamID, title: "personal clip")
            let toTeam = try await context.insertAsset(owner: stranger.userID, team: stranger.teamID, title: "granted to band")
            let toUser = try await context.insertAsset(owner: stranger.userID, team: stranger.teamID, title: "granted to the user")
            for (asset, principal, id) in [(toTeam, "team", crew.teamID), (toUser, "user", user.userID)] {
                let put = try await client.request(
                    .put, "/api/mv/assets/\(asset.lowercased)/acl", token: stranger.accessToken,
                    json: ["grants": [["principal": principal, "id": id, "permission": "edit"]]])
                #expect(put.status == .ok, "\(put.text)")
            }

            // id routes: (asset, token status, key status)
            let table: [(UUID, HTTPResponse.Status, HTTPResponse.Status)] = [
                (inTeam, .ok, .ok), (personal, .ok, .notFound), (toTeam, .ok, .ok), (toUser, .ok, .notFound),
            ]
            for (asset, tokenStatus, keyStatus) in table {
                let path = "/api/mv/videos/\(asset.lowercased)"
                let byToken = try await client.request(.get, path, token: user.accessToken)
                #expect(byToken.status == tokenStatus, "token \(path): \(byToken.text)")
                let byKey = try await client.request(.get, path, token: key)
                #expect(byKey.status == keyStatus, "key \(path): \(byKey.text)")
                let content = try await client.request(.get, path + "/content", token: key)
                #expect(content.status == keyStatus, "key content \(path)")
                let patch = try await client.request(.patch, path, token: key, json: ["title": "renamed by key"])
                #expect(patch.status == keyStatus, "key patch \(path): \(patch.text)")
                let acl = try await client.request(.get, "/api/mv/assets/\(asset.lowercased)/acl", token: key)
                #expect(acl.status == keyStatus, "key acl \(path): \(acl.text)")
            }
            let renamed = try await context.scalar("SELECT count(*)::int FROM assets WHERE title = 'renamed by key'", as: Int.self)
            #expect(renamed == 2, "only the two assets in the key's view were renamed")

            func titles(_ token: String) async throws -> Set<String> {
                let page = try await client.request(.get, "/api/mv/videos?limit=100", token: token)
                #expect(page.status == .ok, "\(page.text)")
                return Set((page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            }
            #expect(try await titles(key) == Set([inTeam, toTeam].map(\.lowercased)))
            #expect(try await titles(user.accessToken) == Set([inTeam, personal, toTeam, toUser].map(\.lowercased)))

            let delete = try await client.request(.delete, "/api/mv/videos/\(personal.lowercased)", token: key)
            #expect(delete.status == .notFound, "a key can't delete outside its team")
            let live = try await context.scalar("SELECT count(*)::int FROM assets WHERE deleted_at IS NULL", as: Int.self)
            #expect(live == 4)
        }
    }

    @Test func aKeyReadsOnlyJobsOfItsTeam() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let platform = try await context.makeAdmin(client)
            try await client.grant(100, to: crew.owner.teamID, admin: platform)
            let created = try await APIKeysTests.createKey(client, as: crew.owner, scopes: ["generate"], team: crew.teamID)
            let key = try #require(created["key"] as? String)
            let submitted = try await APIKeysTests.submit(client, token: crew.owner.accessToken)
            #expect(submitted.status == .accepted, "\(submitted.text)")
            let job = try #require(submitted.json["id"] as? String)
            #expect(try await client.request(.get, "/api/jobs/\(job)", token: crew.owner.accessToken).status == .ok)
            #expect(try await client.request(.get, "/api/jobs/\(job)", token: key).status == .notFound)
            #expect(try await client.request(.get, "/api/jobs/\(job)/events", token: key).status == .notFound)
            #expect(try await client.request(.post, "/api/jobs/\(job)/cancel", token: key).status == .notFound)
            let listed = try await client.request(.get, "/api/jobs", token: key)
            #expect((listed.json["items"] as? [Any])?.isEmpty == true, "\(listed.text)")
            let state = try await context.scalar("SELECT state FROM jobs WHERE id = \(UUID(uuidString: job)!)", as: String.self)
            #expect(state != "canceled")
        }
    }
}

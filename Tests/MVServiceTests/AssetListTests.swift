import Foundation
import HTTPTypes
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// The asset lists: the SQL filter is the same rule as the id routes, so keyset pages (limit 2) over a changing set
/// neither leak nor skip nor repeat; `owner`, `q`, `tags` narrow inside the visible set.
struct AssetListTests {
    @Test func pagesWhileInsertingCoverExactlyTheVisibleSet() async throws {
        try await withTestApp { client, context in
            let cast = try await AssetAccessMatrixTests.cast(client)
            let me = cast.userEdit
            var visible: Set<String> = []
            // Mine (own personal team), granted to me, granted to a team of mine, and others' I must never see.
            for index in 0..<3 {
                visible.insert(try await context.insertAsset(owner: me.userID, team: me.teamID, title: "mine \(index)").lowercased)
            }
            for index in 0..<2 {
                let id = try await context.insertAsset(owner: cast.crew.member.userID, team: cast.crew.teamID, title: "granted \(index)").lowercased
                let acl = try await client.request(
                    .put, "/api/mv/assets/\(id)/acl", token: cast.crew.member.accessToken,
                    json: ["grants": [["principal": "user", "id": me.userID, "permission": "view"]]])
                #expect(acl.status == .ok)
                visible.insert(id)
            }
            let joined = try await client.request(
                .post, "/api/teams/\(cast.granteeTeam)/members", token: cast.grantee.accessToken, json: ["email": me.email, "role": "viewer"])
            #expect(joined.status == .created, "\(joined.text)")
            for index in 0..<2 {
                let id = try await context.insertAsset(owner: cast.crew.owner.userID, team: cast.crew.teamID, title: "team grant \(index)").lowercased
                let acl = try await client.request(
                    .put, "/api/mv/assets/\(id)/acl", token: cast.crew.owner.accessToken,
                    json: ["grants": [["principal": "team", "id": cast.granteeTeam, "permission": "view"]]])
                #expect(acl.status == .ok)
                visible.insert(id)
            }
            var hidden: Set<String> = []
            for index in 0..<3 {
                hidden.insert(try await context.insertAsset(owner: cast.crew.member.userID, team: cast.crew.teamID, title: "hidden \(index)").lowercased)
            }
            let images = try await context.insertAsset(owner: me.userID, team: me.teamID, kind: .image).lowercased
            #expect(visible.count == 7)

            var seen: [String] = []
            var cursor: String?
            var pages = 0
            repeat {
                let query = "/api/mv/videos?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.request(.get, query, token: me.accessToken)
                #expect(page.status == .ok, "\(page.text)")
                let items = (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                #expect(items.count <= 2)
                seen += items
                cursor = page.json["next_cursor"] as? String
                pages += 1
                // Concurrent inserts (newer than every cursor) must not shift the pages.
                try await context.insertAsset(owner: me.userID, team: me.teamID, title: "late \(pages)")
                try await context.insertAsset(owner: cast.crew.member.userID, team: cast.crew.teamID, title: "late hidden \(pages)")
            } while cursor != nil && pages < 20
            #expect(seen.count == Set(seen).count, "no item twice: \(seen)")
            #expect(Set(seen) == visible, "union of the pages is the visible set")
            #expect(Set(seen).isDisjoint(with: hidden) && !seen.contains(images))
            #expect(pages >= 4)
        }
    }

    @Test func ownerTextAndTagFiltersNarrowTheVisibleSet() async throws {
        try await withTestApp { client, context in
            let alice = try await client.register()
            let bob = try await client.register()
            let mine = try await context.insertAsset(
                owner: alice.userID, team: alice.teamID, title: "Harbour at dawn", prompt: "lighthouses glowing", tags: ["sea", "draft"]).lowercased
            let other = try await context.insertAsset(
                owner: alice.userID, team: alice.teamID, title: "City", prompt: "neon rain", tags: ["draft"]).lowercased
            let shared = try await context.insertAsset(
                owner: bob.userID, team: bob.teamID, title: "Bob's", prompt: "a lighthouse in fog", tags: ["sea"]).lowercased
            _ = try await context.insertAsset(owner: bob.userID, team: bob.teamID, title: "Bob's secret lighthouse")
            let acl = try await client.request(
                .put, "/api/mv/assets/\(shared)/acl", token: bob.accessToken,
                json: ["grants": [["principal": "user", "id": alice.userID, "permission": "view"]]])
            #expect(acl.status == .ok)
            func ids(_ query: String) async throws -> Set<String> {
                let reply = try await client.request(.get, "/api/mv/videos" + query, token: alice.accessToken)
                #expect(reply.status == .ok, "\(query): \(reply.text)")
                return Set((reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
            }
            #expect(try await ids("") == [mine, other, shared])
            #expect(try await ids("?owner=me") == [mine, other])
            #expect(try await ids("?owner=shared") == [shared])
            #expect(try await ids("?owner=team") == [mine, other])
            #expect(try await ids("?q=lighthouse") == [mine, shared], "stemmed full text over prompt, never Bob's hidden one")
            #expect(try await ids("?q=harbour") == [mine], "title is searched too")
            #expect(try await ids("?tags=sea") == [mine, shared])
            #expect(try await ids("?tags=sea,draft") == [mine])
            #expect(try await ids("?created_after=2000-01-01T00:00:00Z&created_before=2000-01-02T00:00:00Z") == [])
            let bad = try await client.request(.get, "/api/mv/videos?owner=everyone&limit=500&cursor=x", token: alice.accessToken)
            expectProblemReply(bad, .unprocessableContent, code: "validation_failed")
            #expect(try await client.request(.get, "/api/mv/videos").status == .unauthorized)
            let plan = try await context.scalar(
                "SELECT count(*)::int FROM pg_indexes WHERE indexname IN ('assets_search_idx', 'assets_tags_idx')", as: Int.self)
            #expect(plan == 2)
        }
    }
}

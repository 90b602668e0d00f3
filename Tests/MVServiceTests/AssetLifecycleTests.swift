import Foundation
import HTTPTypes
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Renaming and tagging (no mass assignment), soft delete for everyone at once, restore within the window, and the
/// access-list rules (unknown grantees, never more than `edit`), each audited.
struct AssetLifecycleTests {
    @Test func deleteIsGoneForEveryoneAndRestoreBringsItBackWithinTheWindow() async throws {
        try await withTestApp { client, context in
            let alice = try await client.register()
            let bob = try await client.register()
            let video = try await context.insertAsset(owner: alice.userID, team: alice.teamID).lowercased
            let acl = try await client.request(
                .put, "/api/mv/assets/\(video)/acl", token: alice.accessToken,
                json: ["grants": [["principal": "user", "id": bob.userID, "permission": "view"]]])
            #expect(acl.status == .ok)
            expectProblemReply(try await client.request(.post, "/api/mv/videos/\(video)/restore", token: alice.accessToken), .conflict, code: "not_deleted")
            #expect(try await client.request(.delete, "/api/mv/videos/\(video)", token: bob.accessToken).status == .forbidden)
            #expect(try await client.request(.delete, "/api/mv/videos/\(video)", token: alice.accessToken).status == .noContent)
            for account in [alice, bob] {
                #expect(try await client.request(.get, "/api/mv/videos/\(video)", token: account.accessToken).status == .notFound)
                #expect(try await client.request(.get, "/api/mv/videos/\(video)/content", token: account.accessToken).status == .notFound)
                let list = try await client.request(.get, "/api/mv/videos", token: account.accessToken)
                #expect((list.json["items"] as? [Any])?.isEmpty == true)
            }
            #expect(try await client.request(.delete, "/api/mv/videos/\(video)", token: alice.accessToken).status == .notFound)
            #expect(try await client.request(.post, "/api/mv/videos/\(video)/restore", token: bob.accessToken).status == .forbidden)
            let restored = try await client.request(.post, "/api/mv/videos/\(video)/restore", token: alice.accessToken)
            #expect(restored.status == .ok && restored.json["id"] as? String == video, "\(restored.text)")
            #expect(try await client.request(.get, "/api/mv/videos/\(video)", token: bob.accessToken).status == .ok)

            #expect(try await client.request(.delete, "/api/mv/videos/\(video)", token: alice.accessToken).status == .noContent)
            try await context.execute("UPDATE assets SET deleted_at = now() - interval '73 hours' WHERE id = \(UUID(uuidString: video)!)")
            expectProblemReply(
                try await client.request(.post, "/api/mv/videos/\(video)/restore", token: alice.accessToken), .gone, code: "restore_window_passed")
            let deleted = try await context.scalar("SELECT count(*)::int FROM audit_events WHERE action = 'asset.deleted'", as: Int.self)
            let restores = try await context.scalar("SELECT count(*)::int FROM audit_events WHERE action = 'asset.restored'", as: Int.self)
            #expect(deleted == 2 && restores == 1)
        }
    }

    @Test func patchSetsOnlyTitleAndTags() async throws {
        try await withTestApp { client, context in
            let alice = try await client.register()
            let mallory = try await client.register()
            let video = try await context.insertAsset(owner: alice.userID, team: alice.teamID, title: "old").lowercased
            let before = try await client.request(.get, "/api/mv/videos/\(video)", token: alice.accessToken).json
            let reply = try await client.request(
                .patch, "/api/mv/videos/\(video)", token: alice.accessToken,
                json: [
                    "title": "  New title ", "tags": ["sea", "sea", "draft"], "owner_id": mallory.userID, "team_id": mallory.teamID,
                    "sha256": String(repeating: "0", count: 64), "size_bytes": 1, "permission": "manage", "id": UUID().uuidString,
                    "deleted_at": "2020-01-01T00:00:00Z",
                ])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["title"] as? String == "New title" && reply.json["tags"] as? [String] == ["sea", "draft"])
            for field in ["id", "owner_id", "team_id", "sha256", "size_bytes", "content_type"] {
                #expect("\(reply.json[field] ?? "nil")" == "\(before[field] ?? "nil")", "\(field) is not client-settable")
            }
            #expect(try await client.request(.get, "/api/mv/videos/\(video)", token: mallory.accessToken).status == .notFound)
            let owner = try await context.scalar("SELECT owner_id::text FROM assets WHERE id = \(UUID(uuidString: video)!)", as: String.self)
            #expect(owner == alice.userID)
            let tagsOnly = try await client.request(.patch, "/api/mv/videos/\(video)", token: alice.accessToken, json: ["tags": [String]()])
            #expect(tagsOnly.json["title"] as? String == "New title" && (tagsOnly.json["tags"] as? [String])?.isEmpty == true)
            for body: [String: Any] in [["title": "   "], ["tags": ["a,b"]], ["tags": Array(repeating: "t", count: 21)], ["title": String(repeating: "x", count: 201)]] {
                expectProblemReply(
                    try await client.request(.patch, "/api/mv/videos/\(video)", token: alice.accessToken, json: body), .unprocessableContent,
                    code: "validation_failed", "\(body)")
            }
        }
    }

    @Test func accessListsRefuseUnknownGranteesAndPermissionsAboveEdit() async throws {
        try await withTestApp { client, context in
            let alice = try await client.register()
            let bob = try await client.register()
            let video = try await context.insertAsset(owner: alice.userID, team: alice.teamID).lowercased
            let unknown = try await client.request(
                .put, "/api/mv/assets/\(video)/acl", token: alice.accessToken,
                json: ["grants": [
                    ["principal": "user", "id": bob.userID, "permission": "view"],
                    ["principal": "team", "id": UUID().uuidString, "permission": "view"],
                ]])
            expectProblemReply(unknown, .notFound, code: "not_found")
            #expect(((unknown.json["errors"] as? [[String: Any]])?.first?["field"] as? String) == "grants[1].id", "\(unknown.text)")
            let userAsTeam = try await client.request(
                .put, "/api/mv/assets/\(video)/acl", token: alice.accessToken,
                json: ["grants": [["principal": "team", "id": bob.userID, "permission": "view"]]])
            #expect(userAsTeam.status == .notFound, "a user id is not a team")
            let manage = try await client.request(
                .put, "/api/mv/assets/\(video)/acl", token: alice.accessToken,
                json: ["grants": [["principal": "user", "id": bob.userID, "permission": "manage"]]])
            #expect(manage.status == .unprocessableContent || manage.status == .badRequest, "\(manage.text)")
            #expect(try await client.request(.get, "/api/mv/videos/\(video)", token: bob.accessToken).status == .notFound, "nothing was stored")
            let ok = try await client.request(
                .put, "/api/mv/assets/\(video)/acl", token: alice.accessToken,
                json: ["grants": [["principal": "user", "id": bob.userID, "permission": "view"], ["principal": "user", "id": bob.userID, "permission": "edit"]]])
            #expect(ok.status == .ok && (ok.json["grants"] as? [[String: Any]])?.map { $0["permission"] as? String } == ["edit"], "\(ok.text)")
            let changes = try await context.scalar(
                "SELECT count(*)::int FROM audit_events WHERE action = 'acl.changed' AND target_id = \(video)", as: Int.self)
            #expect(changes == 1, "only the stored change is audited")
        }
    }
}

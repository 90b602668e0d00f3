import Foundation
import HTTPTypes
import Testing
@testable import MVService

/// `GET /api/jobs`: the caller's jobs only, newest first, filtered and keyset-paginated.
struct JobListTests {
    @Test func listsOwnJobsNewestFirstWithFiltersAndCursor() async throws {
        try await withTestApp({ $0.runWorkers = false }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            let other = try await client.register()
            try await client.grant(20, to: user.teamID, admin: admin)
            try await client.grant(20, to: other.teamID, admin: admin)
            var ids: [String] = []
            for prompt in ["one", "two", "three"] {
                let submit = try await client.submitVideo(["prompt": prompt, "duration": 1, "backend": "mock"], token: user.accessToken)
                ids.append(try #require(submit.json["id"] as? String))
            }
            _ = try await client.submitVideo(["prompt": "not yours", "duration": 1, "backend": "mock"], token: other.accessToken)
            let canceled = try await client.request(.post, "/api/jobs/\(ids[0])/cancel", token: user.accessToken)
            #expect(canceled.status == .ok)

            let first = try await client.request(.get, "/api/jobs?limit=2", token: user.accessToken)
            #expect(first.status == .ok)
            let firstItems = try #require(first.json["items"] as? [[String: Any]])
            #expect(firstItems.compactMap { $0["id"] as? String } == [ids[2], ids[1]])
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await client.request(.get, "/api/jobs?limit=2&cursor=\(cursor)", token: user.accessToken)
            #expect((second.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[0]])
            #expect(second.json["next_cursor"] is NSNull || second.json["next_cursor"] == nil)

            let queued = try await client.request(.get, "/api/jobs?status=queued&kind=generate_video", token: user.accessToken)
            #expect((queued.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [ids[2], ids[1]])
            let none = try await client.request(.get, "/api/jobs?created_after=2999-01-01T00:00:00Z", token: user.accessToken)
            #expect((none.json["items"] as? [[String: Any]])?.isEmpty == true)

            for bad in ["status=done", "kind=paint", "limit=0", "cursor=%21%21", "created_before=yesterday", "project_id=7"] {
                let reply = try await client.request(.get, "/api/jobs?\(bad)", token: user.accessToken)
                #expect(reply.status == .unprocessableContent, "\(bad)")
                #expect(reply.json["code"] as? String == "validation_failed", "\(bad)")
            }
            // Leave no open holds behind.
            for id in ids.dropFirst() {
                _ = try await client.request(.post, "/api/jobs/\(id)/cancel", token: user.accessToken)
            }
            let others = try await client.request(.get, "/api/jobs", token: other.accessToken)
            let otherIDs = (others.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } ?? []
            #expect(otherIDs.count == 1 && !ids.contains(otherIDs[0]))
            for id in otherIDs { _ = try await client.request(.post, "/api/jobs/\(id)/cancel", token: other.accessToken) }
        }
    }
}

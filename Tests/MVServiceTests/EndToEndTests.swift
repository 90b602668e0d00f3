import Foundation
import HTTPTypes
import MVBackends
import MVTestSupport
import NIOCore
import NIOFoundationEssentialsCompat
import PostgresNIO
import Testing
@testable import MVService

/// The whole path a new user takes, through HTTP, against real PostgreSQL and ffmpeg.
struct EndToEndTests {
    @Test func registerGrantQuoteSubmitPollDownload() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register("Alice@Example.com")

            let login = try await client.request(.post, "/api/auth/login", json: ["email": "alice@example.com", "password": "correct horse battery"])
            #expect(login.status == .ok)
            let token = try #require(login.json["access_token"] as? String)

            let me = try await client.request(.get, "/api/me", token: token)
            #expect(me.status == .ok)
            #expect((me.json["teams"] as? [[String: Any]])?.first?["role"] as? String == "owner")
            #expect(me.header("RateLimit-Policy") != nil)

            try await client.grant(20, to: user.teamID, admin: admin)
            let body: [String: Any] = ["prompt": "a neon koi swimming", "duration": 3, "aspect_ratio": "9:16", "backend": "mock"]
            let quote = try await client.request(.post, "/api/mv/quote", token: token, json: body.merging(["kind": "generate_video"]) { a, _ in a })
            #expect(quote.status == .ok)
            #expect(quote.json["credits"] as? Int == 3)

            let submit = try await client.request(.post, "/api/mv/generate_video", token: token, json: body, headers: ["Idempotency-Key": "e2e-1"])
            #expect(submit.status == .accepted)
            let jobID = try #require(submit.json["id"] as? String)
            #expect(submit.header("Location") == "/api/jobs/\(jobID)")
            #expect((submit.json["cost"] as? [String: Any])?["held"] as? Int == 3)

            let held = try await client.request(.get, "/api/billing/balance", token: token)
            #expect(held.json["available"] as? Int == 17)

            let job = try await client.waitForJob(jobID, token: token)
            #expect(job["status"] as? String == "succeeded")
            let result = try #require(job["result"] as? [String: Any])
            let videoID = try #require(result["video_id"] as? String)
            #expect((job["cost"] as? [String: Any])?["charged"] as? Int == 3)
            #expect((job["provider"] as? [String: Any])?["name"] as? String == "mock")

            let content = try await client.request(.get, "/api/mv/videos/\(videoID)/content", token: token)
            #expect(content.status == .ok)
            #expect(content.header("Content-Type") == "video/mp4")
            let path = NSTemporaryDirectory() + "e2e-\(videoID).mp4"
            try Data(buffer: content.body).write(to: URL(fileURLWithPath: path))
            let info = try await MediaProbe.probe(path: path)
            #expect(info.videoCodec == "h264")
            #expect(abs(info.durationSeconds - 3) < 0.25)
            #expect(info.width == 720 && info.height == 1280)

            let etag = try #require(content.header("ETag"))
            let notModified = try await client.request(.get, "/api/mv/videos/\(videoID)/content", token: token, headers: ["If-None-Match": etag])
            #expect(notModified.status == .notModified)
            let range = try await client.request(.get, "/api/mv/videos/\(videoID)/content", token: token, headers: ["Range": "bytes=0-99"])
            #expect(range.status == .partialContent)
            #expect(range.body.readableBytes == 100)
            #expect(range.header("Content-Range")?.hasPrefix("bytes 0-99/") == true)
            let badRange = try await client.request(.get, "/api/mv/videos/\(videoID)/content", token: token, headers: ["Range": "bytes=999999999-"])
            #expect(badRange.status == .rangeNotSatisfiable)
            let head = try await client.request(.head, "/api/mv/videos/\(videoID)/content", token: token)
            #expect(head.status == .ok)
            #expect(head.body.readableBytes == 0)
            #expect(head.header("Content-Length") == String(content.body.readableBytes))

            let alias = try await client.request(.get, "/api/mv/get_video/\(videoID)", token: token)
            #expect(alias.status == .ok && alias.body == content.body)
            let aliasInfo = try await client.request(.get, "/api/mv/get_video/\(videoID)/info", token: token)
            #expect(aliasInfo.json["exists"] as? Bool == true)
            #expect(aliasInfo.json["file_size_bytes"] as? Int == content.body.readableBytes)

            let balance = try await client.request(.get, "/api/billing/balance", token: token)
            #expect(balance.json["available"] as? Int == 17)
            #expect(balance.json["held"] as? Int == 0)
            #expect(balance.json["posted"] as? Int == 17)

            let kinds = try await context.withPostgres { postgres in
                var kinds: [String] = []
                let rows = try await postgres.query(
                    "SELECT kind FROM ledger_entries WHERE team_id = \(UUID(uuidString: user.teamID)!) ORDER BY id", logger: TestCluster.logger)
                for try await kind in rows.decode(String.self) { kinds.append(kind) }
                return kinds
            }
            #expect(kinds == ["grant", "hold", "hold", "capture"])

            // The same story through the API, newest first, one page of two and the rest after the cursor.
            let page = try await client.request(.get, "/api/billing/ledger?limit=2", token: token)
            #expect(page.status == .ok)
            let items = try #require(page.json["items"] as? [[String: Any]])
            #expect(items.map { $0["kind"] as? String } == ["capture", "hold"])
            #expect(items.first?["amount"] as? Int == -3 && items.first?["account"] as? String == "held")
            let cursor = try #require(page.json["next_cursor"] as? String)
            let rest = try await client.request(.get, "/api/billing/ledger?limit=2&cursor=\(cursor)", token: token)
            #expect((rest.json["items"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["hold", "grant"])
            let badLimit = try await client.request(.get, "/api/billing/ledger?limit=500", token: token)
            #expect(badLimit.status == .unprocessableContent)
        }
    }

    @Test func preferWaitAnswers200WhenTheJobFinishesInTimeAnd202Otherwise() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let quick = try await client.request(
                .post, "/api/mv/generate_video", token: user.accessToken, json: ["prompt": "quick", "duration": 1, "backend": "mock"],
                headers: ["Prefer": "wait=30"])
            #expect(quick.status == .ok)
            #expect(quick.json["status"] as? String == "succeeded")
            #expect(quick.header("Preference-Applied") == "wait=30")
            #expect((quick.json["result"] as? [String: Any])?["video_id"] != nil)
        }
        try await withTestApp({ $0.backends.mock.delayMin = 5; $0.backends.mock.delayMax = 5 }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let slow = try await client.request(
                .post, "/api/mv/generate_video", token: user.accessToken, json: ["prompt": "slow", "duration": 1, "backend": "mock"],
                headers: ["Prefer": "wait=1"])
            #expect(slow.status == .accepted)
            #expect(["queued", "running"].contains(slow.json["status"] as? String ?? ""))
            let id = try #require(slow.json["id"] as? String)
            let cancel = try await client.request(.post, "/api/jobs/\(id)/cancel", token: user.accessToken)
            #expect(cancel.status == .ok)
        }
    }
}

import Foundation
import Hummingbird
import MVBackends
import PostgresNIO
import Testing
@testable import MVService

/// Object-level authorization: another user's ids look exactly like unknown ids (404), cancel is owner-only, and
/// unauthenticated calls are 401 with a Bearer challenge.
struct AccessControlTests {
    /// A slow mock clip keeps a job queued or running while the test acts on it; cancel stops it early.
    static func slowMock(_ config: inout AppConfig) {
        config.backends.mock.delayMin = 15
        config.backends.mock.delayMax = 15
    }

    @Test func anotherUsersJobAndVideoAre404OnEveryRoute() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.register()
            let bob = try await client.register()
            try await client.grant(5, to: alice.teamID, admin: admin)

            let submit = try await client.submitVideo(["prompt": "a paper boat", "duration": 1, "backend": "mock"], token: alice.accessToken)
            #expect(submit.status == .accepted)
            let jobID = try #require(submit.json["id"] as? String)
            let job = try await client.waitForJob(jobID, token: alice.accessToken)
            #expect(job["status"] as? String == "succeeded")
            let videoID = try #require((job["result"] as? [String: Any])?["video_id"] as? String)

            // The owner can read every one of these routes.
            let ownerRoutes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/jobs/\(jobID)"), (.get, "/api/mv/videos/\(videoID)"), (.get, "/api/mv/videos/\(videoID)/content"),
                (.head, "/api/mv/videos/\(videoID)/content"), (.get, "/api/mv/get_video/\(videoID)"),
                (.head, "/api/mv/get_video/\(videoID)"),
                (.get, "/api/mv/get_video/\(videoID)/info"),
            ]
            for (method, path) in ownerRoutes {
                let reply = try await client.request(method, path, token: alice.accessToken)
                #expect(reply.status == .ok, "owner \(method) \(path): \(reply.status)")
            }

            // Bob gets the same 404 as for an id that does not exist at all.
            let unknown = UUID().uuidString
            for (method, path) in ownerRoutes {
                let reply = try await client.request(method, path, token: bob.accessToken)
                expectProblemReply(reply, .notFound, code: "not_found", hasBody: method != .head, "bob \(method) \(path)")
                #expect(method == .head || reply.header("ETag") == nil)
                let missingPath = path.replacingOccurrences(of: jobID, with: unknown).replacingOccurrences(of: videoID, with: unknown)
                let missing = try await client.request(method, missingPath, token: bob.accessToken)
                #expect(missing.status == .notFound)
                #expect(missing.json["detail"] as? String == reply.json["detail"] as? String, "404 must not reveal existence: \(path)")
            }
            #expect(try await client.request(.get, "/api/mv/videos/\(videoID)/content", token: bob.accessToken).body.readableBytes < 1000)
        }
    }

    @Test func cancelByAnotherUserIs404AndLeavesTheJobAlone() async throws {
        try await withTestApp(Self.slowMock) { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.register()
            let bob = try await client.register()
            try await client.grant(10, to: alice.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "a slow sunrise", "duration": 2, "backend": "mock"], token: alice.accessToken)
            #expect(submit.status == .accepted)
            let jobID = try #require(submit.json["id"] as? String)
            let id = try #require(UUID(uuidString: jobID))

            let cancel = try await client.request(.post, "/api/jobs/\(jobID)/cancel", token: bob.accessToken)
            expectProblemReply(cancel, .notFound, code: "not_found", "bob cancels alice's job")
            let state = try await context.scalar("SELECT state FROM jobs WHERE id = \(id)", as: String.self)
            #expect(state == "queued" || state == "running", "job state after foreign cancel: \(state ?? "none")")
            let hold = try await context.scalar("SELECT status FROM holds WHERE job_id = \(id)", as: String.self)
            #expect(hold == "open")
            let balance = try await client.balance(token: alice.accessToken)
            #expect(balance.available == 8 && balance.held == 2)

            // The owner still can; this also stops the slow job so the app shuts down quickly.
            let own = try await client.request(.post, "/api/jobs/\(jobID)/cancel", token: alice.accessToken)
            #expect(own.status == .ok)
        }
    }

    @Test func ownerCancelReleasesHoldAndSecondCancelIs409() async throws {
        try await withTestApp(Self.slowMock) { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.register()
            try await client.grant(10, to: alice.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "a slow sunset", "duration": 3, "backend": "mock"], token: alice.accessToken)
            #expect(submit.status == .accepted)
            let jobID = try #require(submit.json["id"] as? String)
            let id = try #require(UUID(uuidString: jobID))
            let before = try await client.balance(token: alice.accessToken)
            #expect(before.available == 7 && before.held == 3 && before.posted == 10)

            let cancel = try await client.request(.post, "/api/jobs/\(jobID)/cancel", token: alice.accessToken)
            #expect(cancel.status == .ok, "\(cancel.text)")
            #expect(cancel.json["status"] as? String == "canceled")
            let cost = try #require(cancel.json["cost"] as? [String: Any])
            #expect(cost["held"] as? Int == 0)
            #expect(cost["released"] as? Int == 3)
            #expect(cost["charged"] as? Int == 0)

            let after = try await client.balance(token: alice.accessToken)
            #expect(after.available == 10 && after.held == 0 && after.posted == 10)
            #expect(try await context.scalar("SELECT status FROM holds WHERE job_id = \(id)", as: String.self) == "released")
            #expect(try await context.countRows("SELECT count(DISTINCT transaction_id) FROM ledger_entries WHERE job_id = \(id) AND kind = 'release'") == 1)

            let again = try await client.request(.post, "/api/jobs/\(jobID)/cancel", token: alice.accessToken)
            expectProblemReply(again, .conflict, code: "job_finished", "second cancel")
            #expect(try await context.countRows("SELECT count(DISTINCT transaction_id) FROM ledger_entries WHERE job_id = \(id) AND kind = 'release'") == 1)

            // The worker must not resurrect a canceled job: it stays canceled and uncharged.
            let final = try await client.waitForJob(jobID, token: alice.accessToken)
            #expect(final["status"] as? String == "canceled")
            #expect(try await client.balance(token: alice.accessToken).available == 10)
        }
    }

    @Test func foreignTeamHeaderIs404AndSpendsNothing() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.register()
            let bob = try await client.register()
            try await client.grant(10, to: alice.teamID, admin: admin)
            let asAlicesTeam = ["X-MV-Team": alice.teamID]

            let balance = try await client.request(.get, "/api/billing/balance", token: bob.accessToken, headers: asAlicesTeam)
            expectProblemReply(balance, .notFound, code: "not_found", "bob reads alice's team balance")
            #expect(balance.json["available"] == nil)
            let submit = try await client.request(
                .post, "/api/mv/generate_video", token: bob.accessToken, json: ["prompt": "on alice's tab", "duration": 2, "backend": "mock"],
                headers: asAlicesTeam.merging(["Idempotency-Key": "tab"]) { a, _ in a })
            expectProblemReply(submit, .notFound, code: "not_found", "bob submits on alice's team")

            #expect(try await context.jobAndHoldCounts(userID: bob.userID, teamID: alice.teamID) == (0, 0))
            #expect(try await client.balance(token: alice.accessToken) == (10, 0, 10))
        }
    }

    @Test func malformedIDsAre404() async throws {
        try await withTestApp { client, _ in
            let alice = try await client.register()
            let routes: [(HTTPRequest.Method, String)] = [
                (.get, "/api/jobs/not-a-uuid"), (.post, "/api/jobs/12345/cancel"), (.get, "/api/mv/videos/zzz"),
                (.get, "/api/mv/videos/zzz/content"), (.get, "/api/mv/get_video/..%2F..%2Fetc%2Fpasswd"),
                (.get, "/api/mv/get_video/abc/info"),
            ]
            for (method, path) in routes {
                let reply = try await client.request(method, path, token: alice.accessToken)
                expectProblemReply(reply, .notFound, code: "not_found", "\(method) \(path)")
            }
        }
    }

    @Test func unknownRouteIs404Problem() async throws {
        try await withTestApp { client, _ in
            let alice = try await client.register()
            let api = try await client.request(.get, "/api/no/such/route", token: alice.accessToken)
            expectProblemReply(api, .notFound, code: "not_found", "unknown /api route")
            #expect(api.json["request_id"] is String)
            let root = try await client.request(.get, "/definitely-not-here")
            expectProblemReply(root, .notFound, code: "not_found", "unknown root route")
        }
    }

    @Test func missingOrInvalidTokenIs401WithBearerChallenge() async throws {
        try await withTestApp { client, _ in
            let id = UUID().uuidString
            let cases: [(HTTPRequest.Method, String, [String: String])] = [
                (.get, "/api/jobs/\(id)", [:]),
                (.post, "/api/jobs/\(id)/cancel", [:]),
                (.get, "/api/mv/videos/\(id)", [:]),
                (.get, "/api/jobs/\(id)", ["Authorization": "Bearer not.a.jwt"]),
                (.get, "/api/jobs/\(id)", ["Authorization": "Basic dXNlcjpwYXNz"]),
            ]
            for (method, path, headers) in cases {
                let reply = try await client.request(method, path, headers: headers)
                expectProblemReply(reply, .unauthorized, code: "unauthorized", "\(method) \(path) \(headers)")
                #expect(reply.header("WWW-Authenticate")?.hasPrefix("Bearer") == true, "\(path): \(reply.header("WWW-Authenticate") ?? "none")")
            }
            let submit = try await client.request(
                .post, "/api/mv/generate_video", json: ["prompt": "x", "backend": "mock"], headers: ["Idempotency-Key": "k"])
            expectProblemReply(submit, .unauthorized, code: "unauthorized", "unauthenticated submit")
            #expect(submit.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
        }
    }
}

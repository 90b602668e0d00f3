import Foundation
import Hummingbird
import NIOCore
import NIOFoundationEssentialsCompat
import PostgresNIO
import Testing
@testable import MVService

/// Idempotency-Key makes a retried POST exactly-once: concurrent duplicates never create two jobs or two holds.
struct IdempotencyTests {
    /// The body every duplicate sends.
    static var clip: [String: Any] { ["prompt": "a lighthouse in fog", "duration": 2, "backend": "mock", "seed": 7] }

    @Test func concurrentDuplicatesCreateOneJobAndOneHold() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(50, to: user.teamID, admin: admin)
            let body = Self.clip

            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await client.submitVideo(Self.clip, token: user.accessToken, key: "same-key") }
                }
                var replies: [TestClient.Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }

            var accepted: [String] = []
            for reply in replies {
                if reply.status == .accepted {
                    accepted.append(reply.json["id"] as? String ?? "missing")
                } else {
                    expectProblemReply(reply, .conflict, code: "idempotency_in_flight", "duplicate submit")
                }
            }
            #expect(!accepted.isEmpty, "statuses: \(replies.map(\.status.code))")
            #expect(Set(accepted).count == 1, "202s named different jobs: \(accepted)")
            let jobID = try #require(accepted.first)

            var counts = try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID)
            #expect(counts.jobs == 1 && counts.holds == 1, "\(counts)")
            #expect(try await client.balance(token: user.accessToken).available == 48)

            // A later resend replays the stored job.
            let resend = try await client.submitVideo(body, token: user.accessToken, key: "same-key")
            #expect(resend.status == .accepted)
            #expect(resend.header("Idempotent-Replayed") == "true")
            #expect(resend.json["id"] as? String == jobID)
            #expect(resend.header("Location") == "/api/jobs/\(jobID)")
            counts = try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID)
            #expect(counts.jobs == 1 && counts.holds == 1, "\(counts)")

            // The same key with another body is refused and creates nothing.
            var other = body
            other["prompt"] = "a lighthouse in rain"
            let reused = try await client.submitVideo(other, token: user.accessToken, key: "same-key")
            expectProblemReply(reused, .unprocessableContent, code: "idempotency_key_reused", "same key, other body")
            #expect(reused.header("Idempotent-Replayed") == nil)
            counts = try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID)
            #expect(counts.jobs == 1 && counts.holds == 1, "\(counts)")

            let job = try await client.waitForJob(jobID, token: user.accessToken)
            #expect(job["status"] as? String == "succeeded")
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == 48 && balance.held == 0 && balance.posted == 48, "\(balance)")
        }
    }

    @Test func keysAreScopedPerUser() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.register()
            let bob = try await client.register()
            try await client.grant(10, to: alice.teamID, admin: admin)
            try await client.grant(10, to: bob.teamID, admin: admin)
            let body: [String: Any] = ["prompt": "twin comets", "duration": 1, "backend": "mock"]
            let first = try await client.submitVideo(body, token: alice.accessToken, key: "shared-key")
            let second = try await client.submitVideo(body, token: bob.accessToken, key: "shared-key")
            #expect(first.status == .accepted && second.status == .accepted)
            #expect(second.header("Idempotent-Replayed") == nil)
            #expect(first.json["id"] as? String != second.json["id"] as? String)
            #expect(try await context.jobAndHoldCounts(userID: bob.userID, teamID: bob.teamID) == (1, 1))
        }
    }

    @Test func adminGrantWithTheSameKeyTwiceGrantsOnce() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            let path = "/api/admin/teams/\(user.teamID)/credits"
            @Sendable func grant(_ json: [String: Any], key: String) async throws -> TestClient.Reply {
                let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
                return try await client.request(
                    .post, path, token: admin.accessToken,
                    headers: ["Idempotency-Key": key, "Content-Type": "application/json"], rawBody: ByteBuffer(data: data))
            }

            let first = try await grant(["amount": 25, "reason": "welcome"], key: "grant-1")
            #expect(first.status == .created, "\(first.text)")
            #expect(first.header("Idempotent-Replayed") == nil)
            let second = try await grant(["amount": 25, "reason": "welcome"], key: "grant-1")
            #expect(second.status == .created, "\(second.text)")
            #expect(second.header("Idempotent-Replayed") == "true")
            #expect(second.json["amount"] as? Int == 25)

            let team = try #require(UUID(uuidString: user.teamID))
            let grants: PostgresQuery = "SELECT count(DISTINCT transaction_id) FROM ledger_entries WHERE team_id = \(team) AND kind = 'grant'"
            #expect(try await context.countRows(grants) == 1)
            #expect(try await client.balance(token: user.accessToken) == (25, 0, 25))

            let reused = try await grant(["amount": 30, "reason": "welcome"], key: "grant-1")
            expectProblemReply(reused, .unprocessableContent, code: "idempotency_key_reused", "grant key reused")
            #expect(try await context.countRows(grants) == 1)

            // Concurrent duplicates of a new key also grant once.
            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for _ in 0..<6 {
                    group.addTask { try await grant(["amount": 5, "reason": "burst"], key: "grant-2") }
                }
                var replies: [TestClient.Reply] = []
                for try await reply in group { replies.append(reply) }
                return replies
            }
            for reply in replies where reply.status != .created {
                expectProblemReply(reply, .conflict, code: "idempotency_in_flight", "concurrent grant")
            }
            #expect(try await context.countRows(grants) == 2)
            #expect(try await client.balance(token: user.accessToken) == (30, 0, 30))
        }
    }

    /// The byte-wise key check accepts exactly the keys the character-wise rule did (1...255 ASCII characters, no
    /// whitespace but the space), for every ASCII byte, non-ASCII letters and spaces, CR LF and the length edges.
    @Test func keyValidationKeepsTheCharacterRule() {
        func characterRule(_ key: String) -> Bool {
            (1...255).contains(key.count) && key.allSatisfy { $0.isASCII && ($0 == " " || !$0.isWhitespace) }
        }
        var keys = ["", "a", String(repeating: "k", count: 255), String(repeating: "k", count: 256), "a\r\nb", "\r\n", "é", "雪",
                    "key\u{00A0}", "key\u{2028}", "key\u{85}", "order-42 retry", " leading", "trailing "]
        for byte in UInt8(0)..<0x80 { keys.append("key" + String(UnicodeScalar(byte)) + "end") }
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ab Z09-_:\t\n\u{0B}\u{0C}\r\u{01}\u{7F}é\u{A0}")
        for _ in 0..<2000 {
            keys.append(String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "a" }))
        }
        for key in keys {
            let accepted = (try? IdempotencyLock.validate(key)) != nil
            #expect(accepted == characterRule(key), "\(Array(key.utf8))")
        }
    }
}

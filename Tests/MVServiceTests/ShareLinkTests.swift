import Foundation
import HTTPTypes
import HummingbirdTesting
import MVAuth
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Share links: HMAC-signed, expiring, revocable, counted, scoped to one asset's content; every access audited.
struct ShareLinkTests {
    static let bytes = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    @Test func linkServesContentWithRangeUntilItsDownloadsAreUsed() async throws {
        try await withTestApp { client, context in
            let alice = try await client.register()
            let video = try await context.insertAsset(owner: alice.userID, team: alice.teamID, bytes: Self.bytes).lowercased
            let created = try await client.request(
                .post, "/api/mv/assets/\(video)/share", token: alice.accessToken, json: ["expires_in": 3600, "max_downloads": 2])
            #expect(created.status == .created, "\(created.text)")
            let url = try #require(created.json["url"] as? String)
            #expect(url.hasPrefix("/s/") && url.count == 3 + 75)
            #expect(created.json["expires_at"] as? String != nil && created.json["downloads_left"] as? Int == 2)

            let head = try await client.request(.head, url)
            #expect(head.status == .ok && head.header("Content-Length") == "\(Self.bytes.count)" && head.header("ETag") != nil)
            let full = try await client.request(.get, url)
            #expect(full.status == .ok && Array(full.body.readableBytesView) == Self.bytes)
            let partial = try await client.request(.get, url, headers: ["Range": "bytes=2-5"])
            #expect(partial.status == .partialContent && partial.text == "2345" && partial.header("Content-Range") == "bytes 2-5/\(Self.bytes.count)")
            let used = try await client.request(.get, url)
            expectProblemReply(used, .notFound, code: "not_found", "exhausted")
            #expect(used.body.readableBytes < 1000 && used.header("ETag") == nil)
            let head2 = try await client.request(.head, url)
            #expect(head2.status == .notFound)

            let list = try await client.request(.get, "/api/mv/assets/\(video)/shares", token: alice.accessToken)
            let item = try #require((list.json["items"] as? [[String: Any]])?.first)
            #expect(item["downloads"] as? Int == 2 && item["downloads_left"] as? Int == 0 && item["status"] as? String == "exhausted")
            #expect(item["url"] == nil || item["url"] is NSNull)
            // (The router transport has no peer address; ShareLinkAuditTests checks `ip` over a real socket.)
            let counted = try await context.scalar(
                "SELECT count(*)::int FROM audit_events WHERE action = 'share.accessed' AND detail ->> 'counted' = 'true'", as: Int.self)
            let uncounted = try await context.scalar(
                "SELECT count(*)::int FROM audit_events WHERE action = 'share.accessed' AND detail ->> 'counted' = 'false'", as: Int.self)
            #expect(counted == 2 && uncounted == 1, "two counted GETs and one HEAD were audited; refused ones are not")
            #expect(try await context.scalar("SELECT count(*)::int FROM audit_events WHERE action = 'share.created'", as: Int.self) == 1)
        }
    }

    @Test func tamperedUnknownRevokedAndExpiredLinksNeverServeContent() async throws {
        try await withTestApp { client, context in
            let alice = try await client.register()
            let video = try await context.insertAsset(owner: alice.userID, team: alice.teamID, bytes: Self.bytes).lowercased
            let other = try await context.insertAsset(owner: alice.userID, team: alice.teamID, bytes: Array("other".utf8)).lowercased
            let created = try await client.request(.post, "/api/mv/assets/\(video)/share", token: alice.accessToken, json: ["expires_in": 3600])
            let url = try #require(created.json["url"] as? String)
            let shareID = try #require(created.json["id"] as? String)
            #expect(try await client.request(.get, url).status == .ok)

            // Tampering: any changed character, a truncated token, garbage, a token for another asset.
            var chars = Array(url)
            let position = chars.count - 10
            chars[position] = chars[position] == "A" ? "B" : "A"
            for bad in [String(chars), String(url.dropLast()), "/s/not-a-token", "/s/" + String(repeating: "A", count: 75)] {
                let reply = try await client.request(.get, bad)
                expectProblemReply(reply, .notFound, code: "not_found", bad)
            }
            let secret = try await ServerSecret.load(
                configured: context.config.auth.serverSecret, path: context.config.dataDirectory + "/keys/server-secret")
            let expiry = try #require(try await context.scalar(
                "SELECT extract(epoch FROM expires_at)::bigint FROM asset_shares WHERE id = \(UUID(uuidString: shareID)!)", as: Int64.self))
            let forOther = ShareToken.sign(shareID: UUID(uuidString: shareID)!, assetID: UUID(uuidString: other)!, expiresAt: expiry, secret: secret)
            #expect(try await client.request(.get, "/s/" + forOther).status == .notFound, "a MAC over another asset does not verify")
            let resigned = ShareToken.sign(shareID: UUID(uuidString: shareID)!, assetID: UUID(uuidString: video)!, expiresAt: expiry, secret: secret)
            #expect("/s/" + resigned == url, "the token is exactly id + expiry + HMAC under the server secret")

            // Expired: the row and a correctly signed token agree on a past expiry → 410.
            let past = Int64(Date().timeIntervalSince1970) - 60
            try await context.execute("UPDATE asset_shares SET expires_at = to_timestamp(\(past)) WHERE id = \(UUID(uuidString: shareID)!)")
            let expired = "/s/" + ShareToken.sign(shareID: UUID(uuidString: shareID)!, assetID: UUID(uuidString: video)!, expiresAt: past, secret: secret)
            expectProblemReply(try await client.request(.get, expired), .gone, code: "share_gone")
            #expect(try await client.request(.get, url).status == .notFound, "the old token's expiry no longer matches the row")

            // Revoked → 410, and a second revoke is 404.
            let fresh = try await client.request(.post, "/api/mv/assets/\(video)/share", token: alice.accessToken, json: ["expires_in": 3600])
            let freshURL = try #require(fresh.json["url"] as? String)
            let freshID = try #require(fresh.json["id"] as? String)
            #expect(try await client.request(.delete, "/api/mv/shares/\(freshID)", token: alice.accessToken).status == .noContent)
            expectProblemReply(try await client.request(.get, freshURL), .gone, code: "share_gone")
            #expect(try await client.request(.delete, "/api/mv/shares/\(freshID)", token: alice.accessToken).status == .notFound)
            #expect(try await context.scalar("SELECT count(*)::int FROM audit_events WHERE action = 'share.revoked'", as: Int.self) == 1)

            // Deleting the asset ends its links.
            let third = try await client.request(.post, "/api/mv/assets/\(video)/share", token: alice.accessToken, json: ["expires_in": 3600])
            let thirdURL = try #require(third.json["url"] as? String)
            #expect(try await client.request(.delete, "/api/mv/videos/\(video)", token: alice.accessToken).status == .noContent)
            #expect(try await client.request(.get, thirdURL).status == .notFound)

            // Bounds.
            for body: [String: Any] in [["expires_in": 5], ["expires_in": 99_999_999], ["expires_in": 600, "max_downloads": 0]] {
                let reply = try await client.request(.post, "/api/mv/assets/\(other)/share", token: alice.accessToken, json: body)
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(body)")
            }
        }
    }
}

/// Over a real loopback socket, a share access is audited with the caller's address.
struct ShareLinkAuditTests {
    @Test func accessIsAuditedWithThePeerAddress() async throws {
        try await withTestApp(transport: .live) { client, context in
            let alice = try await client.register()
            let video = try await context.insertAsset(owner: alice.userID, team: alice.teamID, bytes: ShareLinkTests.bytes).lowercased
            let created = try await client.request(.post, "/api/mv/assets/\(video)/share", token: alice.accessToken, json: ["expires_in": 60])
            let url = try #require(created.json["url"] as? String)
            let reply = try await client.request(.get, url, headers: ["User-Agent": "share-audit-test"])
            #expect(reply.status == .ok && Array(reply.body.readableBytesView) == ShareLinkTests.bytes)
            let ip = try await context.scalar(
                "SELECT ip::text FROM audit_events WHERE action = 'share.accessed' AND user_agent = 'share-audit-test'", as: String.self)
            #expect(ip == "127.0.0.1" || ip == "127.0.0.1/32" || ip == "::1", "recorded ip: \(String(describing: ip))")
        }
    }
}

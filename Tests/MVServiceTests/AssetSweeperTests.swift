import Foundation
import HTTPTypes
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// The sweeper: rows deleted longer than the restore window ago are purged, and a blob (row and FILE) goes only with
/// its last reference; a team's `retention_days` deletes generated assets older than that; usage is reported.
struct AssetSweeperTests {
    @Test func purgeRemovesBlobsOnlyWithTheirLastReferenceAndRetentionDeletesOldGeneratedAssets() async throws {
        try await withTestApp { client, context in
            let alice = try await client.register()
            let bytes = Array("shared bytes of two assets".utf8)
            let first = try await context.insertAsset(owner: alice.userID, team: alice.teamID, bytes: bytes)
            let second = try await context.insertAsset(owner: alice.userID, team: alice.teamID, bytes: bytes)
            let lone = try await context.insertAsset(owner: alice.userID, team: alice.teamID, bytes: Array("only one".utf8))
            let media = try LocalMediaStore(root: context.config.dataDirectory + "/media")
            let shared = try #require(try await context.scalar("SELECT sha256 FROM assets WHERE id = \(first)", as: String.self))
            let single = try #require(try await context.scalar("SELECT sha256 FROM assets WHERE id = \(lone)", as: String.self))

            let team = try await client.request(.get, "/api/teams/\(alice.teamID)", token: alice.accessToken)
            let usage = try #require(team.json["usage"] as? [String: Any])
            #expect(usage["count"] as? Int == 3 && usage["bytes"] as? Int == 2 * bytes.count + 8, "\(team.text)")

            for id in [first, lone] {
                #expect(try await client.request(.delete, "/api/mv/videos/\(id.lowercased)", token: alice.accessToken).status == .noContent)
            }
            try await context.execute("UPDATE assets SET deleted_at = now() - interval '100 hours' WHERE id IN (\(first), \(lone))")
            let window = context.config.restoreWindow
            @Sendable func sweeper(_ postgres: PostgresClient) -> AssetSweeper {
                AssetSweeper(postgres: postgres, media: media, restoreWindow: window, interval: .seconds(60), logger: TestCluster.logger)
            }
            let result = try await context.withPostgres { try await sweeper($0).sweep() }
            #expect(result.removedBlobs == [single], "the shared blob is still referenced by the live asset")
            #expect(!FileManager.default.fileExists(atPath: media.path(of: single)))
            #expect(FileManager.default.fileExists(atPath: media.path(of: shared)))
            let content = try await client.request(.get, "/api/mv/videos/\(second.lowercased)/content", token: alice.accessToken)
            #expect(content.status == .ok && Array(content.body.readableBytesView) == bytes)

            #expect(try await client.request(.delete, "/api/mv/videos/\(second.lowercased)", token: alice.accessToken).status == .noContent)
            try await context.execute("UPDATE assets SET deleted_at = now() - interval '100 hours' WHERE id = \(second)")
            let last = try await context.withPostgres { try await sweeper($0).sweep() }
            #expect(last.removedBlobs == [shared] && !FileManager.default.fileExists(atPath: media.path(of: shared)))
            #expect(try await context.scalar("SELECT count(*)::int FROM blobs", as: Int.self) == 0)

            // Retention: only generated assets (with a job) older than the team's retention_days.
            let admin = try await context.makeAdmin(client)
            try await client.grant(5, to: alice.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "old clip", "duration": 1, "backend": "mock"], token: alice.accessToken)
            let job = try await client.waitForJob(try #require(submit.json["id"] as? String), token: alice.accessToken)
            let generated = try #require((job["result"] as? [String: Any])?["video_id"] as? String)
            let upload = try await context.insertAsset(owner: alice.userID, team: alice.teamID)
            try await context.execute("UPDATE assets SET created_at = now() - interval '10 days'")
            let patch = try await client.request(.patch, "/api/teams/\(alice.teamID)", token: alice.accessToken, json: ["retention_days": 7])
            #expect(patch.status == .ok && patch.json["retention_days"] as? Int == 7, "\(patch.text)")
            let bad = try await client.request(.patch, "/api/teams/\(alice.teamID)", token: alice.accessToken, json: ["retention_days": -1])
            expectProblemReply(bad, .unprocessableContent, code: "validation_failed")
            let retained = try await context.withPostgres { try await sweeper($0).sweep() }
            #expect(retained.retained == 1)
            #expect(try await client.request(.get, "/api/mv/videos/\(generated)", token: alice.accessToken).status == .notFound)
            #expect(try await client.request(.get, "/api/mv/videos/\(upload.lowercased)", token: alice.accessToken).status == .ok)
            let audited = try await context.scalar(
                "SELECT count(*)::int FROM audit_events WHERE action = 'asset.deleted' AND detail ->> 'reason' = 'retention'", as: Int.self)
            #expect(audited == 1)
        }
    }
}

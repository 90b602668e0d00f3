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

/// The sweeper against a writer storing the same bytes at the same moment: the blob row lock orders them, so no live
/// asset is ever left pointing at a removed file.
struct AssetSweeperRaceTests {
    /// Holds the sweeper inside its file removal until the test lets it go.
    actor Gate {
        private var arrived = false
        private var open = false
        func arrive() async {
            arrived = true
            while !open { try? await Task.sleep(for: .milliseconds(10)) }
        }
        func waitForArrival() async {
            while !arrived { try? await Task.sleep(for: .milliseconds(10)) }
        }
        func release() { open = true }
    }

    /// The local store, with `remove` held at the gate.
    struct GatedMedia: MediaStore {
        let base: LocalMediaStore
        let gate: Gate
        var temporaryDirectory: String { base.temporaryDirectory }
        func ingest(temporaryFile path: String, contentType: String) async throws -> StoredBlob {
            try await base.ingest(temporaryFile: path, contentType: contentType)
        }
        func path(of sha256: String) -> String { base.path(of: sha256) }
        func remove(sha256: String) async throws {
            await gate.arrive()
            try await base.remove(sha256: sha256)
        }
    }

    @Test func bytesStoredAgainWhileTheSweeperRemovesTheirFileAreRefusedNotLeftDangling() async throws {
        try await withTestApp { client, context in
            let alice = try await client.register()
            let bytes = Array("bytes deleted and stored again".utf8)
            let old = try await context.insertAsset(owner: alice.userID, team: alice.teamID, bytes: bytes)
            try await context.execute("UPDATE assets SET deleted_at = now() - interval '100 hours' WHERE id = \(old)")
            let local = try LocalMediaStore(root: context.config.dataDirectory + "/media")
            let gate = Gate()
            let media = GatedMedia(base: local, gate: gate)
            let window = context.config.restoreWindow
            let owner = try #require(UUID(uuidString: alice.userID)), team = try #require(UUID(uuidString: alice.teamID))
            try await context.withPostgres { postgres in
                let store = AssetStore(client: postgres, media: media, logger: TestCluster.logger)
                let sweeper = AssetSweeper(postgres: postgres, media: media, restoreWindow: window, interval: .seconds(60), logger: TestCluster.logger)
                let sweep = Task { try await sweeper.sweep() }
                await gate.waitForArrival()
                // The sweeper is about to remove the file; the same bytes arrive now and find the file still there.
                let path = local.temporaryDirectory + "/" + UUID().uuidString
                _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
                let blob = try await local.ingest(temporaryFile: path, contentType: "video/mp4")
                let writer = Task {
                    try await postgres.withConnection { connection in
                        try await store.insert(
                            .init(id: UUID(), kind: .video, ownerID: owner, teamID: team, blob: blob, title: "again", metadata: .object([:])),
                            on: connection)
                    }
                }
                try await Task.sleep(for: .milliseconds(300))
                await gate.release()
                let swept = try await sweep.value
                #expect(swept.removedBlobs == [blob.sha256])
                await #expect(throws: AssetError.blobVanished, "the writer waited for the sweep, then found the file gone") {
                    try await writer.value
                }
                let live = try await postgres.query(
                    "SELECT sha256 FROM assets WHERE deleted_at IS NULL AND sha256 IS NOT NULL", logger: TestCluster.logger)
                for try await sha in live.decode(String.self) {
                    #expect(FileManager.default.fileExists(atPath: local.path(of: sha)), "a live asset points at a removed file")
                }
            }
        }
    }
}

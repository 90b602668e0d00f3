import Foundation
import Hummingbird
import HTTPTypes
import Logging
import MVBackends
import MVBilling
import MVCore
import MVTestSupport
import NIOCore
import NIOFoundationEssentialsCompat
import PostgresNIO
import Testing
@testable import MVService

/// `POST /api/mv/merge_videos` end to end: mock clips merged by stream copy, a song looped under them, validation,
/// access (404 naming nothing), inputs deleted before the worker runs, and quotes.
struct MergeVideosTests {
    /// One frame at 24 fps plus rounding.
    static let frame = 1.0 / 24 + 0.005

    /// Makes media with ffmpeg in `dir`.
    static func ffmpeg(_ arguments: [String]) async throws {
        try await FFmpegRunner().run(arguments)
    }

    /// Stores `path` as a live asset of `kind` owned by `owner` in `team`, with the metadata the service records at
    /// creation (length, and for videos the probe), and returns its id.
    static func store(
        _ path: String, kind: AssetKind, contentType: String, owner: String, team: String, context: TestContext, withProbe: Bool = true
    ) async throws -> UUID {
        let info = try await MediaProbe.probe(path: path)
        let media = try LocalMediaStore(root: context.config.dataDirectory + "/media")
        let copy = media.temporaryDirectory + "/" + UUID().uuidString
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let blob = try await media.ingest(temporaryFile: copy, contentType: contentType)
        var metadata: [String: JSONValue] = ["duration_seconds": .number(info.durationSeconds)]
        if withProbe { metadata["media"] = try JSONValue.encoding(info) }
        let id = UUID()
        let asset = AssetStore.NewAsset(
            id: id, kind: kind, ownerID: try #require(UUID(uuidString: owner)), teamID: try #require(UUID(uuidString: team)), jobID: nil,
            projectID: nil, blob: blob, title: "fixture", metadata: .object(metadata))
        try await context.withPostgres { postgres in
            let store = AssetStore(client: postgres, media: media, logger: TestCluster.logger)
            try await postgres.withConnection { connection in try await store.insert(asset, on: connection) }
        }
        return id
    }

    /// A 320x240 24 fps H.264 clip of `seconds`, stored as a video of `account`.
    static func storedClip(_ account: TestClient.Account, seconds: Double, context: TestContext) async throws -> UUID {
        let dir = NSTemporaryDirectory() + "mvmerge-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/clip.mp4"
        try await ffmpeg([
            "-f", "lavfi", "-i", "color=c=red:s=320x240:r=24:d=\(seconds)", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-f", "mp4", path,
        ])
        return try await store(path, kind: .video, contentType: "video/mp4", owner: account.userID, team: account.teamID, context: context)
    }

    /// An MP3 upload (as the uploads route stores it: kind upload, audio/mpeg, `metadata.duration_seconds`).
    static func storedSong(_ account: TestClient.Account, seconds: Double, context: TestContext) async throws -> (UUID, Double) {
        let dir = NSTemporaryDirectory() + "mvsong-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/song.mp3"
        try await ffmpeg(["-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=\(seconds)", "-c:a", "libmp3lame", "-f", "mp3", path])
        let length = try await MediaProbe.probe(path: path).durationSeconds
        let id = try await store(path, kind: .upload, contentType: "audio/mpeg", owner: account.userID, team: account.teamID, context: context)
        return (id, length)
    }

    /// Downloads a video's content and probes it.
    static func probeContent(_ videoID: String, token: String, client: TestClient) async throws -> MediaInfo {
        let content = try await client.request(.get, "/api/mv/videos/\(videoID)/content", token: token)
        #expect(content.status == .ok)
        let path = NSTemporaryDirectory() + "mvmerged-\(UUID().uuidString).mp4"
        FileManager.default.createFile(atPath: path, contents: Data(buffer: content.body))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await MediaProbe.probe(path: path, format: "mov")
    }

    @Test func twoMockVideosAreMergedByStreamCopy() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            var ids: [String] = []
            for prompt in ["a kite", "a boat"] {
                let job = try await client.runJob("/api/mv/generate_video", ["prompt": prompt, "duration": 2, "backend": "mock"], token: alice.accessToken)
                #expect(job["status"] as? String == "succeeded", "\(job)")
                ids.append(try #require(job.nested("result")["video_id"] as? String))
            }
            // The clip job recorded its probe, so the merge needs none.
            let codec = try await context.scalar(
                "SELECT metadata->'media'->>'frame_rate' FROM assets WHERE id = \(try #require(UUID(uuidString: ids[0])))", as: String.self)
            #expect(codec == "24/1")
            let before = try await client.balance(token: alice.accessToken)

            let submit = try await client.submit("/api/mv/merge_videos", ["video_ids": ids], token: alice.accessToken)
            #expect(submit.status == .accepted, "\(submit.text)")
            #expect(submit.json["kind"] as? String == "merge_videos")
            #expect(submit.json.nested("cost")["held"] as? Int == 1, "4 s is one started minute at 1 credit")
            #expect(submit.header("Location")?.hasPrefix("/api/jobs/") == true)
            let job = try await client.waitForJob(try #require(submit.json["id"] as? String), token: alice.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")
            let result = job.nested("result")
            #expect(result.nested("merge")["method"] as? String == "stream_copy")
            let seconds = try #require(result.nested("merge")["duration_seconds"] as? Double)
            #expect(abs(seconds - 4) <= Self.frame)
            #expect(job.nested("cost")["charged"] as? Int == 1)

            let videoID = try #require(result["video_id"] as? String)
            let info = try await Self.probeContent(videoID, token: alice.accessToken, client: client)
            #expect(info.videoCodec == "h264" && info.width == 1280 && info.height == 720)
            #expect(abs(info.durationSeconds - 4) <= Self.frame)
            let mergedFrom = try await context.scalar(
                "SELECT metadata->'merged_from' #>> '{}' FROM assets WHERE id = \(try #require(UUID(uuidString: videoID)))", as: String.self)
            #expect(mergedFrom?.lowercased() == "[\"\(ids[0].lowercased())\", \"\(ids[1].lowercased())\"]", "\(mergedFrom ?? "nil")")
            let after = try await client.balance(token: alice.accessToken)
            #expect(after.available == before.available - 1 && after.held == 0)
        }
    }

    @Test func aSongIsLoopedUnderTheClips() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            let a = try await Self.storedClip(alice, seconds: 1, context: context)
            let b = try await Self.storedClip(alice, seconds: 1, context: context)
            let (song, length) = try await Self.storedSong(alice, seconds: 3.5, context: context)
            let job = try await client.runJob(
                "/api/mv/merge_videos",
                ["video_ids": [a.lowercased, b.lowercased], "audio_id": song.lowercased, "fit_to_audio": "loop"], token: alice.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")
            let merge = job.nested("result").nested("merge")
            #expect(merge["method"] as? String == "stream_copy", "the clips are repeated by copy; only the song is encoded")
            let videoID = try #require(job.nested("result")["video_id"] as? String)
            let info = try await Self.probeContent(videoID, token: alice.accessToken, client: client)
            #expect(abs(info.durationSeconds - length) <= Self.frame, "\(info.durationSeconds) vs song \(length)")
            #expect(abs((info.videoDurationSeconds ?? 0) - length) <= Self.frame)
            #expect(info.audioCodec == "aac")
            let audioID = try await context.scalar(
                "SELECT metadata->>'audio_id' FROM assets WHERE id = \(try #require(UUID(uuidString: videoID)))", as: String.self)
            #expect(audioID?.lowercased() == song.lowercased)
        }
    }

    static var badBodies: [(String, [String: Any])] {
        let two = [UUID().lowercased, UUID().lowercased]
        return [
            ("video_ids", ["video_ids": [UUID().lowercased]]),
            ("video_ids", ["video_ids": (0..<51).map { _ in UUID().lowercased }]),
            ("video_ids", ["video_ids": [two[0], two[0]]]),
            ("video_ids", [:]),
            ("transition", ["video_ids": two, "transition": "wipe"]),
            ("transition_seconds", ["video_ids": two, "transition": "crossfade", "transition_seconds": 0.05]),
            ("transition_seconds", ["video_ids": two, "transition": "crossfade", "transition_seconds": 2.5]),
            ("fit_to_audio", ["video_ids": two, "fit_to_audio": "stretch"]),
        ]
    }

    @Test func badBodiesAre422AndHoldNothing() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            for (field, body) in Self.badBodies {
                let reply = try await client.submit("/api/mv/merge_videos", body, token: alice.accessToken)
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "\(body)")
                #expect(reply.problemFields.contains(field), "\(field): \(reply.text)")
            }
            let counts = try await context.jobAndHoldCounts(userID: alice.userID, teamID: alice.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0)
        }
    }

    @Test func aCrossfadeAsLongAsTheShortestClipIs422() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            let a = try await Self.storedClip(alice, seconds: 1, context: context)
            let b = try await Self.storedClip(alice, seconds: 2, context: context)
            let reply = try await client.submit(
                "/api/mv/merge_videos", ["video_ids": [a.lowercased, b.lowercased], "transition": "crossfade", "transition_seconds": 1.5],
                token: alice.accessToken)
            expectProblemReply(reply, .unprocessableContent, code: "validation_failed")
            #expect(reply.problemFields == ["transition_seconds"])
            let counts = try await context.jobAndHoldCounts(userID: alice.userID, teamID: alice.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0)
        }
    }

    @Test func anUnreadableVideoOrSongIs404NamingNothingAndHoldsNothing() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            let bob = try await client.fundedUser(50, admin: admin)
            let mine = try await Self.storedClip(alice, seconds: 1, context: context)
            let his = try await Self.storedClip(bob, seconds: 1, context: context)
            let (hisSong, _) = try await Self.storedSong(bob, seconds: 2, context: context)
            let replies = [
                try await client.submit("/api/mv/merge_videos", ["video_ids": [mine.lowercased, his.lowercased]], token: alice.accessToken),
                try await client.submit("/api/mv/merge_videos", ["video_ids": [mine.lowercased, UUID().lowercased]], token: alice.accessToken),
            ]
            for reply in replies {
                expectProblemReply(reply, .notFound, code: "not_found")
                #expect(!reply.text.contains(his.lowercased) && !reply.text.contains(mine.lowercased), "\(reply.text)")
            }
            // A song alice cannot read, and a video used as the song.
            let second = try await Self.storedClip(alice, seconds: 1, context: context)
            for audio in [hisSong, second] {
                let reply = try await client.submit(
                    "/api/mv/merge_videos", ["video_ids": [mine.lowercased, second.lowercased], "audio_id": audio.lowercased], token: alice.accessToken)
                expectProblemReply(reply, .notFound, code: "not_found")
            }
            let counts = try await context.jobAndHoldCounts(userID: alice.userID, teamID: alice.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0)
            #expect(try await client.balance(token: alice.accessToken).available == 50)
        }
    }

    @Test func anInputDeletedBeforeTheWorkerRunsFailsTheJobAndReleasesTheHold() async throws {
        try await withTestApp({ $0.runWorkers = false }) { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            let a = try await Self.storedClip(alice, seconds: 1, context: context)
            let b = try await Self.storedClip(alice, seconds: 1, context: context)
            let submit = try await client.submit("/api/mv/merge_videos", ["video_ids": [a.lowercased, b.lowercased]], token: alice.accessToken)
            #expect(submit.status == .accepted, "\(submit.text)")
            let jobID = try #require(submit.json["id"] as? String)
            #expect(try await client.balance(token: alice.accessToken).held == 1)
            let deleted = try await client.request(.delete, "/api/mv/videos/\(b.lowercased)", token: alice.accessToken)
            #expect(deleted.status == .noContent)

            try await context.withPostgres { postgres in
                let config = context.config
                let media = try LocalMediaStore(root: config.dataDirectory + "/media")
                let assets = AssetStore(client: postgres, media: media, logger: TestCluster.logger)
                let step = MergeStep(media: media, merger: VideoMerger(), logger: TestCluster.logger)
                let queue = JobQueue(client: postgres, ledger: Ledger(logger: TestCluster.logger), logger: TestCluster.logger)
                let worker = JobWorker(
                    queue: queue, postgres: postgres, handlers: [.mergeVideos: MergeJobHandler(step: step, assets: assets, prices: config.prices)],
                    settings: config.jobs, name: "merge-test", logger: TestCluster.logger)
                let running = RunningWorker(worker, name: "merge-test")
                let job = try await client.waitForJob(jobID, token: alice.accessToken)
                await running.kill()
                #expect(job["status"] as? String == "failed", "\(job)")
                #expect(job["attempts"] as? Int == 1, "an input that is gone is final: no retry")
                #expect(job.nested("error")["code"] as? String == "invalid_input")
                #expect(job.nested("cost")["released"] as? Int == 1 && job.nested("cost")["charged"] as? Int == 0)
            }
            let balance = try await client.balance(token: alice.accessToken)
            #expect(balance.available == 50 && balance.held == 0)
            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE job_id IS NOT NULL") == 0)
        }
    }

    @Test func quoteOfAMergeIsTheLongestResult() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            let a = try await Self.storedClip(alice, seconds: 1, context: context)
            let b = try await Self.storedClip(alice, seconds: 1, context: context)
            let (song, _) = try await Self.storedSong(alice, seconds: 61, context: context)
            let ids = [a.lowercased, b.lowercased]
            let plain = try await client.request(.post, "/api/mv/quote", token: alice.accessToken, json: ["kind": "merge_videos", "video_ids": ids])
            #expect(plain.status == .ok, "\(plain.text)")
            #expect(plain.json["credits"] as? Int == 1)
            let line = (plain.json["breakdown"] as? [[String: Any]])?.first ?? [:]
            #expect(line["model"] as? String == "ffmpeg" && line["unit"] as? String == "started_minute")
            // Looping under a 61 s song makes 61 s: two started minutes. Trimmed, at most the clips' 2 s.
            let looped = try await client.request(
                .post, "/api/mv/quote", token: alice.accessToken,
                json: ["kind": "merge_videos", "video_ids": ids, "audio_id": song.lowercased, "fit_to_audio": "loop"])
            #expect(looped.json["credits"] as? Int == 2, "\(looped.text)")
            let trimmed = try await client.request(
                .post, "/api/mv/quote", token: alice.accessToken, json: ["kind": "merge_videos", "video_ids": ids, "audio_id": song.lowercased])
            #expect(trimmed.json["credits"] as? Int == 1, "\(trimmed.text)")
            let hidden = try await client.request(
                .post, "/api/mv/quote", token: alice.accessToken, json: ["kind": "merge_videos", "video_ids": [ids[0], UUID().lowercased]])
            expectProblemReply(hidden, .notFound, code: "not_found")
            let counts = try await context.jobAndHoldCounts(userID: alice.userID, teamID: alice.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0)
        }
    }
}

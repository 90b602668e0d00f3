import Foundation
import HTTPTypes
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

extension TestContext {
    /// Inserts an audio upload as the uploads route stores one (until it lands): a real MP3 of `seconds` made by
    /// ffmpeg, an `upload` asset with content type `audio/mpeg` and `{"media": "audio", "duration_seconds": x}`.
    func insertSong(owner: String, team: String, seconds: Double = 5) async throws -> UUID {
        let media = try LocalMediaStore(root: config.dataDirectory + "/media")
        let path = media.temporaryDirectory + "/song-\(UUID().uuidString).mp3"
        try runTool(
            "/usr/bin/ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=\(seconds)", "-c:a", "libmp3lame", "-b:a", "64k", path])
        let blob = try await media.ingest(temporaryFile: path, contentType: "audio/mpeg")
        let id = UUID()
        let asset = AssetStore.NewAsset(
            id: id, kind: .upload, ownerID: try #require(UUID(uuidString: owner)), teamID: try #require(UUID(uuidString: team)),
            jobID: nil, projectID: nil, blob: blob, title: "song",
            metadata: .object(["media": .string("audio"), "duration_seconds": .number(seconds)]))
        try await withPostgres { postgres in
            let store = AssetStore(client: postgres, media: media, logger: TestCluster.logger)
            try await postgres.withConnection { connection in try await store.insert(asset, on: connection) }
        }
        return id
    }

    /// The media-store path of asset `id`'s blob.
    func blobPath(of id: UUID) async throws -> String {
        let sha = try #require(try await scalar("SELECT sha256 FROM assets WHERE id = \(id)", as: String.self))
        return try LocalMediaStore(root: config.dataDirectory + "/media").path(of: sha)
    }
}

/// Runs a tool to completion; throws with its output when it fails.
@discardableResult
func runTool(_ path: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else { throw TestFailure("\(path) failed: \(output)") }
    return output
}

/// ffprobe's duration of the first stream of `type` (`v` or `a`) in `path`, in seconds.
func probeDuration(_ path: String, stream type: String) throws -> Double? {
    let output = try runTool(
        "/usr/bin/ffprobe",
        ["-v", "error", "-select_streams", "\(type):0", "-show_entries", "stream=duration", "-of", "default=noprint_wrappers=1:nokey=1", path])
    return Double(output.trimmingCharacters(in: .whitespacesAndNewlines))
}

extension TestClient {
    /// `POST /api/mv/projects` with `fields` over a valid 3-scene, 2 s-clip mock project.
    func createProject(token: String, audioID: UUID? = nil, _ fields: [String: Any] = [:]) async throws -> Reply {
        var body: [String: Any] = [
            "title": "Paper boats", "idea": "a paper boat sails through a flooded city at dawn",
            "character_description": "a girl in a yellow raincoat", "number_of_scenes": 3, "clip_duration": 2, "backend": "mock",
            "aspect_ratio": "16:9",
        ]
        if let audioID { body["audio_id"] = audioID.uuidString }
        body.merge(fields) { _, new in new }
        return try await request(.post, "/api/mv/projects", token: token, json: body)
    }

    /// `POST /api/mv/projects/{id}/render` with an Idempotency-Key.
    func renderProject(_ id: String, token: String, key: String = UUID().uuidString) async throws -> Reply {
        try await request(.post, "/api/mv/projects/\(id)/render", token: token, headers: ["Idempotency-Key": key])
    }
}

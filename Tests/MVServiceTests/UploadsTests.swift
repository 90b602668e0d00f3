import Crypto
import Foundation
import HTTPTypes
import MVAuth
import MVCore
import MVTestSupport
import NIOCore
import PostgresNIO
import Testing
@testable import MVService

/// `POST /api/mv/uploads` and the upload routes through HTTP, with real ffmpeg-made media: raw and multipart bodies,
/// type by content, dedupe by hash, the size cap, access, Range, management, and uploads as reference images.
struct UploadsTests {
    @Test func aRawPNGIsStoredAsAnImageWithItsSize() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let png = try await UploadFixtures.make(.png)
            let reply = try await client.upload(png, token: user.accessToken, contentType: "image/png")
            #expect(reply.status == .created, "\(reply.text)")
            let json = reply.json
            let id = try #require(json["id"] as? String)
            #expect(reply.header("Location") == "/api/mv/uploads/\(id)")
            #expect(json["kind"] as? String == "image" && json["content_type"] as? String == "image/png", "\(json)")
            #expect(json["width"] as? Int == 64 && json["height"] as? Int == 48, "\(json)")
            #expect(json["size"] as? Int == png.count && json["duration_seconds"] == nil, "\(json)")
            #expect(json["sha256"] as? String == Array(png).sha256Hex, "\(json)")
            let stored = try await context.scalar(
                "SELECT metadata::text FROM assets WHERE id = \(UUID(uuidString: id)!) AND kind = 'upload' AND content_type = 'image/png'", as: String.self)
            let metadata = try #require(stored.flatMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            #expect(metadata["media"] as? String == "image" && metadata["width"] as? Int == 64 && metadata["height"] as? Int == 48, "\(metadata)")
            #expect(try await context.countRows("SELECT count(*)::int FROM audit_events WHERE action = 'upload.created' AND target_id = \(id)") == 1)

            let shown = try await client.request(.get, "/api/mv/uploads/\(id)", token: user.accessToken)
            #expect(shown.status == .ok && shown.json["sha256"] as? String == json["sha256"] as? String, "\(shown.text)")
            let bytes = try await client.request(.get, "/api/mv/uploads/\(id)/content", token: user.accessToken)
            #expect(bytes.status == .ok && Array(buffer: bytes.body) == png && bytes.header("Content-Type") == "image/png")
        }
    }

    @Test(arguments: [UploadFormat.wav, .mp3, .m4a, .ogg])
    func aMultipartSongIsStoredAsAudioWithItsDuration(format: UploadFormat) async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let song = try await UploadFixtures.make(format)
            let reply = try await client.uploadMultipart(song, token: user.accessToken, filename: "../songs/la\u{7}la.\(format.rawValue)", fields: ["note": "ignored"])
            #expect(reply.status == .created, "\(reply.text)")
            let json = reply.json
            #expect(json["kind"] as? String == "audio" && json["content_type"] as? String == format.contentType, "\(json)")
            let duration = try #require(json["duration_seconds"] as? Double, "\(json)")
            #expect(abs(duration - 1) < 0.1, "\(duration)")
            #expect(json["size"] as? Int == song.count && json["width"] == nil, "\(json)")
            #expect(json["original_name"] as? String == "lala.\(format.rawValue)" && json["title"] as? String == "lala.\(format.rawValue)", "\(json)")
            // What merge and projects read: an audio upload with its duration.
            let id = try #require(UUID(uuidString: json["id"] as? String ?? ""))
            let audio = try await context.withPostgres { postgres in
                try await AssetStore(client: postgres, media: try LocalMediaStore(root: context.config.dataDirectory + "/media"), logger: TestCluster.logger)
                    .readableAudio(id: id, viewer: .init(userID: UUID(uuidString: user.userID)!))
            }
            #expect(audio?.metadata.decodeDuration == duration)
        }
    }

    @Test func theDeclaredTypeNeverDecides() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let png = try await UploadFixtures.make(.png)
            let lying = try await client.upload(png, token: user.accessToken, contentType: "audio/mpeg")
            #expect(lying.status == .created && lying.json["content_type"] as? String == "image/png" && lying.json["kind"] as? String == "image", "\(lying.text)")
            let wav = try await UploadFixtures.make(.wav)
            let asJSON = try await client.upload(wav, token: user.accessToken, contentType: "application/json")
            #expect(asJSON.status == .created && asJSON.json["content_type"] as? String == "audio/wav", "\(asJSON.text)")
        }
    }

    @Test func theSameBytesInATeamAreOneBlobAndTheCallersOneUpload() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let inTeam = ["X-MV-Team": crew.teamID]
            let png = try await UploadFixtures.make(.png)
            let first = try await client.upload(png, token: crew.member.accessToken, headers: inTeam)
            #expect(first.status == .created, "\(first.text)")
            let id = try #require(first.json["id"] as? String)
            // Again by the same member: the same upload, 200, nothing new written.
            let again = try await client.uploadMultipart(png, token: crew.member.accessToken, filename: "other.png")
            #expect(again.status == .created, "own personal team: a different team, a new upload: \(again.text)")
            let same = try await client.upload(png, token: crew.member.accessToken, headers: inTeam)
            #expect(same.status == .ok && same.json["id"] as? String == id && same.header("Location") == "/api/mv/uploads/\(id)", "\(same.text)")
            // A team admin reads the member's upload: the same one.
            let admin = try await client.upload(png, token: crew.admin.accessToken, headers: inTeam)
            #expect(admin.status == .ok && admin.json["id"] as? String == id, "\(admin.text)")
            // A member who cannot read it gets an upload of their own, on the same blob; so does another team.
            let plainMember = try await client.register()
            let added = try await client.request(
                .post, "/api/teams/\(crew.teamID)/members", token: crew.owner.accessToken, json: ["email": plainMember.email, "role": "member"])
            #expect(added.status == .created)
            let other = try await client.upload(png, token: plainMember.accessToken, headers: inTeam)
            #expect(other.status == .created && other.json["id"] as? String != id && other.json["sha256"] as? String == first.json["sha256"] as? String, "\(other.text)")
            let outsider = try await client.upload(png, token: crew.outsider.accessToken)
            #expect(outsider.status == .created && outsider.json["id"] as? String != id, "\(outsider.text)")
            let footprint = try await context.uploadFootprint()
            #expect(footprint.uploads == 4 && footprint.blobs == 1 && footprint.blobFiles == 1 && footprint.temporaryFiles == 0, "\(footprint)")
            #expect(try await context.countRows("SELECT count(*)::int FROM audit_events WHERE action = 'upload.created'") == 4)

            // Once deleted, the same bytes make a new upload (still the same blob).
            #expect(try await client.request(.delete, "/api/mv/uploads/\(id)", token: crew.member.accessToken, headers: inTeam).status == .noContent)
            let fresh = try await client.upload(png, token: crew.member.accessToken, headers: inTeam)
            #expect(fresh.status == .created && fresh.json["id"] as? String != id, "\(fresh.text)")
            #expect(try await context.countRows("SELECT count(DISTINCT sha256)::int FROM assets WHERE kind = 'upload'") == 1)
        }
    }

    @Test func readsFollowTheAssetRulesAndViewersCannotUpload() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let inTeam = ["X-MV-Team": crew.teamID]
            let wav = try await UploadFixtures.make(.wav)
            let created = try await client.upload(wav, token: crew.member.accessToken, headers: inTeam)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            let plainMember = try await client.register()
            let added = try await client.request(
                .post, "/api/teams/\(crew.teamID)/members", token: crew.owner.accessToken, json: ["email": plainMember.email, "role": "member"])
            #expect(added.status == .created)
            let callers: [(String, String?, HTTPResponse.Status)] = [
                ("uploader", crew.member.accessToken, .ok), ("team owner", crew.owner.accessToken, .ok), ("team admin", crew.admin.accessToken, .ok),
                ("another member", plainMember.accessToken, .notFound), ("team viewer", crew.viewer.accessToken, .notFound),
                ("other team", crew.outsider.accessToken, .notFound), ("anonymous", nil, .unauthorized),
            ]
            var mismatches: [String] = []
            for (name, token, status) in callers {
                for path in ["/api/mv/uploads/\(id)", "/api/mv/uploads/\(id)/content"] {
                    let reply = try await client.request(.get, path, token: token, headers: inTeam)
                    if reply.status != status { mismatches.append("GET \(path) as \(name): \(reply.status.code), expected \(status.code)") }
                }
                let listed = try await client.request(.get, "/api/mv/uploads", token: token, headers: inTeam)
                let ids = (listed.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                if status == .ok, !ids.contains(id) { mismatches.append("list as \(name) misses the upload") }
                if status == .notFound, ids.contains(id) { mismatches.append("list as \(name) shows the upload") }
            }
            #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
            // An unknown id is the same 404.
            expectProblemReply(try await client.request(.get, "/api/mv/uploads/\(UUID().uuidString)", token: crew.member.accessToken), .notFound, code: "not_found")
            // Viewers may not upload (403), nor may a read-only key; a generate key may.
            let png = try await UploadFixtures.make(.png)
            expectProblemReply(try await client.upload(png, token: crew.viewer.accessToken, headers: inTeam), .forbidden, code: "forbidden", "viewer")
            let readKey = try #require(try await APIKeysTests.createKey(client, as: crew.member, scopes: ["read"], team: crew.teamID)["key"] as? String)
            expectProblemReply(try await client.upload(png, token: readKey), .forbidden, code: "forbidden", "read key")
            expectProblemReply(try await client.upload(png, token: nil), .unauthorized, code: "unauthorized", "anonymous")
            #expect(try await context.uploadFootprint().uploads == 1)
            let generateKey = try #require(
                try await APIKeysTests.createKey(client, as: crew.member, scopes: ["generate"], team: crew.teamID)["key"] as? String)
            let byKey = try await client.upload(png, token: generateKey)
            #expect(byKey.status == .created && byKey.json["team_id"] as? String == crew.teamID, "\(byKey.text)")
            // A key of the member's personal team does not see the team's upload.
            let personalKey = try #require(try await APIKeysTests.createKey(client, as: crew.member, scopes: ["read"])["key"] as? String)
            expectProblemReply(try await client.request(.get, "/api/mv/uploads/\(id)", token: personalKey), .notFound, code: "not_found", "personal key")
        }
    }

    @Test func contentServesRangesETagsAndHead() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let wav = try await UploadFixtures.make(.wav)
            let id = try #require(try await client.upload(wav, token: user.accessToken).json["id"] as? String)
            let path = "/api/mv/uploads/\(id)/content"
            let part = try await client.request(.get, path, token: user.accessToken, headers: ["Range": "bytes=4-11"])
            #expect(part.status == .partialContent && Array(buffer: part.body) == Array(wav[4...11]), "\(part.status)")
            #expect(part.header("Content-Range") == "bytes 4-11/\(wav.count)" && part.header("Content-Type") == "audio/wav")
            let etag = try #require(part.header("ETag"))
            #expect(try await client.request(.get, path, token: user.accessToken, headers: ["If-None-Match": etag]).status == .notModified)
            let head = try await client.request(.head, path, token: user.accessToken)
            #expect(head.status == .ok && head.body.readableBytes == 0 && head.header("Content-Length") == String(wav.count))
            expectProblemReply(
                try await client.request(.get, path, token: user.accessToken, headers: ["Range": "bytes=\(wav.count)-"]), .rangeNotSatisfiable,
                code: "range_not_satisfiable")
        }
    }

    @Test func patchDeleteAndRestoreGoThroughAssetManagement() async throws {
        try await withTestApp { client, context in
            let crew = try await TeamsTests.crew(client)
            let inTeam = ["X-MV-Team": crew.teamID]
            let png = try await UploadFixtures.make(.png)
            let id = try #require(try await client.upload(png, token: crew.member.accessToken, headers: inTeam).json["id"] as? String)
            let path = "/api/mv/uploads/\(id)"
            let renamed = try await client.request(.patch, path, token: crew.member.accessToken, json: ["title": "cover", "tags": ["art"]])
            #expect(renamed.status == .ok && renamed.json["title"] as? String == "cover", "\(renamed.text)")
            #expect(try await client.request(.get, path, token: crew.member.accessToken).json["tags"] as? [String] == ["art"])
            let found = try await client.request(.get, "/api/mv/uploads?q=cover&tags=art", token: crew.member.accessToken, headers: inTeam)
            #expect((found.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id], "\(found.text)")
            #expect(try await client.request(.patch, path, token: crew.outsider.accessToken, json: ["title": "x"]).status == .notFound)
            #expect(try await client.request(.delete, path, token: crew.outsider.accessToken).status == .notFound)
            #expect(try await client.request(.delete, path, token: crew.member.accessToken).status == .noContent)
            #expect(try await client.request(.get, path, token: crew.member.accessToken).status == .notFound)
            #expect(try await client.request(.get, path + "/content", token: crew.member.accessToken).status == .notFound)
            let restored = try await client.request(.post, path + "/restore", token: crew.member.accessToken)
            #expect(restored.status == .ok, "\(restored.text)")
            #expect(try await client.request(.get, path + "/content", token: crew.member.accessToken).status == .ok)
            #expect(try await client.request(.post, path + "/restore", token: crew.member.accessToken).status == .conflict)
            // An upload is not an image at /images, nor a video at /videos.
            #expect(try await client.request(.get, "/api/mv/images/\(id)", token: crew.member.accessToken).status == .notFound)
        }
    }

    @Test func anImageUploadIsAReferenceImageAndAnAudioUploadIsNot() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            let image = try #require(try await client.upload(try await UploadFixtures.make(.jpeg), token: user.accessToken).json["id"] as? String)
            let song = try #require(try await client.upload(try await UploadFixtures.make(.mp3), token: user.accessToken).json["id"] as? String)
            let video: [String: Any] = ["prompt": "a fox on a boat", "duration": 1, "backend": "mock"]
            let refused = try await client.submitVideo(video.merging(["reference_image_ids": [song]]) { $1 }, token: user.accessToken)
            expectProblemReply(refused, .notFound, code: "not_found", "audio as reference")
            let counts = try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0, "\(counts)")

            let accepted = try await client.submitVideo(video.merging(["reference_image_ids": [image]]) { $1 }, token: user.accessToken)
            #expect(accepted.status == .accepted, "\(accepted.text)")
            let job = try await client.waitForJob(try #require(accepted.json["id"] as? String), token: user.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")

            // The worker's re-check (referenceFiles) refuses an audio upload too, even if it got past admission.
            let files = try await context.withPostgres { postgres in
                let store = AssetStore(client: postgres, media: try LocalMediaStore(root: context.config.dataDirectory + "/media"), logger: TestCluster.logger)
                let viewer = AssetViewer(userID: UUID(uuidString: user.userID)!)
                let image = try await store.referenceFiles(ids: [UUID(uuidString: image)!], viewer: viewer, media: store.media)
                let audio = try? await store.referenceFiles(ids: [UUID(uuidString: song)!], viewer: viewer, media: store.media)
                return (image.map(\.contentType), audio)
            }
            #expect(files.0 == ["image/jpeg"] && files.1 == nil, "\(files)")
        }
    }
}

extension JSONValue {
    /// `duration_seconds` of an upload's metadata.
    var decodeDuration: Double? { (try? decode(as: UploadMetadata.self))?.durationSeconds }
}

extension Array where Element == UInt8 {
    /// Hex SHA-256 of the bytes.
    var sha256Hex: String { Crypto.SHA256.hash(data: self).hexString }
}

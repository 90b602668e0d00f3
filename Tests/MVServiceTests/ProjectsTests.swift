import Foundation
import HTTPTypes
import MVBackends
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Project CRUD: a project is an asset (others get 404, lists filter by access), its fields are validated like the
/// generation routes' (every refusal a 4xx problem naming the fields, nothing stored), and the render and re-roll
/// routes refuse what they cannot do without taking anything.
struct ProjectsTests {
    @Test func createReadUpdateListDeleteRestore() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let other = try await client.register()
            let song = try await context.insertSong(owner: user.userID, team: user.teamID, seconds: 3)

            let created = try await client.createProject(token: user.accessToken, audioID: song, ["tags": ["demo"]])
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.header("Location") == "/api/mv/projects/\(id)")
            #expect(created.json["status"] as? String == "draft")
            #expect(created.json["audio_id"] as? String == song.uuidString.lowercased())
            #expect(created.json["number_of_scenes"] as? Int == 3)
            #expect(created.json["clip_duration"] as? Int == 2)
            #expect((created.json["stages"] as? [[String: Any]])?.map { $0["name"] as? String } == ["scenes", "character", "clips", "merge"])
            #expect((created.json["stages"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "pending" } == true)
            #expect((created.json["cost"] as? [String: Any])?["quoted"] as? Int == 0)

            let read = try await client.request(.get, "/api/mv/projects/\(id)", token: user.accessToken)
            #expect(read.status == .ok)
            #expect(read.json["title"] as? String == "Paper boats")
            #expect(read.json["tags"] as? [String] == ["demo"])

            // Others: 404, whether or not it exists.
            let foreign = try await client.request(.get, "/api/mv/projects/\(id)", token: other.accessToken)
            expectProblemReply(foreign, .notFound, code: "not_found", "foreign read")
            let foreignPatch = try await client.request(.patch, "/api/mv/projects/\(id)", token: other.accessToken, json: ["title": "mine"])
            expectProblemReply(foreignPatch, .notFound, code: "not_found", "foreign patch")

            let patched = try await client.request(
                .patch, "/api/mv/projects/\(id)", token: user.accessToken, json: ["title": "Paper boats II", "number_of_scenes": 4])
            #expect(patched.status == .ok, "\(patched.text)")
            #expect(patched.json["title"] as? String == "Paper boats II")
            #expect(patched.json["number_of_scenes"] as? Int == 4)
            #expect(patched.json["idea"] as? String == "a paper boat sails through a flooded city at dawn")

            let mine = try await client.request(.get, "/api/mv/projects", token: user.accessToken)
            #expect((mine.json["items"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            let theirs = try await client.request(.get, "/api/mv/projects", token: other.accessToken)
            #expect((theirs.json["items"] as? [[String: Any]])?.isEmpty == true)

            #expect(try await client.request(.delete, "/api/mv/projects/\(id)", token: user.accessToken).status == .noContent)
            #expect(try await client.request(.get, "/api/mv/projects/\(id)", token: user.accessToken).status == .notFound)
            let restored = try await client.request(.post, "/api/mv/projects/\(id)/restore", token: user.accessToken)
            #expect(restored.status == .ok, "\(restored.text)")
            #expect(try await client.request(.get, "/api/mv/projects/\(id)", token: user.accessToken).status == .ok)
        }
    }

    @Test func badFieldsAreRefusedNamingEachAndStoreNothing() async throws {
        try await withTestApp { client, context in
            let user = try await client.register()
            let other = try await client.register()
            let othersSong = try await context.insertSong(owner: other.userID, team: other.teamID, seconds: 2)

            let bad = try await client.request(
                .post, "/api/mv/projects", token: user.accessToken,
                json: [
                    "title": "  ", "idea": "", "character_description": "x", "number_of_scenes": 40, "clip_duration": 0,
                    "aspect_ratio": "2:1", "backend": "nope", "director": "nobody",
                ])
            expectProblemReply(bad, .unprocessableContent, code: "validation_failed", "bad fields")
            #expect(Set(bad.problemFields).isSuperset(of: [
                "title", "idea", "number_of_scenes", "clip_duration", "aspect_ratio", "backend", "director",
            ]), "\(bad.problemFields)")

            // A song the caller cannot read (someone else's) is refused like one that does not exist.
            let foreignSong = try await client.createProject(token: user.accessToken, audioID: othersSong)
            expectProblemReply(foreignSong, .notFound, code: "not_found", "foreign song")
            #expect(foreignSong.problemFields == ["audio_id"])
            let missingSong = try await client.createProject(token: user.accessToken, audioID: UUID())
            expectProblemReply(missingSong, .notFound, code: "not_found", "unknown song")
            #expect(missingSong.problemFields == ["audio_id"])
            // An upload that is not audio is no song.
            let image = try await context.insertAsset(owner: user.userID, team: user.teamID, kind: .upload)
            let notAudio = try await client.createProject(token: user.accessToken, audioID: image)
            #expect(notAudio.problemFields == ["audio_id"])

            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE kind = 'project'") == 0)
            #expect(try await context.countRows("SELECT count(*) FROM projects") == 0)
        }
    }

    @Test func renderAndRerollRefuseWhatTheyCannotDoAndTakeNothing() async throws {
        try await withTestApp({ $0.runWorkers = false }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            let poor = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            let created = try await client.createProject(token: user.accessToken)
            let id = try #require(created.json["id"] as? String)

            // Never rendered: no scene to re-roll.
            let early = try await client.request(.post, "/api/mv/projects/\(id)/scenes/0/regenerate", token: user.accessToken)
            expectProblemReply(early, .conflict, code: "project_not_rendered", "reroll before render")
            let unknown = try await client.request(.post, "/api/mv/projects/\(UUID().uuidString)/render", token: user.accessToken)
            expectProblemReply(unknown, .notFound, code: "not_found", "unknown project")
            let foreign = try await client.renderProject(id, token: poor.accessToken)
            expectProblemReply(foreign, .notFound, code: "not_found", "foreign render")

            // Not enough credits: 402, nothing held, no job.
            let poorProject = try #require(try await client.createProject(token: poor.accessToken).json["id"] as? String)
            let broke = try await client.renderProject(poorProject, token: poor.accessToken)
            expectProblemReply(broke, HTTPResponse.Status(code: 402), code: "insufficient_credits", "no credits")
            #expect(try await context.jobAndHoldCounts(userID: poor.userID, teamID: poor.teamID) == (0, 0))

            // The first render is admitted with the quoted maximum held; a second one while it is queued is 409.
            let key = UUID().uuidString
            let first = try await client.renderProject(id, token: user.accessToken, key: key)
            #expect(first.status == .accepted, "\(first.text)")
            #expect(first.json["kind"] as? String == "render_project")
            let jobID = try #require(first.json["id"] as? String)
            // 3 scenes × 2 s × 1 credit, the scenes' hold (2) and one image (1).
            #expect((first.json["cost"] as? [String: Any])?["held"] as? Int == 9)
            let replay = try await client.renderProject(id, token: user.accessToken, key: key)
            #expect(replay.status == .accepted)
            #expect(replay.header("Idempotent-Replayed") == "true")
            #expect(replay.json["id"] as? String == jobID)
            let second = try await client.renderProject(id, token: user.accessToken)
            expectProblemReply(second, .conflict, code: "project_busy", "second render")
            let patch = try await client.request(.patch, "/api/mv/projects/\(id)", token: user.accessToken, json: ["title": "x"])
            expectProblemReply(patch, .conflict, code: "project_busy", "patch while rendering")
            #expect(try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID) == (1, 1))
            #expect(try await client.balance(token: user.accessToken) == (91, 9, 100))
            let project = try await client.request(.get, "/api/mv/projects/\(id)", token: user.accessToken)
            #expect(project.json["status"] as? String == "rendering")
            #expect(project.json["render_job_id"] as? String == jobID)

            // Cancelling releases the hold; the project is then failed (not rendered), and a scene index is still 409.
            #expect(try await client.request(.post, "/api/jobs/\(jobID)/cancel", token: user.accessToken).status == .ok)
            #expect(try await client.balance(token: user.accessToken) == (100, 0, 100))
            let after = try await client.request(.get, "/api/mv/projects/\(id)", token: user.accessToken)
            #expect(after.json["status"] as? String == "failed")
            let index = try await client.request(.post, "/api/mv/projects/\(id)/scenes/abc/regenerate", token: user.accessToken)
            expectProblemReply(index, .notFound, code: "not_found", "bad index")
        }
    }
}

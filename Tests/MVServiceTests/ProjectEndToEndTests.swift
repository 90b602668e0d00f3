import Foundation
import HTTPTypes
import MVBackends
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Done when: a 3-scene project with a song uploaded through `POST /api/mv/uploads` renders on the mock provider as one job, and ffprobe shows a
/// final cut whose video and audio are as long as the song (`fit_to_audio: loop`).
struct ProjectEndToEndTests {
    @Test
    func threeScenesAndASongRenderToAMusicVideoAsLongAsTheSong() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            // The song goes in the way a user's does: POST /api/mv/uploads, typed by its content.
            let uploaded = try await client.upload(try await UploadFixtures.make(.mp3, seconds: 7), token: user.accessToken, contentType: "audio/mpeg")
            #expect(uploaded.status == .created, "\(uploaded.text)")
            #expect(uploaded.json["kind"] as? String == "audio")
            let songID = try #require(uploaded.json["id"] as? String)
            let song = try #require(UUID(uuidString: songID))
            let created = try await client.createProject(token: user.accessToken, audioID: song)
            let project = try #require(created.json["id"] as? String)
            let render = try await client.renderProject(project, token: user.accessToken)
            #expect(render.status == .accepted, "\(render.text)")
            let jobID = try #require(render.json["id"] as? String)
            let job = try await client.waitForJob(jobID, token: user.accessToken, timeout: .seconds(120))
            #expect(job["status"] as? String == "succeeded", "\(job)")

            let read = try await client.request(.get, "/api/mv/projects/\(project)", token: user.accessToken)
            #expect(read.json["status"] as? String == "rendered")
            #expect((read.json["stages"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "succeeded" } == true)
            #expect((read.json["clips"] as? [[String: Any]])?.count == 3)
            let finalID = try #require(read.json["final_video_id"] as? String)
            let cost = try #require(read.json["cost"] as? [String: Any])
            #expect(cost["quoted"] as? Int == 9)
            #expect((cost["charged"] as? Int ?? 0) + (cost["released"] as? Int ?? 0) == 9)
            #expect(cost["held"] as? Int == 0)

            let content = try await client.request(.get, "/api/mv/videos/\(finalID)/content", token: user.accessToken)
            #expect(content.status == .ok)
            #expect(content.header("Content-Type") == "video/mp4")
            let path = try await context.blobPath(of: try #require(UUID(uuidString: finalID)))
            let video = try #require(try probeDuration(path, stream: "v"))
            let audio = try #require(try probeDuration(path, stream: "a"))
            #expect(abs(video - 7) < 0.35, "video \(video) s, song 7 s")
            #expect(abs(audio - 7) < 0.35, "audio \(audio) s, song 7 s")

            // A rendered project is not rendered again; its scenes are re-rolled instead.
            let again = try await client.renderProject(project, token: user.accessToken)
            expectProblemReply(again, .conflict, code: "project_rendered", "second render")
        }
    }
}

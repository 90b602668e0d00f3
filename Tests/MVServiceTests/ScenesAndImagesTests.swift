import Foundation
import Hummingbird
import NIOCore
import PostgresNIO
import Testing
@testable import MVService

/// Scene scripts and character reference images through HTTP with the mock backend: jobs, stored assets, owner-only
/// reads, quotes, validation, and reference images feeding a video job.
struct ScenesAndImagesTests {
    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    static var scenesBody: [String: Any] {
        [
            "idea": "a lighthouse keeper who dances with the storm", "character_description": "an old sailor in a yellow raincoat",
            "number_of_scenes": 3, "backend": "mock",
        ]
    }

    static var imagesBody: [String: Any] {
        ["character_description": "an old sailor in a yellow raincoat", "num_images": 2, "seed": 7, "backend": "mock"]
    }

    @Test func createScenesStoresAScriptOnlyItsOwnerCanRead() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            let bob = try await client.fundedUser(50, admin: admin)

            let quote = try await client.request(
                .post, "/api/mv/quote", token: alice.accessToken, json: Self.scenesBody.merging(["kind": "create_scenes"]) { a, _ in a })
            #expect(quote.status == .ok, "\(quote.text)")
            #expect(quote.json["credits"] as? Int == 2, "mock-scenes hold is 2: \(quote.text)")
            let lines = quote.json["breakdown"] as? [[String: Any]] ?? []
            #expect(lines.map { $0["model"] as? String } == ["mock-scenes"])

            let submit = try await client.submit("/api/mv/create_scenes", Self.scenesBody, token: alice.accessToken)
            #expect(submit.status == .accepted, "\(submit.text)")
            #expect(submit.json["kind"] as? String == "create_scenes")
            #expect(submit.json.nested("cost")["held"] as? Int == 2)
            let jobID = try #require(submit.json["id"] as? String)
            let job = try await client.waitForJob(jobID, token: alice.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job.nested("provider")["name"] as? String == "mock")
            #expect(job.nested("provider")["model"] as? String == "mock-scenes")

            let result = job.nested("result")
            let sceneSetID = try #require(result["scene_set_id"] as? String)
            let scenes = try #require(result["scenes"] as? [[String: Any]])
            #expect(scenes.count == 3)
            #expect(scenes.map { $0["index"] as? Int } == [0, 1, 2])
            for scene in scenes {
                #expect((scene["description"] as? String)?.isEmpty == false, "\(scene)")
                #expect((scene["negative_description"] as? String)?.isEmpty == false, "\(scene)")
            }

            // Charged per started 1k tokens of the model that served it (mock-scenes: 1 credit), the rest released.
            let usage = result.nested("usage")
            let tokens = (usage["input_tokens"] as? Int ?? 0) + (usage["output_tokens"] as? Int ?? 0)
            let expected = (tokens + 999) / 1000
            let cost = job.nested("cost")
            #expect(tokens > 0)
            #expect(cost["charged"] as? Int == expected, "\(cost) for \(tokens) tokens")
            #expect(cost["released"] as? Int == 2 - expected)
            let balance = try await client.balance(token: alice.accessToken)
            #expect(balance.available == 50 - expected && balance.held == 0)

            let stored = try await client.request(.get, "/api/mv/scene_sets/\(sceneSetID)", token: alice.accessToken)
            #expect(stored.status == .ok, "\(stored.text)")
            #expect(stored.json["scene_set_id"] as? String == sceneSetID)
            let storedScenes = stored.json["scenes"] as? [[String: Any]] ?? []
            #expect(storedScenes.map { $0["description"] as? String } == scenes.map { $0["description"] as? String })
            #expect(storedScenes.map { $0["negative_description"] as? String } == scenes.map { $0["negative_description"] as? String })
            #expect(stored.json["idea"] as? String == Self.scenesBody["idea"] as? String)

            let other = try await client.request(.get, "/api/mv/scene_sets/\(sceneSetID)", token: bob.accessToken)
            expectProblemReply(other, .notFound, code: "not_found", "bob reads alice's scene set")
            let unknown = try await client.request(.get, "/api/mv/scene_sets/\(UUID().uuidString)", token: alice.accessToken)
            expectProblemReply(unknown, .notFound, code: "not_found", "unknown scene set")
        }
    }

    @Test func blankIdeaIs422AndChangesNothing() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            var body = Self.scenesBody
            body["idea"] = "   \n "

            let reply = try await client.submit("/api/mv/create_scenes", body, token: alice.accessToken)
            expectProblemReply(reply, .unprocessableContent, code: "validation_failed", "blank idea")
            #expect(reply.problemFields == ["idea"], "\(reply.text)")

            let quote = try await client.request(
                .post, "/api/mv/quote", token: alice.accessToken, json: body.merging(["kind": "create_scenes"]) { a, _ in a })
            expectProblemReply(quote, .unprocessableContent, code: "validation_failed", "quote with blank idea")

            var images = Self.imagesBody
            images["character_description"] = ""
            let noCharacter = try await client.submit("/api/mv/generate_character_reference", images, token: alice.accessToken)
            expectProblemReply(noCharacter, .unprocessableContent, code: "validation_failed", "blank character description")
            #expect(noCharacter.problemFields == ["character_description"], "\(noCharacter.text)")

            let counts = try await context.jobAndHoldCounts(userID: alice.userID, teamID: alice.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0)
            let balance = try await client.balance(token: alice.accessToken)
            #expect(balance.available == 50 && balance.held == 0)
        }
    }

    @Test func characterReferenceImagesAreStoredAndFeedAVideo() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(50, admin: admin)
            let bob = try await client.fundedUser(50, admin: admin)

            let quote = try await client.request(
                .post, "/api/mv/quote", token: alice.accessToken,
                json: Self.imagesBody.merging(["kind": "generate_character_reference"]) { a, _ in a })
            #expect(quote.status == .ok, "\(quote.text)")
            #expect(quote.json["credits"] as? Int == 2, "2 mock images at 1 credit: \(quote.text)")

            let job = try await client.runJob("/api/mv/generate_character_reference", Self.imagesBody, token: alice.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job["kind"] as? String == "generate_character_reference")
            #expect(job.nested("cost")["charged"] as? Int == 2)
            let result = job.nested("result")
            let imageIDs = try #require(result["image_ids"] as? [String])
            #expect(imageIDs.count == 2)
            let reports = result["images"] as? [[String: Any]] ?? []
            #expect(reports.map { $0["seed"] as? Int } == [7, 8], "\(reports)")
            #expect(reports.compactMap { $0["image_id"] as? String } == imageIDs)
            #expect(result["num_images_generated"] as? Int == 2)

            for id in imageIDs {
                let meta = try await client.request(.get, "/api/mv/images/\(id)", token: alice.accessToken)
                #expect(meta.status == .ok, "\(meta.text)")
                #expect(meta.json["content_type"] as? String == "image/png")
                #expect(meta.json["job_id"] as? String == job["id"] as? String)
                let content = try await client.request(.get, "/api/mv/images/\(id)/content", token: alice.accessToken)
                #expect(content.status == .ok)
                #expect(content.header("Content-Type") == "image/png")
                #expect(Array(content.body.readableBytesView.prefix(8)) == Self.pngSignature)
                #expect(meta.json["size_bytes"] as? Int == content.body.readableBytes)

                let hidden = try await client.request(.get, "/api/mv/images/\(id)/content", token: bob.accessToken)
                expectProblemReply(hidden, .notFound, code: "not_found", "bob reads alice's image")
            }
            let jobUUID = try #require(UUID(uuidString: job["id"] as? String ?? ""))
            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE job_id = \(jobUUID) AND kind = 'image'") == 2)

            // Alice's own images as references: the video job succeeds and records them.
            let video: [String: Any] = ["prompt": "the sailor dances", "duration": 2, "backend": "mock", "reference_image_ids": imageIDs]
            let clip = try await client.runJob("/api/mv/generate_video", video, token: alice.accessToken)
            #expect(clip["status"] as? String == "succeeded", "\(clip)")
            let videoID = try #require(clip.nested("result")["video_id"] as? String)
            let videoMeta = try await client.request(.get, "/api/mv/videos/\(videoID)", token: alice.accessToken)
            let references = videoMeta.json.nested("metadata")["reference_image_ids"] as? [String] ?? []
            #expect(references.map { $0.lowercased() } == imageIDs.map { $0.lowercased() }, "\(videoMeta.text)")

            // Bob naming alice's image: 404, no job, no hold, balance untouched.
            let stolen = try await client.submit("/api/mv/generate_video", video, token: bob.accessToken)
            expectProblemReply(stolen, .notFound, code: "not_found", "bob uses alice's image")
            let counts = try await context.jobAndHoldCounts(userID: bob.userID, teamID: bob.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0)
            let balance = try await client.balance(token: bob.accessToken)
            #expect(balance.available == 50 && balance.held == 0)
        }
    }
}

import Foundation
import Hummingbird
import NIOCore
import Testing
@testable import MVService

/// Bad generation input answers a clear 4xx problem naming the snake_case field, and changes nothing: no job, no
/// hold, the balance as it was.
struct InputValidationTests {
    static var valid: [String: Any] { ["prompt": "a glass whale", "duration": 2, "backend": "mock", "aspect_ratio": "16:9"] }

    static func with(_ changes: [String: Any]) -> [String: Any] {
        valid.merging(changes) { _, new in new }
    }

    @Test func badGenerateVideoInputIsRefusedAndChangesNothing() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)

            let fieldCases: [(String, [String: Any], String)] = [
                ("blank prompt", Self.with(["prompt": "   "]), "prompt"),
                ("missing prompt", Self.valid.filter { $0.key != "prompt" }, "prompt"),
                ("negative duration", Self.with(["duration": -2]), "duration"),
                ("duration as string", Self.with(["duration": "5"]), "duration"),
                ("unknown backend", Self.with(["backend": "dall-e"]), "backend"),
                ("aspect ratio 4:3", Self.with(["aspect_ratio": "4:3"]), "aspect_ratio"),
                ("negative seed", Self.with(["seed": -1]), "seed"),
                ("reference ids not uuids", Self.with(["reference_image_ids": ["nope"]]), "reference_image_ids"),
            ]
            for (index, (what, body, field)) in fieldCases.enumerated() {
                let reply = try await client.submitVideo(body, token: user.accessToken, key: "bad-\(index)")
                expectProblemReply(reply, .unprocessableContent, code: "validation_failed", what)
                // An array element is named under its field (exact element syntax aside).
                let fields = reply.problemFields.map { $0.hasPrefix(field + ".[") || $0.hasPrefix(field + "[") ? field : $0 }
                #expect(fields == [field], "\(what): errors \(reply.text)")
                #expect(reply.json["request_id"] is String, "\(what)")
                let quote = try await client.request(
                    .post, "/api/mv/quote", token: user.accessToken, json: body.merging(["kind": "generate_video"]) { a, _ in a })
                expectProblemReply(quote, .unprocessableContent, code: "validation_failed", "quote: \(what)")
            }

            var huge = Self.valid
            huge["prompt"] = String(repeating: "a", count: 2 * 1024 * 1024)
            let tooLarge = try await client.submitVideo(huge, token: user.accessToken, key: "huge")
            expectProblemReply(tooLarge, .contentTooLarge, code: "body_too_large", "2 MB body")

            let plain = try await client.request(
                .post, "/api/mv/generate_video", token: user.accessToken,
                headers: ["Content-Type": "text/plain", "Idempotency-Key": "plain"],
                rawBody: ByteBuffer(string: #"{"prompt":"a glass whale","backend":"mock","duration":2}"#))
            expectProblemReply(plain, .unsupportedMediaType, code: "unsupported_media_type", "text/plain")

            for (index, raw) in [#"{"prompt": "a glass whale", "duration": "#, "not json at all", #"["prompt"]"#, ""].enumerated() {
                let malformed = try await client.request(
                    .post, "/api/mv/generate_video", token: user.accessToken,
                    headers: ["Content-Type": "application/json", "Idempotency-Key": "malformed-\(index)"], rawBody: ByteBuffer(string: raw))
                expectProblemReply(malformed, .badRequest, code: "malformed_json", "malformed body \(raw.debugDescription)")
            }

            let counts = try await context.jobAndHoldCounts(userID: user.userID, teamID: user.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0, "\(counts)")
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == 10 && balance.held == 0 && balance.posted == 10, "\(balance)")

            // Nothing was poisoned: the valid body with a fresh key is still admitted.
            let ok = try await client.submitVideo(Self.valid, token: user.accessToken, key: "good")
            #expect(ok.status == .accepted, "\(ok.text)")
            let jobID = try #require(ok.json["id"] as? String)
            let job = try await client.waitForJob(jobID, token: user.accessToken)
            #expect(job["status"] as? String == "succeeded")
        }
    }

    @Test func referenceImageOfAnotherUserIs404AndHoldsNothing() async throws {
        try await withTestApp { client, context in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.register()
            let bob = try await client.register()
            try await client.grant(10, to: alice.teamID, admin: admin)
            try await client.grant(10, to: bob.teamID, admin: admin)

            let images = try await client.request(
                .post, "/api/mv/generate_character_reference", token: bob.accessToken,
                json: ["character_description": "a fox in a red scarf", "num_images": 1, "backend": "mock"],
                headers: ["Idempotency-Key": "bob-images"])
            #expect(images.status == .accepted, "\(images.text)")
            let imagesJobID = try #require(images.json["id"] as? String)
            let imagesJob = try await client.waitForJob(imagesJobID, token: bob.accessToken)
            #expect(imagesJob["status"] as? String == "succeeded", "\(imagesJob)")
            let bobImage = try #require(((imagesJob["result"] as? [String: Any])?["image_ids"] as? [String])?.first)

            // Bob can use his own image (proves the id is a real, usable reference).
            let bobsOwn = try await client.request(.get, "/api/mv/images/\(bobImage)", token: bob.accessToken)
            #expect(bobsOwn.status == .ok)

            for (index, reference) in [bobImage, UUID().uuidString].enumerated() {
                let reply = try await client.submitVideo(
                    Self.with(["reference_image_ids": [reference]]), token: alice.accessToken, key: "foreign-\(index)")
                expectProblemReply(reply, .notFound, code: "not_found", "reference \(index)")
            }
            let counts = try await context.jobAndHoldCounts(userID: alice.userID, teamID: alice.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0, "\(counts)")
            let balance = try await client.balance(token: alice.accessToken)
            #expect(balance.available == 10 && balance.held == 0 && balance.posted == 10, "\(balance)")
        }
    }
}

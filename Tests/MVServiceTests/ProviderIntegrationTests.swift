import AsyncHTTPClient
import Foundation
import Hummingbird
import MVBackends
import MVCore
import MVFakeProviders
import NIOCore
import PostgresNIO
import Testing
@testable import MVService

/// The provider layer through the HTTP API, against the fake Replicate and Gemini servers: every kind on every
/// provider, failover, total outage, circuit breaker, 429 backoff, rescue without a second prediction, and
/// reference-image access.
struct ProviderIntegrationTests {
    static let grant = 1000

    /// A 4-second 9:16 clip: 160 credits on Veo 3.1 (40/s) on either provider.
    static func clip(_ backend: String) -> [String: Any] {
        ["prompt": "a neon koi swimming through rain", "duration": 4, "aspect_ratio": "9:16", "backend": backend]
    }

    static let videoCases: [(String, String)] = [("replicate", "google/veo-3.1"), ("gemini", "veo-3.1-generate-001")]

    @Test(arguments: videoCases)
    func videoSucceedsOnEachProvider(_ backend: String, _ model: String) async throws {
        try await withFakeProvidersApp { client, context, fakes in
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)

            let quote = try await client.request(
                .post, "/api/mv/quote", token: user.accessToken, json: Self.clip(backend).merging(["kind": "generate_video"]) { a, _ in a })
            #expect(quote.status == .ok, "\(quote.text)")
            #expect(quote.json["credits"] as? Int == 160, "\(quote.text)")

            let job = try await client.runJob("/api/mv/generate_video", Self.clip(backend), token: user.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job.nested("provider")["name"] as? String == backend)
            #expect(job.nested("provider")["model"] as? String == model)
            #expect(job.nested("cost")["charged"] as? Int == 160)
            #expect(job.nested("cost")["released"] as? Int == 0)
            let provenance = job.nested("result").nested("provenance")
            #expect(provenance["provider"] as? String == backend && provenance["model"] as? String == model)
            #expect((provenance["failovers"] as? [Any])?.isEmpty == true)

            let videoID = try #require(job.nested("result")["video_id"] as? String)
            let content = try await client.request(.get, "/api/mv/videos/\(videoID)/content", token: user.accessToken)
            #expect(content.status == .ok && content.header("Content-Type") == "video/mp4")
            #expect(content.body.readableBytes > 1000)
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == Self.grant - 160 && balance.held == 0)

            if backend == "replicate" {
                #expect(fakes.replicate.counters.predictionsCreated == 1)
                let input = try Self.jsonObject(fakes.replicate.counters.lastCreateInput)
                #expect(input["aspect_ratio"] as? String == "9:16" && input["duration"] as? Int == 4, "\(input)")
                #expect(fakes.gemini.counters.operationsCreated == 0)
            } else {
                #expect(fakes.gemini.counters.operationsCreated == 1)
                #expect(fakes.gemini.counters.keyLeakedOnRedirect == 0)
                #expect(fakes.replicate.counters.createRequests == 0)
            }
        }
    }

    @Test func scenesSucceedOnGemini() async throws {
        try await withFakeProvidersApp { client, context, fakes in
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)
            let body: [String: Any] = [
                "idea": "a city that wakes up at night", "character_description": "a courier on roller skates", "number_of_scenes": 3,
                "backend": "gemini",
            ]
            let job = try await client.runJob("/api/mv/create_scenes", body, token: user.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job.nested("provider")["name"] as? String == "gemini")
            #expect(job.nested("provider")["model"] as? String == "gemini-2.5-pro")
            let scenes = job.nested("result")["scenes"] as? [[String: Any]] ?? []
            #expect(scenes.count == 3)
            #expect(scenes.allSatisfy { ($0["description"] as? String)?.hasPrefix("Fake scene") == true }, "\(scenes)")
            // Hold: the dearest candidate's hold (gemini-2.5-pro, 40). Charge: 240 tokens = 1 started 1k at 4 credits.
            let cost = job.nested("cost")
            #expect(cost["quoted"] as? Int == 40)
            #expect(cost["charged"] as? Int == 4, "\(cost)")
            #expect(cost["released"] as? Int == 36)
            #expect(fakes.gemini.counters.generateContentCalls == 1)
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == Self.grant - 4 && balance.held == 0)
        }
    }

    @Test func characterReferenceSucceedsOnReplicate() async throws {
        try await withFakeProvidersApp { client, context, fakes in
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)
            let body: [String: Any] = ["character_description": "a courier on roller skates", "num_images": 2, "backend": "replicate"]
            let job = try await client.runJob("/api/mv/generate_character_reference", body, token: user.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job.nested("provider")["name"] as? String == "replicate")
            #expect(job.nested("provider")["model"] as? String == "google/imagen-4")
            #expect(job.nested("cost")["charged"] as? Int == 8, "2 images at 4 credits")
            let ids = job.nested("result")["image_ids"] as? [String] ?? []
            #expect(ids.count == 2)
            for id in ids {
                let content = try await client.request(.get, "/api/mv/images/\(id)/content", token: user.accessToken)
                #expect(content.status == .ok && content.header("Content-Type") == "image/png")
                #expect(Array(content.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
            }
            #expect(fakes.replicate.counters.predictionsCreated == 2)
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == Self.grant - 8 && balance.held == 0)
        }
    }

    @Test func replicateDownFailsOverToGemini() async throws {
        try await withFakeProvidersApp { client, context, fakes in
            fakes.replicate.updateFaults { $0.createStatus = 500 }
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)

            let job = try await client.runJob("/api/mv/generate_video", Self.clip("auto"), token: user.accessToken)
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job.nested("provider")["name"] as? String == "gemini")
            #expect(job.nested("provider")["model"] as? String == "veo-3.1-generate-001")
            #expect(job.nested("cost")["charged"] as? Int == 160)

            let videoID = try #require(job.nested("result")["video_id"] as? String)
            let video = try await client.request(.get, "/api/mv/videos/\(videoID)", token: user.accessToken)
            #expect(video.status == .ok)
            let provenance = video.json.nested("metadata").nested("provenance")
            #expect(provenance["provider"] as? String == "gemini")
            let failovers = provenance["failovers"] as? [[String: Any]] ?? []
            #expect(failovers.first?["provider"] as? String == "replicate", "\(provenance)")
            #expect(failovers.first?["model"] as? String == "google/veo-3.1")
            #expect(failovers.allSatisfy { $0["provider"] as? String == "replicate" })

            #expect(fakes.replicate.counters.createRequests >= 1)
            #expect(fakes.replicate.counters.predictionsCreated == 0)
            let veo = try Self.jsonObject(fakes.gemini.counters.lastVeoRequest)
            let parameters = veo["parameters"] as? [String: Any] ?? [:]
            #expect(parameters["aspectRatio"] as? String == "9:16", "\(veo)")
            #expect(parameters["durationSeconds"] as? Int == 4)
        }
    }

    @Test func bothProvidersDownFailsTheJobAndReleasesTheHold() async throws {
        try await withFakeProvidersApp { client, context, fakes in
            fakes.replicate.updateFaults { $0.createStatus = 500 }
            fakes.gemini.updateFaults { $0.status = 500 }
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)

            let submit = try await client.submit("/api/mv/generate_video", Self.clip("auto"), token: user.accessToken)
            #expect(submit.status == .accepted)
            #expect(submit.json.nested("cost")["held"] as? Int == 160)
            let job = try await client.waitForJob(try #require(submit.json["id"] as? String), token: user.accessToken)
            #expect(job["status"] as? String == "failed", "\(job)")

            // One problem document, naming the outcome.
            let error = try #require(job["error"] as? [String: Any], "error must be one object: \(job["error"] ?? "nil")")
            let code = error["code"] as? String ?? ""
            #expect(["all_providers_failed", "provider_unavailable"].contains(code), "\(error)")
            #expect(error["status"] as? Int != nil && error["title"] as? String != nil, "\(error)")

            let cost = job.nested("cost")
            #expect(cost["charged"] as? Int == 0)
            #expect(cost["released"] as? Int == 160)
            #expect(cost["held"] as? Int == 0)
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == Self.grant && balance.held == 0 && balance.posted == Self.grant)
            #expect(fakes.replicate.counters.predictionsCreated == 0)
            let owner = try #require(UUID(uuidString: user.userID))
            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE owner_id = \(owner)") == 0)
        }
    }

    @Test func ambiguousCreateFailureIsNotRetriedByTheJobQueue() async throws {
        // A 5xx on create may have started a paid prediction: neither the router nor the job queue sends it again.
        try await withFakeProvidersApp { client, context, fakes in
            fakes.replicate.updateFaults { $0.createStatus = 500 }
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)
            let submit = try await client.submit("/api/mv/generate_video", Self.clip("replicate"), token: user.accessToken)
            #expect(submit.status == .accepted)
            let job = try await client.waitForJob(try #require(submit.json["id"] as? String), token: user.accessToken)
            #expect(job["status"] as? String == "failed", "\(job)")
            #expect(job["attempts"] as? Int == 1, "the job queue retried an ambiguous create: \(job)")
            // One create per Replicate video model in configs/models.yaml (veo-3.1, then veo-3.1-fast), none repeated;
            // a job-level retry would make it 6.
            #expect(fakes.replicate.counters.createRequests == 2)
            #expect(job.nested("cost")["released"] as? Int == 160)
        }
    }

    @Test func breakerOpensAfterTheThresholdOfFailures() async throws {
        try await withFakeProvidersApp(configure: { config in
            config.backends.breakerFailureThreshold = 3
            config.backends.breakerOpenDuration = .seconds(300)
            // One attempt per job, so each job's provider calls are known exactly.
            config.jobs.maxAttempts = 1
        }) { client, context, fakes in
            fakes.replicate.updateFaults { $0.createStatus = 500 }
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)

            // Job 1: google/veo-3.1 and google/veo-3.1-fast both fail on create: 2 failures, breaker still closed.
            let first = try await client.runJob("/api/mv/generate_video", Self.clip("replicate"), token: user.accessToken)
            #expect(first["status"] as? String == "failed", "\(first)")
            #expect(fakes.replicate.counters.createRequests == 2)
            let before = try await Self.replicateStatus(client, admin: admin)
            #expect(before["breaker_state"] as? String == "closed", "\(before)")
            #expect(before["recent_calls"] as? Int == 2)
            #expect(before["recent_error_rate"] as? Double == 1.0)
            #expect((before["last_error"] as? String)?.contains("provider_unavailable") == true, "\(before)")

            // Job 2: the third failure opens the breaker; the fast model is not even tried.
            let second = try await client.runJob("/api/mv/generate_video", Self.clip("replicate"), token: user.accessToken)
            #expect(second["status"] as? String == "failed", "\(second)")
            #expect(fakes.replicate.counters.createRequests == 3)
            let after = try await Self.replicateStatus(client, admin: admin)
            #expect(after["breaker_state"] as? String == "open", "\(after)")
            #expect(after["recent_calls"] as? Int == 3)

            // Job 3: the open breaker rejects both models without calling Replicate.
            let third = try await client.runJob("/api/mv/generate_video", Self.clip("replicate"), token: user.accessToken)
            #expect(third["status"] as? String == "failed", "\(third)")
            #expect(fakes.replicate.counters.createRequests == 3)
            #expect((third.nested("error")["detail"] as? String)?.contains("circuit breaker open") == true, "\(third)")
            let gemini = try await Self.status(of: "gemini", client, admin: admin)
            #expect(gemini["breaker_state"] as? String == "closed")

            let forbidden = try await client.request(.get, "/api/admin/providers", token: user.accessToken)
            #expect(forbidden.status == .forbidden || forbidden.status == .notFound, "\(forbidden.status)")
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == Self.grant && balance.held == 0)
        }
    }

    @Test func rateLimitedCreateIsRetriedAfterRetryAfter() async throws {
        try await withFakeProvidersApp { client, context, fakes in
            fakes.replicate.updateFaults {
                $0.rateLimitCreates = 1
                $0.retryAfterSeconds = 1
            }
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)

            let started = ContinuousClock.now
            let job = try await client.runJob("/api/mv/generate_video", Self.clip("replicate"), token: user.accessToken)
            let elapsed = ContinuousClock.now - started
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job["attempts"] as? Int == 1, "the job itself never failed")
            #expect(job.nested("provider")["model"] as? String == "google/veo-3.1")
            let provenance = job.nested("result").nested("provenance")
            #expect(provenance["attempts"] as? Int == 2, "\(provenance)")
            #expect((provenance["failovers"] as? [Any])?.isEmpty == true, "\(provenance)")
            #expect(fakes.replicate.counters.createRequests == 2)
            #expect(fakes.replicate.counters.predictionsCreated == 1)
            #expect(elapsed >= .milliseconds(950), "Retry-After 1 must be honoured: \(elapsed)")
            #expect(job.nested("cost")["charged"] as? Int == 160)
        }
    }

    /// A worker dies after the prediction was created and checkpointed; the rescued attempt polls the same
    /// prediction instead of paying for a second one.
    @Test func rescuedJobPollsTheSavedPredictionInsteadOfCreatingASecond() async throws {
        try await withFakeProvidersApp(configure: { $0.runWorkers = false }) { client, context, fakes in
            fakes.replicate.updateFaults { $0.pollsBeforeDone = 1_000_000 }
            let admin = try await context.makeAdmin(client)
            let user = try await client.fundedUser(Self.grant, admin: admin)
            let submit = try await client.submit("/api/mv/generate_video", Self.clip("replicate"), token: user.accessToken)
            #expect(submit.status == .accepted, "\(submit.text)")
            let jobID = try #require(submit.json["id"] as? String)
            let id = try #require(UUID(uuidString: jobID))

            // Workers of our own, on the same database and media store.
            let components = try await ServiceComponents.build(context.config)
            let checkpoint: ProviderCheckpoint = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await components.postgres.run() }
                defer { group.cancelAll() }

                let first = try #require(try await components.queue.claim(worker: "doomed-worker", lease: .seconds(30)))
                #expect(first.id == id && first.checkpoint == nil)
                let running = Task { await components.worker.process(first) }
                try await context.pollUntil("the provider checkpoint") { try await context.providerCheckpoint(jobID: jobID) != nil }
                let saved = try #require(try await context.providerCheckpoint(jobID: jobID))
                let checkpoint = try JSONCoding.decoder.decode(ProviderCheckpoint.self, from: Data(saved.utf8))
                #expect(checkpoint.provider == .replicate && checkpoint.model == "google/veo-3.1")

                // The crash: the process vanishes. A cancelled task would send a best-effort cancel to Replicate, which a
                // dead process never does, so those connections are dropped while the task winds down.
                fakes.replicate.updateFaults { $0.resetConnection = true }
                running.cancel()
                await running.value
                fakes.replicate.updateFaults {
                    $0.resetConnection = false
                    $0.pollsBeforeDone = 0
                }
                #expect(try await context.scalar("SELECT state FROM jobs WHERE id = \(id)", as: String.self) == "running")

                // The lease runs out; the sweep requeues; another worker claims it with the checkpoint and finishes.
                try await context.runSQL("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = \(id)")
                let rescued = try await components.queue.rescueExpiredLeases()
                #expect(rescued.requeued == [id] && rescued.failed.isEmpty)
                let second = try #require(try await components.queue.claim(worker: "rescuer", lease: .seconds(30)))
                #expect(second.id == id && second.attempts == 2)
                #expect(second.checkpoint != nil)
                await components.worker.process(second)
                return checkpoint
            }
            try await components.httpClient.shutdown()

            let job = try await client.waitForJob(jobID, token: user.accessToken, timeout: .seconds(10))
            #expect(job["status"] as? String == "succeeded", "\(job)")
            #expect(job["attempts"] as? Int == 2)
            #expect(job.nested("result").nested("provenance")["provider_job_id"] as? String == checkpoint.jobID)
            #expect(job.nested("cost")["charged"] as? Int == 160)
            #expect(fakes.replicate.counters.predictionsCreated == 1, "a rescued job must not create a second prediction")
            #expect(fakes.replicate.counters.createRequests == 1)
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == Self.grant - 160 && balance.held == 0)
        }
    }

    @Test func unreadableReferenceImageIs404AndNothingIsCharged() async throws {
        try await withFakeProvidersApp { client, context, fakes in
            let admin = try await context.makeAdmin(client)
            let alice = try await client.fundedUser(Self.grant, admin: admin)
            let bob = try await client.fundedUser(Self.grant, admin: admin)
            let images = try await client.runJob(
                "/api/mv/generate_character_reference", ["character_description": "a fox in a suit", "num_images": 1, "backend": "mock"],
                token: bob.accessToken)
            let bobsImage = try #require((images.nested("result")["image_ids"] as? [String])?.first)

            for reference in [bobsImage, UUID().uuidString] {
                let body: [String: Any] = [
                    "prompt": "the fox walks in", "duration": 8, "aspect_ratio": "16:9", "backend": "replicate",
                    "reference_image_ids": [reference],
                ]
                let reply = try await client.submit("/api/mv/generate_video", body, token: alice.accessToken)
                expectProblemReply(reply, .notFound, code: "not_found", "reference \(reference)")
            }
            let counts = try await context.jobAndHoldCounts(userID: alice.userID, teamID: alice.teamID)
            #expect(counts.jobs == 0 && counts.holds == 0)
            let balance = try await client.balance(token: alice.accessToken)
            #expect(balance.available == Self.grant && balance.held == 0)
            #expect(fakes.replicate.counters.createRequests == 0 && fakes.replicate.counters.filesUploaded == 0)
        }
    }

    // MARK: Helpers

    static func jsonObject(_ text: String?) throws -> [String: Any] {
        let text = try #require(text, "the fake recorded no request")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static func replicateStatus(_ client: TestClient, admin: TestClient.Account) async throws -> [String: Any] {
        try await status(of: "replicate", client, admin: admin)
    }

    /// One provider's entry of `GET /api/admin/providers`, read as a platform admin.
    static func status(of name: String, _ client: TestClient, admin: TestClient.Account) async throws -> [String: Any] {
        let reply = try await client.request(.get, "/api/admin/providers", token: admin.accessToken)
        #expect(reply.status == .ok, "\(reply.text)")
        let providers = reply.json["providers"] as? [[String: Any]] ?? []
        return try #require(providers.first { $0["name"] as? String == name }, "\(reply.text)")
    }
}

import Foundation
import HTTPTypes
import MVBackends
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// A project's render as ONE job: stages in order (also on the SSE stream), each piece paid as it finishes from the
/// one hold, a song deleted mid-way failing the render cleanly with the rest of the hold released, a second render
/// resuming without paying again, and re-rolls charged or free with the reason in the ledger.
struct ProjectRenderTests {
    /// No in-app workers: the test starts a worker once the state it needs is set up.
    static func manualWorkers(_ config: inout AppConfig) {
        config.runWorkers = false
        config.jobs.pollInterval = .milliseconds(100)
        config.projects.slotPollInterval = .milliseconds(50)
    }

    /// Runs every job to the end with one full worker, then stops it; returns the finished jobs as the API reads them.
    static func runJobs(_ context: TestContext, _ client: TestClient, jobs: [String], token: String) async throws -> [[String: Any]] {
        try await context.withPostgres { postgres in
            let workers = TestWorkers(config: context.config, postgres: postgres)
            let worker = RunningWorker(try workers.fullWorker(name: "project-worker"), name: "project-worker")
            do {
                for job in jobs { _ = try await client.waitForJob(job, token: token, timeout: .seconds(90)) }
            } catch {
                await worker.kill()
                try await workers.shutdown()
                throw error
            }
            await worker.kill()
            try await workers.shutdown()
        }
        var finished: [[String: Any]] = []
        for job in jobs { finished.append(try await client.request(.get, "/api/jobs/\(job)", token: token).json) }
        return finished
    }

    @Test func songDeletedMidwayFailsAtTheMergeWithTheRestReleasedAndARerunPaysNothingAgain() async throws {
        try await withTestApp(Self.manualWorkers) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            let song = try await context.insertSong(owner: user.userID, team: user.teamID, seconds: 3)
            let project = try #require(try await client.createProject(token: user.accessToken, audioID: song).json["id"] as? String)
            let render = try await client.renderProject(project, token: user.accessToken)
            #expect(render.status == .accepted, "\(render.text)")
            let jobID = try #require(render.json["id"] as? String)
            let job = try #require(UUID(uuidString: jobID))

            // The song goes away after admission, before the worker reaches the merge.
            try await context.execute("UPDATE assets SET deleted_at = now() WHERE id = \(song)")
            let finished = try #require(try await Self.runJobs(context, client, jobs: [jobID], token: user.accessToken).first)
            #expect(finished["status"] as? String == "failed", "\(finished)")
            #expect((finished["error"] as? [String: Any])?["code"] as? String == "invalid_input")
            #expect(finished["attempts"] as? Int == 1, "an input that is gone is not retried")

            // Every piece before the merge was made and paid once; the rest of the one hold went back.
            let parts = try await context.countRows("SELECT count(*) FROM hold_captures WHERE job_id = \(job)")
            #expect(parts >= 4, "scenes (if priced), character and three clips")
            #expect(try await context.countRows("SELECT count(*) FROM hold_captures WHERE job_id = \(job) AND part LIKE 'clip:%'") == 3)
            #expect(try await context.countRows("SELECT sum(amount)::int FROM hold_captures WHERE job_id = \(job) AND part LIKE 'clip:%'") == 6)
            let paid = try await context.countRows("SELECT sum(amount)::int FROM hold_captures WHERE job_id = \(job)")
            let cost = try #require(finished["cost"] as? [String: Any])
            #expect(cost["quoted"] as? Int == 9)
            #expect(cost["charged"] as? Int == paid)
            #expect(cost["released"] as? Int == 9 - paid)
            #expect(cost["held"] as? Int == 0)
            #expect(try await client.balance(token: user.accessToken) == (100 - paid, 0, 100 - paid))

            let read = try await client.request(.get, "/api/mv/projects/\(project)", token: user.accessToken)
            #expect(read.json["status"] as? String == "failed")
            let stages = try #require(read.json["stages"] as? [[String: Any]])
            #expect(stages.map { $0["status"] as? String } == ["succeeded", "succeeded", "succeeded", "failed"])
            #expect(stages[2]["credits"] as? Int == 6)
            #expect(stages.allSatisfy { $0["started_at"] is String })
            let clips = try #require(read.json["clips"] as? [[String: Any]])
            #expect(clips.map { $0["index"] as? Int } == [0, 1, 2])
            #expect(clips.allSatisfy { $0["status"] as? String == "succeeded" && $0["video_id"] is String })
            #expect((read.json["image_ids"] as? [Any])?.count == 1)
            #expect(read.json["scene_set_id"] is String)
            #expect(read.json["final_video_id"] == nil || read.json["final_video_id"] is NSNull)
            #expect((read.json["cost"] as? [String: Any])?["charged"] as? Int == paid)

            // The SSE stream shows every stage, in order.
            let stream = try await client.request(.get, "/api/jobs/\(jobID)/events", token: user.accessToken)
            let stageEvents = JobEventsTests.parse(stream.text).filter { $0.name == "stage" }.map(\.data)
            #expect(stageEvents == [
                #"{"stage":"scenes","status":"running"}"#, #"{"stage":"scenes","status":"succeeded"}"#,
                #"{"stage":"character","status":"running"}"#, #"{"stage":"character","status":"succeeded"}"#,
                #"{"stage":"clips","status":"running"}"#, #"{"stage":"clips","status":"succeeded"}"#,
                #"{"stage":"merge","status":"running"}"#, #"{"stage":"merge","status":"failed"}"#,
            ])

            // Without the song, a new render is refused before anything is held.
            let refused = try await client.renderProject(project, token: user.accessToken)
            expectProblemReply(refused, .notFound, code: "not_found", "render without its song")
            #expect(refused.problemFields == ["audio_id"])

            // With the song back, a new render resumes at the merge: nothing is made or paid again.
            try await context.execute("UPDATE assets SET deleted_at = NULL WHERE id = \(song)")
            let rerun = try await client.renderProject(project, token: user.accessToken)
            #expect(rerun.status == .accepted, "\(rerun.text)")
            #expect((rerun.json["cost"] as? [String: Any])?["quoted"] as? Int == 0)
            let rerunID = try #require(rerun.json["id"] as? String)
            let second = try #require(try await Self.runJobs(context, client, jobs: [rerunID], token: user.accessToken).first)
            #expect((second["cost"] as? [String: Any])?["charged"] as? Int == 0)
            let resumed = try await client.request(.get, "/api/jobs/\(rerunID)/events", token: user.accessToken)
            let resumedStages = JobEventsTests.parse(resumed.text).filter { $0.name == "stage" }.map(\.data)
            #expect(Array(resumedStages.prefix(3)) == [
                #"{"stage":"scenes","status":"skipped"}"#, #"{"stage":"character","status":"skipped"}"#,
                #"{"stage":"clips","status":"skipped"}"#,
            ])
            #expect(resumedStages.dropFirst(3).first == #"{"stage":"merge","status":"running"}"#)
            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE project_id = \(try #require(UUID(uuidString: project))) AND kind = 'video'")
                == 3 + (second["status"] as? String == "succeeded" ? 1 : 0))
            #expect(try await client.balance(token: user.accessToken) == (100 - paid, 0, 100 - paid))
        }
    }

    @Test func rerollIsChargedAndFreeAfterABlockedClipWithTheReasonInTheLedger() async throws {
        try await withTestApp(Self.manualWorkers) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            let project = try #require(try await client.createProject(token: user.accessToken).json["id"] as? String)
            let projectID = try #require(UUID(uuidString: project))
            let render = try #require(try await client.renderProject(project, token: user.accessToken).json["id"] as? String)
            _ = try await Self.runJobs(context, client, jobs: [render], token: user.accessToken)
            let clipsBefore = try #require(try await client.request(.get, "/api/mv/projects/\(project)", token: user.accessToken).json["clips"] as? [[String: Any]])
            #expect(clipsBefore.count == 3)

            // Unknown scene: 404, nothing held.
            let unknown = try await client.request(.post, "/api/mv/projects/\(project)/scenes/3/regenerate", token: user.accessToken)
            expectProblemReply(unknown, .notFound, code: "not_found", "scene 3 of 3")
            let holdsBefore = try await context.countRows("SELECT count(*) FROM holds")

            // The provider blocked scene 1's clip: its re-roll is free, and the ledger says why.
            try await context.execute("UPDATE project_clips SET status = 'blocked' WHERE project_id = \(projectID) AND index = 1")
            let free = try await client.request(
                .post, "/api/mv/projects/\(project)/scenes/1/regenerate", token: user.accessToken, headers: ["Idempotency-Key": UUID().uuidString])
            #expect(free.status == .accepted, "\(free.text)")
            #expect(free.json["kind"] as? String == "regenerate_scene")
            #expect((free.json["cost"] as? [String: Any])?["quoted"] as? Int == 0)
            let freeID = try #require(free.json["id"] as? String)
            let freeJob = try #require(UUID(uuidString: freeID))
            #expect(try await context.countRows(
                "SELECT count(*) FROM ledger_entries WHERE job_id = \(freeJob) AND reason = 'reroll_free: previous clip was blocked by the provider'") == 2)
            _ = try await Self.runJobs(context, client, jobs: [freeID], token: user.accessToken)
            let afterFree = try await client.request(.get, "/api/mv/projects/\(project)", token: user.accessToken)
            let clip1 = try #require((afterFree.json["clips"] as? [[String: Any]])?.first { $0["index"] as? Int == 1 })
            #expect(clip1["status"] as? String == "succeeded")
            #expect(clip1["video_id"] as? String != clipsBefore[1]["video_id"] as? String)
            #expect(try await context.countRows("SELECT count(*) FROM hold_captures WHERE job_id = \(freeJob)") == 0)

            // A re-roll of a good clip is charged like a clip (2 s × 1 credit).
            let paidBefore = try await client.balance(token: user.accessToken)
            let charged = try await client.request(.post, "/api/mv/projects/\(project)/scenes/0/regenerate", token: user.accessToken)
            #expect(charged.status == .accepted, "\(charged.text)")
            #expect((charged.json["cost"] as? [String: Any])?["quoted"] as? Int == 2)
            let chargedID = try #require(charged.json["id"] as? String)
            let done = try #require(try await Self.runJobs(context, client, jobs: [chargedID], token: user.accessToken).first)
            #expect((done["cost"] as? [String: Any])?["charged"] as? Int == 2)
            #expect(try await client.balance(token: user.accessToken).available == paidBefore.available - 2)
            #expect(try await context.countRows("SELECT count(*) FROM hold_captures WHERE job_id = \(try #require(UUID(uuidString: chargedID))) AND part = 'clip:0'") == 1)

            let rerolls = try #require(try await client.request(.get, "/api/mv/projects/\(project)", token: user.accessToken).json["rerolls"] as? [[String: Any]])
            #expect(rerolls.map { $0["index"] as? Int } == [1, 0])
            #expect(rerolls.map { $0["free"] as? Bool } == [true, false])
            #expect(rerolls.first?["free_reason"] as? String == "reroll_free: previous clip was blocked by the provider")
            #expect(try await context.countRows("SELECT count(*) FROM holds") == holdsBefore + 2)
        }
    }

    @Test func aTeamNeverRendersMoreClipsAtOnceThanItsCap() async throws {
        try await withTestApp({ config in
            Self.manualWorkers(&config)
            config.projects.clipConcurrency = 2
            config.backends.mock.delayMin = 0.8
            config.backends.mock.delayMax = 0.8
        }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            var started: [String] = []
            for _ in 0..<2 {
                let project = try #require(try await client.createProject(token: user.accessToken).json["id"] as? String)
                started.append(try #require(try await client.renderProject(project, token: user.accessToken).json["id"] as? String))
            }
            let jobs = started
            let team = try #require(UUID(uuidString: user.teamID))
            let peak = try await context.withPostgres { postgres in
                let workers = TestWorkers(config: context.config, postgres: postgres)
                let worker = RunningWorker(try workers.fullWorker(name: "capped"), name: "capped")
                var peak = 0
                // Watch the team's running clips until both renders are past their clips.
                _ = try await pollCondition(timeout: .seconds(90)) {
                    peak = max(peak, try await WorkerRecoveryTests.count("""
                        SELECT count(*)::int FROM project_clips c JOIN assets a ON a.id = c.project_id
                        WHERE a.team_id = \(team) AND c.status = 'running'
                        """, postgres))
                    return try await WorkerRecoveryTests.count("""
                        SELECT count(*)::int FROM project_clips c JOIN assets a ON a.id = c.project_id
                        WHERE a.team_id = \(team) AND c.status = 'succeeded'
                        """, postgres) == 6
                }
                for job in jobs { _ = try await client.waitForJob(job, token: user.accessToken, timeout: .seconds(90)) }
                await worker.kill()
                try await workers.shutdown()
                return peak
            }
            #expect(peak <= 2, "the team had \(peak) clips rendering at once")
            #expect(peak == 2, "clips never ran in parallel")
        }
    }
}

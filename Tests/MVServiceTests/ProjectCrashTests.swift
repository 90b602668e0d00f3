import Foundation
import HTTPTypes
import MVBackends
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// A render whose worker dies mid-clips: another worker rescues the job after its lease, resumes at the first
/// unfinished piece and pays for every finished piece exactly once.
struct ProjectCrashTests {
    /// A clip as it stood when the first worker was killed.
    struct CommittedClip: Sendable {
        var index: Int
        var videoID: UUID
    }

    @Test func workerKilledAfterOneOfThreeClipsResumesAndPaysEachClipOnce() async throws {
        try await withTestApp({ config in
            WorkerRecoveryTests.recoveryConfig(&config)
            // One clip at a time, so the kill lands after exactly one clip is committed.
            config.projects.clipConcurrency = 1
            config.projects.slotPollInterval = .milliseconds(50)
        }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            let project = try #require(try await client.createProject(token: user.accessToken).json["id"] as? String)
            let projectID = try #require(UUID(uuidString: project))
            let render = try await client.renderProject(project, token: user.accessToken)
            #expect(render.status == .accepted, "\(render.text)")
            let jobID = try #require(render.json["id"] as? String)
            let job = try #require(UUID(uuidString: jobID))

            let firstClip: CommittedClip? = try await context.withPostgres { postgres in
                let workers = TestWorkers(config: context.config, postgres: postgres)
                let first = RunningWorker(try workers.fullWorker(name: "worker-1"), name: "worker-1")
                let oneDone = try await pollCondition(timeout: .seconds(60)) {
                    try await WorkerRecoveryTests.count(
                        "SELECT count(*)::int FROM project_clips WHERE project_id = \(projectID) AND status = 'succeeded'", postgres) >= 1
                }
                #expect(oneDone, "worker-1 never finished a clip")
                // Killed without cleanup, mid-clips.
                #expect(await first.kill(), "worker-1 did not stop")
                let committed = try await WorkerRecoveryTests.count(
                    "SELECT count(*)::int FROM project_clips WHERE project_id = \(projectID) AND status = 'succeeded'", postgres)
                #expect(committed < 3, "the kill came after every clip")
                let rows = try await postgres.query(
                    "SELECT index, video_id FROM project_clips WHERE project_id = \(projectID) AND status = 'succeeded' ORDER BY index LIMIT 1",
                    logger: TestCluster.logger)
                var clip0: CommittedClip?
                for try await (index, id) in rows.decode((Int, UUID).self) { clip0 = CommittedClip(index: index, videoID: id) }

                let second = RunningWorker(try workers.fullWorker(name: "worker-2"), name: "worker-2")
                _ = try await client.waitForJob(jobID, token: user.accessToken, timeout: .seconds(120))
                await second.kill()
                try await workers.shutdown()
                return clip0
            }
            let finished = try await client.request(.get, "/api/jobs/\(jobID)", token: user.accessToken).json

            #expect(finished["status"] as? String == "succeeded", "\(finished)")
            #expect((finished["attempts"] as? Int ?? 0) >= 2, "the job was not rescued")
            // The clip committed before the kill is the same clip afterwards, paid once.
            let committed = try #require(firstClip)
            #expect(
                try await context.scalar(
                    "SELECT video_id FROM project_clips WHERE project_id = \(projectID) AND index = \(committed.index)", as: UUID.self)
                    == committed.videoID)
            for index in 0..<3 {
                #expect(try await context.countRows("SELECT count(*) FROM hold_captures WHERE job_id = \(job) AND part = \("clip:\(index)")") == 1,
                    "clip \(index) was not paid exactly once")
            }
            #expect(try await context.countRows("SELECT count(*) FROM hold_captures WHERE job_id = \(job) AND part = 'character'") == 1)
            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE project_id = \(projectID) AND kind = 'image'") == 1)
            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE project_id = \(projectID) AND kind = 'scene_set'") == 1)
            // Clip videos: at most one more than three (the clip the dead worker was making may have been stored by
            // the provider download, but its row was never written): never a second paid row.
            #expect(try await context.countRows(
                "SELECT count(*) FROM assets WHERE project_id = \(projectID) AND kind = 'video' AND id IN (SELECT video_id FROM project_clips)") == 3)
            let cost = try #require(finished["cost"] as? [String: Any])
            let paid = try await context.countRows("SELECT sum(amount)::int FROM hold_captures WHERE job_id = \(job)")
            #expect(cost["charged"] as? Int == paid)
            #expect((cost["charged"] as? Int ?? 0) + (cost["released"] as? Int ?? 0) == cost["quoted"] as? Int)
            #expect(try await client.balance(token: user.accessToken) == (100 - paid, 0, 100 - paid))
            // (withTestApp checks the ledger invariants after this test.)
        }
    }
}

import Foundation
import Hummingbird
import MVBackends
import MVBilling
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// A worker that dies mid-job loses its lease; another worker rescues the job and finishes it, charging once.
/// Fencing tokens stop the dead (or merely slow) worker's late writes.
struct WorkerRecoveryTests {
    /// Workers off in the app (the test runs its own), a 2 s lease kept alive every 0.3 s (a loaded 2-core machine can
    /// stall a heartbeat for over a second), 1.5 s mock clips.
    static func recoveryConfig(_ config: inout AppConfig) {
        config.runWorkers = false
        config.jobs.lease = .seconds(2)
        config.jobs.heartbeat = .milliseconds(300)
        config.jobs.pollInterval = .milliseconds(100)
        config.backends.mock.delayMin = 1.5
        config.backends.mock.delayMax = 1.5
    }

    /// One job row as the queue sees it.
    struct JobRow: Sendable {
        var state: String
        var attempts: Int
        var lockedBy: String?
        var leaseToken: Int64
        var charged: Int64
        var quoted: Int64
    }

    /// The parts of `GET /api/jobs/{id}` this suite checks.
    struct FinishedJob: Sendable {
        var status: String?
        var attempts: Int?
        var quoted: Int?
        var charged: Int?
        var released: Int?

        init(_ json: [String: Any]) {
            status = json["status"] as? String
            attempts = json["attempts"] as? Int
            let cost = json["cost"] as? [String: Any] ?? [:]
            quoted = cost["quoted"] as? Int
            charged = cost["charged"] as? Int
            released = cost["released"] as? Int
        }
    }

    static func jobRow(_ id: UUID, _ postgres: PostgresClient) async throws -> JobRow? {
        let rows = try await postgres.query(
            "SELECT state, attempts, locked_by, lease_token, charged, quoted FROM jobs WHERE id = \(id)", logger: TestCluster.logger)
        for try await (state, attempts, lockedBy, token, charged, quoted) in rows.decode((String, Int, String?, Int64, Int64, Int64).self) {
            return JobRow(state: state, attempts: attempts, lockedBy: lockedBy, leaseToken: token, charged: charged, quoted: quoted)
        }
        return nil
    }

    static func count(_ query: PostgresQuery, _ postgres: PostgresClient) async throws -> Int {
        let rows = try await postgres.query(query, logger: TestCluster.logger)
        for try await value in rows.decode(Int.self) { return value }
        return 0
    }

    @Test func jobOfAKilledWorkerIsRescuedAfterItsLeaseAndChargedOnce() async throws {
        try await withTestApp(Self.recoveryConfig) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "a lighthouse in fog", "duration": 2, "backend": "mock"], token: user.accessToken)
            #expect(submit.status == .accepted)
            let jobID = try #require(submit.json["id"] as? String)
            let id = try #require(UUID(uuidString: jobID))

            let job: FinishedJob = try await context.withPostgres { postgres in
                let workers = TestWorkers(config: context.config, postgres: postgres)
                let first = RunningWorker(try workers.worker(name: "worker-1"), name: "worker-1")
                let started = try await pollCondition { try await Self.jobRow(id, postgres)?.state == "running" }
                #expect(started, "worker-1 never claimed the job")

                // Killed without cleanup: the job is left running under worker-1's lease.
                #expect(await first.kill(), "worker-1 did not stop after cancellation")
                let abandoned = try #require(try await Self.jobRow(id, postgres))
                #expect(abandoned.state == "running")
                #expect(abandoned.attempts == 1)
                #expect(abandoned.lockedBy == "worker-1")
                #expect(abandoned.charged == 0)

                let second = RunningWorker(try workers.worker(name: "worker-2"), name: "worker-2")
                let finished = try await client.waitForJob(jobID, token: user.accessToken, timeout: .seconds(40))
                await second.kill()
                try await workers.shutdown()
                return FinishedJob(finished)
            }

            #expect(job.status == "succeeded", "job: \(job)")
            #expect(job.attempts == 2)
            #expect(job.quoted == 2)
            #expect(job.charged == job.quoted)
            #expect(job.released == 0)
            #expect(try await context.countRows(
                "SELECT count(DISTINCT transaction_id) FROM ledger_entries WHERE job_id = \(id) AND kind = 'capture'") == 1)
            #expect(try await context.countRows(
                "SELECT count(DISTINCT transaction_id) FROM ledger_entries WHERE job_id = \(id) AND kind = 'hold'") == 1)
            #expect(try await context.countRows("SELECT count(*) FROM ledger_entries WHERE job_id = \(id) AND kind = 'release'") == 0)
            #expect(try await context.scalar("SELECT status FROM holds WHERE job_id = \(id)", as: String.self) == "captured")
            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE job_id = \(id)") == 1)
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == 8 && balance.held == 0 && balance.posted == 8)
        }
    }

    @Test func staleLeaseWritesAreRefusedAndChangeNothing() async throws {
        try await withTestApp({ $0.runWorkers = false }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "a kite over dunes", "duration": 3, "backend": "mock"], token: user.accessToken)
            #expect(submit.status == .accepted)
            let jobID = try #require(submit.json["id"] as? String)
            let id = try #require(UUID(uuidString: jobID))

            try await context.withPostgres { postgres in
                let queue = JobQueue(client: postgres, ledger: Ledger(logger: TestCluster.logger), logger: TestCluster.logger)
                let t1 = try #require(try await queue.claim(worker: "w1", lease: .seconds(30)))
                #expect(t1.id == id && t1.attempts == 1)
                #expect(try await queue.claim(worker: "w-other", lease: .seconds(30)) == nil, "a running job was claimed twice")

                _ = try await postgres.query(
                    "UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = \(id)", logger: TestCluster.logger)
                let rescued = try await queue.rescueExpiredLeases()
                #expect(rescued.requeued == [id] && rescued.failed.isEmpty)
                let t2 = try #require(try await queue.claim(worker: "w2", lease: .seconds(30)))
                #expect(t2.id == id && t2.attempts == 2)
                #expect(t2.leaseToken > t1.leaseToken)

                let before = try #require(try await Self.jobRow(id, postgres))
                await #expect(throws: JobQueue.Failure.staleLease) {
                    try await queue.complete(t1, result: .object(["stale": .bool(true)]), provider: .mock, model: "stale", charge: 3) { connection in
                        _ = try await connection.query("UPDATE users SET name = 'written by a stale worker'", logger: TestCluster.logger)
                    }
                }
                await #expect(throws: JobQueue.Failure.staleLease) { try await queue.heartbeat(t1, lease: .seconds(30)) }
                await #expect(throws: JobQueue.Failure.staleLease) { try await queue.progress(t1, fraction: 0.9, stage: "stale") }
                await #expect(throws: JobQueue.Failure.staleLease) {
                    try await queue.saveCheckpoint(t1, checkpoint: ProviderCheckpoint(provider: .mock, model: "stale", jobID: "stale"))
                }
                let failure = JobFailure(.providerUnavailable, "stale worker")
                await #expect(throws: JobQueue.Failure.staleLease) {
                    try await queue.fail(t1, failure: failure, retry: false, retryDelay: .zero)
                }

                // Nothing moved: same row, no capture or release, hold open, the write closure never ran.
                let after = try #require(try await Self.jobRow(id, postgres))
                #expect(after.state == "running" && after.lockedBy == "w2" && after.leaseToken == before.leaseToken && after.charged == 0)
                #expect(try await Self.count("SELECT count(*) FROM jobs WHERE id = \(id) AND (stage = 'stale' OR result IS NOT NULL OR error IS NOT NULL OR provider_checkpoint IS NOT NULL)", postgres) == 0)
                #expect(try await Self.count("SELECT count(*) FROM ledger_entries WHERE job_id = \(id) AND kind IN ('capture', 'release')", postgres) == 0)
                #expect(try await Self.count("SELECT count(*) FROM holds WHERE job_id = \(id) AND status = 'open'", postgres) == 1)
                #expect(try await Self.count("SELECT count(*) FROM users WHERE name = 'written by a stale worker'", postgres) == 0)

                // The current lease holder still can do all of it.
                try await queue.heartbeat(t2, lease: .seconds(30))
                try await queue.progress(t2, fraction: 0.5, stage: "rendering")
                try await queue.complete(t2, result: .object(["ok": .bool(true)]), provider: .mock, model: "mock-video", charge: t2.quoted) { _ in }
                let done = try #require(try await Self.jobRow(id, postgres))
                #expect(done.state == "succeeded" && done.charged == done.quoted && done.quoted == 3)
                #expect(try await Self.count("SELECT count(DISTINCT transaction_id) FROM ledger_entries WHERE job_id = \(id) AND kind = 'capture'", postgres) == 1)
                // ...and once finished, even the current token cannot write again.
                await #expect(throws: JobQueue.Failure.staleLease) {
                    try await queue.complete(t2, result: .object([:]), provider: nil, model: nil, charge: 1) { _ in }
                }
            }
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == 7 && balance.held == 0)
        }
    }

    @Test func expiredLeaseWithNoAttemptsLeftFailsTheJobAndReleasesTheHold() async throws {
        try await withTestApp({ $0.runWorkers = false }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let submit = try await client.submitVideo(["prompt": "a comet", "duration": 4, "backend": "mock"], token: user.accessToken)
            #expect(submit.status == .accepted)
            let jobID = try #require(submit.json["id"] as? String)
            let id = try #require(UUID(uuidString: jobID))

            try await context.withPostgres { postgres in
                _ = try await postgres.query("UPDATE jobs SET max_attempts = 1 WHERE id = \(id)", logger: TestCluster.logger)
                let queue = JobQueue(client: postgres, ledger: Ledger(logger: TestCluster.logger), logger: TestCluster.logger)
                let claimed = try #require(try await queue.claim(worker: "doomed", lease: .seconds(30)))
                #expect(claimed.attempts == 1 && claimed.maxAttempts == 1)
                _ = try await postgres.query(
                    "UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = \(id)", logger: TestCluster.logger)
                let rescued = try await queue.rescueExpiredLeases()
                #expect(rescued.requeued.isEmpty && rescued.failed == [id])
                #expect(try await queue.claim(worker: "late", lease: .seconds(30)) == nil)
            }

            let job = try await client.request(.get, "/api/jobs/\(jobID)", token: user.accessToken)
            #expect(job.json["status"] as? String == "failed")
            #expect((job.json["error"] as? [String: Any])?["code"] as? String == "worker_lost")
            let cost = try #require(job.json["cost"] as? [String: Any])
            #expect(cost["charged"] as? Int == 0 && cost["released"] as? Int == 4 && cost["held"] as? Int == 0)
            #expect(try await context.scalar("SELECT status FROM holds WHERE job_id = \(id)", as: String.self) == "released")
            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == 10 && balance.held == 0)
        }
    }
}

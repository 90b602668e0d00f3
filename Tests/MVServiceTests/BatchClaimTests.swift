import Foundation
import HTTPTypes
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Claiming many jobs in one statement (`JobQueue.claim(worker:lease:limit:)`): each job claimed once, however many
/// workers claim at the same time, each with its own attempt and fencing token.
struct BatchClaimTests {
    @Test func concurrentBatchClaimsTakeEveryJobExactlyOnce() async throws {
        try await withTestApp({ $0.runWorkers = false }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(100, to: user.teamID, admin: admin)
            var submitted: Set<UUID> = []
            for index in 0..<12 {
                let submit = try await client.submitVideo(
                    ["prompt": "a lantern \(index)", "duration": 2, "backend": "mock"], token: user.accessToken)
                #expect(submit.status == .accepted, "\(submit.text)")
                let id = try #require(submit.json["id"] as? String)
                submitted.insert(try #require(UUID(uuidString: id)))
            }

            let expected = submitted
            try await context.withPostgres { postgres in
                let queue = JobQueue(client: postgres, ledger: Ledger(logger: TestCluster.logger), logger: TestCluster.logger)
                // Three workers claim batches of up to 5 at once, twice each: 30 slots for 12 jobs.
                let batches = try await withThrowingTaskGroup(of: [ClaimedJob].self) { group in
                    for worker in ["w1", "w2", "w3"] {
                        group.addTask {
                            let first = try await queue.claim(worker: worker, lease: .seconds(30), limit: 5)
                            let second = try await queue.claim(worker: worker, lease: .seconds(30), limit: 5)
                            return first + second
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                let claimed = batches.flatMap { $0 }
                #expect(claimed.count == 12, "every job claimed, none twice: \(claimed.map(\.id))")
                #expect(Set(claimed.map(\.id)) == expected)
                #expect(batches.allSatisfy { $0.count <= 10 })
                #expect(claimed.allSatisfy { $0.attempts == 1 && $0.leaseToken == 1 })
                #expect(try await queue.claim(worker: "late", lease: .seconds(30), limit: 5).isEmpty)

                // A job of a batch is fenced on its own: one job's token going stale leaves the others' writes alone.
                let (stale, live) = (claimed[0], claimed[1])
                _ = try await postgres.query(
                    "UPDATE jobs SET lease_token = lease_token + 1 WHERE id = \(stale.id)", logger: TestCluster.logger)
                await #expect(throws: JobQueue.Failure.staleLease) { try await queue.heartbeat(stale, lease: .seconds(30)) }
                try await queue.heartbeat(live, lease: .seconds(30))
            }
            #expect(try await context.countRows("SELECT count(*) FROM jobs WHERE state = 'running' AND attempts = 1") == 12)
        }
    }
}

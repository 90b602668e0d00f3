import Foundation
import HTTPTypes
import Logging
import MVTestSupport
import PostgresNIO
import ServiceLifecycle
import Testing
@testable import MVService

/// SIGTERM (graceful shutdown of the service group) lets the in-flight job finish and claims nothing new.
struct WorkerDrainTests {
    @Test func gracefulShutdownFinishesTheRunningJobAndLeavesQueuedOnes() async throws {
        try await withTestApp({ config in
            WorkerRecoveryTests.recoveryConfig(&config)
            config.jobs.lease = .seconds(5)
            config.jobs.concurrency = 1
        }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)
            let first = try await client.submitVideo(["prompt": "first", "duration": 2, "backend": "mock"], token: user.accessToken)
            let second = try await client.submitVideo(["prompt": "second", "duration": 2, "backend": "mock"], token: user.accessToken)
            let firstID = try #require((first.json["id"] as? String).flatMap(UUID.init(uuidString:)))
            let secondID = try #require((second.json["id"] as? String).flatMap(UUID.init(uuidString:)))

            try await context.withPostgres { postgres in
                let workers = TestWorkers(config: context.config, postgres: postgres)
                let group = ServiceGroup(
                    configuration: .init(services: [try workers.worker(name: "drainer")], logger: TestCluster.logger))
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    let running = try await pollCondition {
                        try await WorkerRecoveryTests.jobRow(firstID, postgres)?.state == "running"
                    }
                    #expect(running, "the worker never claimed the first job")
                    await group.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
                try await workers.shutdown()
                // The worker returned only after the in-flight job finished; the queued one was never claimed.
                #expect(try await WorkerRecoveryTests.jobRow(firstID, postgres)?.state == "succeeded")
                let waiting = try #require(try await WorkerRecoveryTests.jobRow(secondID, postgres))
                #expect(waiting.state == "queued" && waiting.attempts == 0)
            }
            // Leave no open work behind for the invariant check: cancel the queued job (releases its hold).
            let cancel = try await client.request(.post, "/api/jobs/\(secondID)/cancel", token: user.accessToken)
            #expect(cancel.status == .ok)
        }
    }
}

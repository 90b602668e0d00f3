import Foundation
import Hummingbird
import MVBackends
import PostgresNIO
import Testing
@testable import MVService

/// A job whose provider always fails is retried up to the attempt limit, then fails with a problem document and
/// its hold released exactly once.
struct JobFailureTests {
    @Test func alwaysFailingProviderFailsAfterMaxAttemptsAndReleasesTheHold() async throws {
        try await withTestApp({ config in
            config.backends.mock.failureRate = 1
            config.jobs.maxAttempts = 3
        }) { client, context in
            let admin = try await context.makeAdmin(client)
            let user = try await client.register()
            try await client.grant(10, to: user.teamID, admin: admin)

            let submit = try await client.submitVideo(["prompt": "a doomed render", "duration": 2, "backend": "mock"], token: user.accessToken)
            #expect(submit.status == .accepted, "\(submit.text)")
            let jobID = try #require(submit.json["id"] as? String)
            let id = try #require(UUID(uuidString: jobID))
            #expect((submit.json["cost"] as? [String: Any])?["held"] as? Int == 2)

            let job = try await client.waitForJob(jobID, token: user.accessToken)
            #expect(job["status"] as? String == "failed", "\(job)")
            #expect(job["attempts"] as? Int == 3)
            #expect(job["result"] == nil || job["result"] is NSNull)
            #expect(job["finished_at"] is String)

            let error = try #require(job["error"] as? [String: Any], "failed job without error: \(job)")
            for member in ["type", "title", "detail", "code"] {
                #expect((error[member] as? String)?.isEmpty == false, "error.\(member) missing: \(error)")
            }
            #expect(error["status"] as? Int ?? 0 >= 400, "error.status: \(error)")
            #expect(error["code"] as? String == "mock_failure", "\(error)")
            let detail = error["detail"] as? String ?? ""
            #expect(!detail.contains("/work/") && !detail.lowercased().contains("select "), "error leaks internals: \(detail)")

            let cost = try #require(job["cost"] as? [String: Any])
            #expect(cost["quoted"] as? Int == 2)
            #expect(cost["released"] as? Int == 2)
            #expect(cost["charged"] as? Int == 0)
            #expect(cost["held"] as? Int == 0)

            let balance = try await client.balance(token: user.accessToken)
            #expect(balance.available == 10 && balance.held == 0 && balance.posted == 10, "\(balance)")

            #expect(try await context.scalar("SELECT status FROM holds WHERE job_id = \(id)", as: String.self) == "released")
            let releases = try await context.countRows(
                "SELECT count(DISTINCT transaction_id) FROM ledger_entries WHERE job_id = \(id) AND kind = 'release'")
            #expect(releases == 1)
            let captures = try await context.countRows("SELECT count(*) FROM ledger_entries WHERE job_id = \(id) AND kind = 'capture'")
            #expect(captures == 0)
            let attempts = try await context.scalar("SELECT attempts FROM jobs WHERE id = \(id)", as: Int.self)
            #expect(attempts == 3)
            #expect(try await context.countRows("SELECT count(*) FROM assets WHERE job_id = \(id)") == 0)
        }
    }
}

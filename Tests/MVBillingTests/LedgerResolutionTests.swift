import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing

/// Resolving holds: capture charges (fully, or partly with the rest released), release returns everything, and a
/// hold resolves exactly once — a second capture or release finds nothing and moves nothing.
struct LedgerResolutionTests {
    /// A team with 100 credits and an open hold of 40 for `job`.
    static func heldForty(_ fixture: LedgerFixture) async throws -> (team: UUID, job: UUID) {
        let team = try await fixture.makeTeam()
        let job = UUID()
        try await fixture.grant(100, to: team)
        try await fixture.hold(40, team: team, job: job)
        return (team, job)
    }

    @Test func fullCaptureChargesTheHold() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.heldForty(fixture)
            #expect(try await fixture.capture(40, job: job) == HoldResolution(captured: 40, released: 0))
            #expect(try await fixture.balance(team) == Balance(available: 60, held: 0, posted: 60))
            let row = try #require(try await fixture.holdRow(job))
            #expect(row.status == "captured" && row.captured == 40 && row.released == 0)
            #expect(try await fixture.entries(job: job) == [
                "hold/available/-40", "hold/held/40", "capture/held/-40", "capture/revenue/40",
            ])
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func partialCaptureReleasesTheRest() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.heldForty(fixture)
            #expect(try await fixture.capture(25, job: job) == HoldResolution(captured: 25, released: 15))
            #expect(try await fixture.balance(team) == Balance(available: 75, held: 0, posted: 75))
            let row = try #require(try await fixture.holdRow(job))
            #expect(row.status == "captured" && row.captured == 25 && row.released == 15)
            #expect(try await fixture.entries(job: job) == [
                "hold/available/-40", "hold/held/40", "capture/held/-25", "capture/revenue/25",
                "release/held/-15", "release/available/15",
            ])
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func captureAboveTheHoldIsCappedAtTheHold() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.heldForty(fixture)
            #expect(try await fixture.capture(1000, job: job) == HoldResolution(captured: 40, released: 0))
            #expect(try await fixture.balance(team) == Balance(available: 60, held: 0, posted: 60))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func releaseReturnsEverything() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.heldForty(fixture)
            #expect(try await fixture.release(job: job, reason: "provider failed") == HoldResolution(captured: 0, released: 40))
            #expect(try await fixture.balance(team) == Balance(available: 100, held: 0, posted: 100))
            let row = try #require(try await fixture.holdRow(job))
            #expect(row.status == "released" && row.captured == 0 && row.released == 40)
            #expect(try await fixture.entries(job: job) == [
                "hold/available/-40", "hold/held/40", "release/held/-40", "release/available/40",
            ])
            let reasons = try await fixture.scalar(
                "SELECT count(*) FROM ledger_entries WHERE job_id = \(job) AND kind = 'release' AND reason = 'provider failed'")
            #expect(reasons == 2)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func aCapturedHoldCannotBeCapturedOrReleasedAgain() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.heldForty(fixture)
            _ = try await fixture.capture(30, job: job)
            let after = try await fixture.balance(team)
            #expect(try await fixture.capture(30, job: job) == nil)
            #expect(try await fixture.release(job: job) == nil)
            #expect(try await fixture.balance(team) == after)
            #expect(try await fixture.entries(job: job).count == 6)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func aReleasedHoldCannotBeReleasedOrCapturedAgain() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.heldForty(fixture)
            _ = try await fixture.release(job: job)
            #expect(try await fixture.release(job: job) == nil)
            #expect(try await fixture.capture(40, job: job) == nil)
            #expect(try await fixture.balance(team) == Balance(available: 100, held: 0, posted: 100))
            #expect(try await fixture.holdRow(job)?.status == "released")
            #expect(try await fixture.entries(job: job).count == 4)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func racingResolutionsResolveOnce() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.heldForty(fixture)
            let results = try await withThrowingTaskGroup(of: HoldResolution?.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        index.isMultiple(of: 2) ? try await fixture.capture(40, job: job) : try await fixture.release(job: job)
                    }
                }
                var results: [HoldResolution?] = []
                for try await result in group { results.append(result) }
                return results
            }
            let winners = results.compactMap { $0 }
            #expect(winners.count == 1, "\(results)")
            let balance = try await fixture.balance(team)
            #expect(balance.held == 0)
            #expect(balance.posted == 100 - (winners.first?.captured ?? -1))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func unknownJobAndNegativeCaptureResolveNothing() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.heldForty(fixture)
            #expect(try await fixture.capture(10, job: UUID()) == nil)
            #expect(try await fixture.release(job: UUID()) == nil)
            await #expect(throws: BillingError.invalidAmount("capture amount must be >= 0, got -5")) {
                try await fixture.capture(-5, job: job)
            }
            #expect(try await fixture.holdRow(job)?.status == "open")
            #expect(try await fixture.balance(team) == Balance(available: 60, held: 40, posted: 100))
        }
    }
}

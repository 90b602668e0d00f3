import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing

/// Placing holds: available moves to held in one guarded statement, a hold larger than what is available is refused
/// without moving anything, and every job gets at most one hold.
struct LedgerHoldTests {
    @Test func holdMovesAvailableToHeld() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(100, to: team)

            let balance = try await fixture.hold(30, team: team, job: job)
            #expect(balance == Balance(available: 70, held: 30, posted: 100))
            #expect(try await fixture.balance(team) == balance)
            let row = try #require(try await fixture.holdRow(job))
            #expect(row.status == "open" && row.amount == 30 && row.captured == 0 && row.released == 0)
            #expect(try await fixture.entries(job: job) == ["hold/available/-30", "hold/held/30"])
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func holdLargerThanAvailableIsRefusedAndMovesNothing() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            try await fixture.grant(100, to: team)
            try await fixture.hold(30, team: team, job: UUID())
            let job = UUID()

            await #expect(throws: BillingError.insufficientCredits(required: 71, available: 70)) {
                try await fixture.hold(71, team: team, job: job)
            }
            #expect(try await fixture.balance(team) == Balance(available: 70, held: 30, posted: 100))
            #expect(try await fixture.holdRow(job) == nil)
            #expect(try await fixture.entries(job: job) == [])
            // Exactly what is available still fits.
            #expect(try await fixture.hold(70, team: team, job: job) == Balance(available: 0, held: 100, posted: 100))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func teamWithoutAccountCannotHold() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            await #expect(throws: BillingError.insufficientCredits(required: 5, available: 0)) {
                try await fixture.hold(5, team: team, job: UUID())
            }
            #expect(try await fixture.scalar("SELECT count(*) FROM holds") == 0)
        }
    }

    @Test func freeJobGetsAHoldRowButNoMovement() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            #expect(try await fixture.hold(0, team: team, job: job) == .zero)
            let row = try #require(try await fixture.holdRow(job))
            #expect(row.status == "open" && row.amount == 0)
            #expect(try await fixture.entries(job: job) == [])
            #expect(try await fixture.capture(0, job: job) == HoldResolution(captured: 0, released: 0))
            #expect(try await fixture.holdRow(job)?.status == "captured")
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func secondHoldForTheSameJobIsRefused() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(100, to: team)
            try await fixture.hold(10, team: team, job: job)

            await #expect(throws: BillingError.holdAlreadyExists(jobID: job)) {
                try await fixture.hold(10, team: team, job: job)
            }
            // Also after the first hold is resolved: one hold per job, ever.
            _ = try await fixture.release(job: job)
            await #expect(throws: BillingError.holdAlreadyExists(jobID: job)) {
                try await fixture.hold(10, team: team, job: job)
            }
            #expect(try await fixture.balance(team) == Balance(available: 100, held: 0, posted: 100))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func negativeHoldIsRefused() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            try await fixture.grant(10, to: team)
            await #expect(throws: BillingError.invalidAmount("hold amount must be >= 0, got -1")) {
                try await fixture.hold(-1, team: team, job: UUID())
            }
            #expect(try await fixture.balance(team) == Balance(available: 10, held: 0, posted: 10))
        }
    }
}

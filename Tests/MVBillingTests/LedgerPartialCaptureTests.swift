import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing

/// Partial captures: a hold paid piece by piece, whose parts never exceed it (alone or racing), each part paid once,
/// drawn from lots like a capture, and whose final resolution releases exactly what the parts left.
struct LedgerPartialCaptureTests {
    private func part(_ fixture: LedgerFixture, job: UUID, _ name: String, _ amount: Int64) async throws -> HoldProgress {
        try await fixture.transaction {
            try await fixture.ledger.capturePart(jobID: job, part: name, amount: amount, reason: "test part \(name)", on: $0)
        }
    }

    @Test func partsThenReleaseChargeThePartsAndReleaseExactlyTheRest() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(100, to: team)
            try await fixture.hold(60, team: team, job: job)

            #expect(try await part(fixture, job: job, "scenes", 5) == HoldProgress(amount: 60, captured: 5))
            #expect(try await part(fixture, job: job, "clip:0", 20) == HoldProgress(amount: 60, captured: 25))
            #expect(try await fixture.balance(team) == Balance(available: 40, held: 35, posted: 75))
            #expect(try await fixture.holdRow(job).map { ($0.status, $0.captured) } ?? ("", -1) == ("open", 25))
            #expect(try await fixture.violations() == [])

            let resolution = try await fixture.release(job: job, reason: "render finished")
            #expect(resolution == HoldResolution(captured: 25, released: 35))
            #expect(try await fixture.balance(team) == Balance(available: 75, held: 0, posted: 75))
            #expect(try await fixture.entries(job: job) == [
                "hold/available/-60", "hold/held/60", "capture/held/-5", "capture/revenue/5", "capture/held/-20",
                "capture/revenue/20", "release/held/-35", "release/available/35",
            ])
            // Lots paid each part, like any capture.
            #expect(try await fixture.scalar("SELECT sum(amount)::int8 FROM lot_consumptions WHERE job_id = \(job)") == 25)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func captureAfterPartsChargesOnlyWhatIsMissing() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(100, to: team)
            try await fixture.hold(50, team: team, job: job)
            _ = try await part(fixture, job: job, "a", 10)

            // 30 in all: the part's 10 plus 20 now; 20 released.
            #expect(try await fixture.capture(30, job: job) == HoldResolution(captured: 30, released: 20))
            #expect(try await fixture.balance(team) == Balance(available: 70, held: 0, posted: 70))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func aPartLargerThanWhatIsLeftIsRefusedAndMovesNothing() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(100, to: team)
            try await fixture.hold(30, team: team, job: job)
            _ = try await part(fixture, job: job, "a", 25)

            await #expect(throws: BillingError.holdExceeded(jobID: job, requested: 6, remaining: 5)) {
                try await part(fixture, job: job, "b", 6)
            }
            await #expect(throws: BillingError.partAlreadyCaptured(jobID: job, part: "a")) {
                try await part(fixture, job: job, "a", 1)
            }
            await #expect(throws: BillingError.invalidAmount("a captured part must be > 0, got 0")) {
                try await part(fixture, job: job, "c", 0)
            }
            #expect(try await fixture.balance(team) == Balance(available: 70, held: 5, posted: 75))
            // Exactly what is left still fits.
            #expect(try await part(fixture, job: job, "b", 5) == HoldProgress(amount: 30, captured: 30))
            #expect(try await fixture.release(job: job) == HoldResolution(captured: 30, released: 0))
            await #expect(throws: BillingError.noOpenHold(jobID: job)) {
                try await part(fixture, job: job, "d", 1)
            }
            #expect(try await fixture.balance(team) == Balance(available: 70, held: 0, posted: 70))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func concurrentPartsNeverOverdrawTheHold() async throws {
        try await TestDatabase.withLedger(maximumConnections: 14) { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(1000, to: team)
            try await fixture.hold(100, team: team, job: job)

            let outcomes = try await withThrowingTaskGroup(of: Result<HoldProgress, BillingError>.self) { group in
                for index in 0..<12 {
                    group.addTask {
                        do {
                            return .success(try await part(fixture, job: job, "clip:\(index)", 30))
                        } catch let error as BillingError {
                            return .failure(error)
                        }
                    }
                }
                var outcomes: [Result<HoldProgress, BillingError>] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let refused = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
            #expect(outcomes.count - refused.count == 3)
            #expect(refused.allSatisfy { if case .holdExceeded(_, 30, 10) = $0 { true } else { false } }, "\(refused)")
            #expect(try await fixture.holdRow(job)?.captured == 90)
            #expect(try await fixture.balance(team) == Balance(available: 900, held: 10, posted: 910))
            #expect(try await fixture.release(job: job) == HoldResolution(captured: 90, released: 10))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func concurrentCapturesOfOnePartPayItOnce() async throws {
        try await TestDatabase.withLedger(maximumConnections: 10) { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(100, to: team)
            try await fixture.hold(50, team: team, job: job)

            let outcomes = try await withThrowingTaskGroup(of: Result<HoldProgress, BillingError>.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            return .success(try await part(fixture, job: job, "clip:1", 10))
                        } catch let error as BillingError {
                            return .failure(error)
                        }
                    }
                }
                var outcomes: [Result<HoldProgress, BillingError>] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let refused = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
            #expect(outcomes.count - refused.count == 1)
            #expect(refused == Array(repeating: BillingError.partAlreadyCaptured(jobID: job, part: "clip:1"), count: 5))
            #expect(try await fixture.balance(team) == Balance(available: 50, held: 40, posted: 90))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func aFreeHoldWithAReasonSaysWhyInTheLedger() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(10, to: team)
            _ = try await fixture.transaction {
                try await fixture.ledger.placeHold(
                    teamID: team, jobID: job, amount: 0, userID: nil, reason: "reroll_free: previous clip failed", on: $0)
            }
            #expect(try await fixture.entries(job: job) == ["hold/available/0", "hold/held/0"])
            #expect(
                try await fixture.scalar(
                    "SELECT count(*) FROM ledger_entries WHERE job_id = \(job) AND reason = 'reroll_free: previous clip failed'") == 2)
            #expect(try await fixture.capture(0, job: job) == HoldResolution(captured: 0, released: 0))
            #expect(try await fixture.balance(team) == Balance(available: 10, held: 0, posted: 10))
            #expect(try await fixture.violations() == [])
        }
    }
}

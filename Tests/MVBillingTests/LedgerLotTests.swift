import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing

/// Credit lots: every grant is a lot, captures and adjustments draw lots in order (priority, soonest expiry, oldest)
/// and record who paid, and expiry takes only what open holds do not need.
struct LedgerLotTests {
    /// Remaining credits per lot id.
    static func remaining(_ fixture: LedgerFixture, team: UUID) async throws -> [UUID: Int64] {
        var result: [UUID: Int64] = [:]
        for lot in try await fixture.ledger.lots(teamID: team, client: fixture.postgres) { result[lot.id] = lot.remaining }
        return result
    }

    static func lotID(_ fixture: LedgerFixture, team: UUID, reason: String) async throws -> UUID {
        let rows = try await fixture.postgres.query(
            "SELECT id FROM credit_lots WHERE team_id = \(team) AND reason = \(reason)", logger: fixture.logger)
        for try await id in rows.decode(UUID.self) { return id }
        throw TestLotError.missing(reason)
    }

    enum TestLotError: Error { case missing(String) }

    func grant(
        _ fixture: LedgerFixture, _ amount: Int64, to team: UUID, reason: String, priority: Int = 100, expiresIn: TimeInterval? = nil
    ) async throws {
        _ = try await fixture.transaction {
            try await fixture.ledger.grant(
                teamID: team, amount: amount, reason: reason, userID: nil, expiresAt: expiresIn.map { Date().addingTimeInterval($0) },
                priority: priority, on: $0)
        }
    }

    /// Moves a lot's expiry into the past, as time passing would.
    func expireNow(_ fixture: LedgerFixture, lot: UUID) async throws {
        try await fixture.postgres.query(
            "UPDATE credit_lots SET expires_at = now() - interval '1 second' WHERE id = \(lot)", logger: fixture.logger)
    }

    @Test func capturesDrawByPriorityThenSoonestExpiryThenOldest() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            try await grant(fixture, 10, to: team, reason: "old", priority: 100)
            try await grant(fixture, 10, to: team, reason: "expiring", priority: 100, expiresIn: 3600)
            try await grant(fixture, 10, to: team, reason: "promo", priority: 10, expiresIn: 7200)
            try await grant(fixture, 10, to: team, reason: "newer", priority: 100)
            let job = UUID()
            try await fixture.hold(25, team: team, job: job)
            #expect(try await fixture.capture(25, job: job) == HoldResolution(captured: 25, released: 0))
            let left = try await Self.remaining(fixture, team: team)
            #expect(left[try await Self.lotID(fixture, team: team, reason: "promo")] == 0, "priority 10 first")
            #expect(left[try await Self.lotID(fixture, team: team, reason: "expiring")] == 0, "then the soonest expiry")
            #expect(left[try await Self.lotID(fixture, team: team, reason: "old")] == 5, "then the oldest")
            #expect(left[try await Self.lotID(fixture, team: team, reason: "newer")] == 10)
            #expect(try await fixture.scalar("SELECT sum(amount)::int8 FROM lot_consumptions WHERE job_id = \(job)") == 25)
            #expect(try await fixture.scalar("SELECT count(*)::int8 FROM lot_consumptions WHERE job_id = \(job)") == 3)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func adjustmentsDrawFromLotsAndCannotTakeHeldCredits() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            try await grant(fixture, 30, to: team, reason: "a")
            try await grant(fixture, 20, to: team, reason: "b", priority: 5)
            try await fixture.hold(15, team: team, job: UUID())
            #expect(try await fixture.grant(-30, to: team, reason: "correction") == Balance(available: 5, held: 15, posted: 20))
            let left = try await Self.remaining(fixture, team: team)
            #expect(left[try await Self.lotID(fixture, team: team, reason: "b")] == 0)
            #expect(left[try await Self.lotID(fixture, team: team, reason: "a")] == 20)
            await #expect(throws: BillingError.insufficientCredits(required: 6, available: 5)) {
                try await fixture.grant(-6, to: team, reason: "too much")
            }
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func expiryTakesOnlyWhatOpenHoldsDoNotNeed() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            try await grant(fixture, 10, to: team, reason: "expiring", expiresIn: 3600)
            try await grant(fixture, 5, to: team, reason: "lasting")
            let expiring = try await Self.lotID(fixture, team: team, reason: "expiring")
            let lasting = try await Self.lotID(fixture, team: team, reason: "lasting")
            let job = UUID()
            try await fixture.hold(6, team: team, job: job)
            #expect(try await fixture.ledger.expiring(teamID: team, client: fixture.postgres).map(\.amount) == [10])

            try await expireNow(fixture, lot: expiring)
            #expect(try await fixture.ledger.teamsWithDueLots(client: fixture.postgres) == [team])
            let first = try await fixture.ledger.expireDueLots(teamID: team, client: fixture.postgres)
            #expect(first.map(\.amount) == [4], "the 6 reserved by the open hold stay")
            #expect(try await fixture.balance(team) == Balance(available: 5, held: 6, posted: 11))
            #expect(try await fixture.violations() == [])
            // A second sweep finds nothing more to take while the hold is open.
            #expect(try await fixture.ledger.expireDueLots(teamID: team, client: fixture.postgres).isEmpty)

            // The capture is paid by the lot the hold was reserved from; the lasting lot keeps its credits.
            #expect(try await fixture.capture(4, job: job) == HoldResolution(captured: 4, released: 2))
            var left = try await Self.remaining(fixture, team: team)
            #expect(left[expiring] == 2 && left[lasting] == 5)
            // Released credits of an expired lot expire on the next sweep.
            #expect(try await fixture.ledger.expireDueLots(teamID: team, client: fixture.postgres).map(\.amount) == [2])
            left = try await Self.remaining(fixture, team: team)
            #expect(left[expiring] == 0 && left[lasting] == 5)
            #expect(try await fixture.balance(team) == Balance(available: 5, held: 0, posted: 5))
            let lot = try #require(try await fixture.ledger.lots(teamID: team, client: fixture.postgres).first { $0.id == expiring })
            #expect(lot.granted == 10 && lot.consumed == 4 && lot.expired == 6 && lot.remaining == 0)
            #expect(try await fixture.scalar("SELECT -sum(amount)::int8 FROM ledger_entries WHERE kind = 'expire' AND account = 'available' AND team_id = \(team)") == 6)
            #expect(try await fixture.scalar("SELECT sum(amount)::int8 FROM ledger_entries WHERE kind = 'expire' AND account = 'expired'") == 6)
            #expect(try await fixture.ledger.teamsWithDueLots(client: fixture.postgres).isEmpty)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func concurrentCapturesAndExpiryKeepTheBooksExact() async throws {
        try await TestDatabase.withLedger(maximumConnections: 12) { fixture in
            let team = try await fixture.makeTeam()
            try await grant(fixture, 50, to: team, reason: "expiring", expiresIn: 3600)
            try await grant(fixture, 50, to: team, reason: "lasting", priority: 200)
            let jobs = (0..<10).map { _ in UUID() }
            for job in jobs { try await fixture.hold(8, team: team, job: job) }
            try await expireNow(fixture, lot: try await Self.lotID(fixture, team: team, reason: "expiring"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, job) in jobs.enumerated() {
                    group.addTask {
                        if index.isMultiple(of: 2) { _ = try await fixture.capture(5, job: job) } else { _ = try await fixture.release(job: job) }
                    }
                }
                group.addTask { _ = try await fixture.ledger.expireDueLots(teamID: team, client: fixture.postgres) }
                group.addTask { _ = try await fixture.ledger.expireDueLots(teamID: team, client: fixture.postgres) }
                try await group.waitForAll()
            }
            _ = try await fixture.ledger.expireDueLots(teamID: team, client: fixture.postgres)
            // 25 captured; the expiring lot's rest expired; the lasting lot paid nothing it did not have to.
            #expect(try await fixture.balance(team) == Balance(available: 50, held: 0, posted: 50))
            #expect(try await fixture.violations() == [])
        }
    }
}

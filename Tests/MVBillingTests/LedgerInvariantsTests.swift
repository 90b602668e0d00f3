import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing

/// The SQL invariant checker: silent on a ledger built through `Ledger`, and loud — naming the team, job or
/// transaction — when a test breaks an invariant on purpose with raw SQL (so its silence elsewhere means something).
struct LedgerInvariantsTests {
    /// A ledger with every kind of movement: grants, an adjustment, an open hold, a full and a partial capture,
    /// a release and a free job. Returns the team and the open hold's job.
    static func busyLedger(_ fixture: LedgerFixture) async throws -> (team: UUID, openJob: UUID) {
        let team = try await fixture.makeTeam()
        try await fixture.grant(500, to: team)
        try await fixture.grant(-20, to: team)
        let (open, full, partial, released, free) = (UUID(), UUID(), UUID(), UUID(), UUID())
        try await fixture.hold(30, team: team, job: open)
        try await fixture.hold(50, team: team, job: full)
        try await fixture.hold(50, team: team, job: partial)
        try await fixture.hold(70, team: team, job: released)
        try await fixture.hold(0, team: team, job: free)
        _ = try await fixture.capture(50, job: full)
        _ = try await fixture.capture(20, job: partial)
        _ = try await fixture.release(job: released)
        _ = try await fixture.capture(0, job: free)
        return (team, open)
    }

    @Test func aLedgerBuiltThroughTheLedgerHasNoViolations() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, _) = try await Self.busyLedger(fixture)
            #expect(try await fixture.balance(team) == Balance(available: 380, held: 30, posted: 410))
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func cachedBalanceThatDisagreesWithTheEntriesIsReported() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, _) = try await Self.busyLedger(fixture)
            try await fixture.postgres.query(
                "UPDATE credit_accounts SET posted = posted + 5 WHERE team_id = \(team)", logger: fixture.logger)
            let violations = try await fixture.violations()
            #expect(violations == [
                "team \(Self.text(team)): credit_accounts posted=415 held=30, but ledger posted=410 held=30",
                "team \(Self.text(team)): posted=415, but its credit lots hold 410",
            ])
        }
    }

    @Test func unbalancedTransactionIsReported() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, _) = try await Self.busyLedger(fixture)
            let transaction = UUID()
            // Credits from nowhere: one entry, no counter-entry (the cached balance is moved too, so only the sum is off).
            try await fixture.postgres.query(
                """
                INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount)
                VALUES (\(transaction), 'available', \(team), 'grant', 7)
                """, logger: fixture.logger)
            try await fixture.postgres.query(
                "UPDATE credit_accounts SET posted = posted + 7 WHERE team_id = \(team)", logger: fixture.logger)
            let violations = try await fixture.violations()
            #expect(violations == [
                "ledger transaction \(Self.text(transaction)): entries sum to 7, kinds grant, jobs 0",
                "team \(Self.text(team)): posted=417, but its credit lots hold 410",
            ])
        }
    }

    @Test func holdResolvedWithoutLedgerMovementIsReported() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, job) = try await Self.busyLedger(fixture)
            // A "capture" that only flips the hold row: balances and entries still say the credits are held.
            try await fixture.postgres.query(
                "UPDATE holds SET status = 'captured', captured = amount, resolved_at = now() WHERE job_id = \(job)",
                logger: fixture.logger)
            let violations = try await fixture.violations()
            #expect(violations.count == 2, "\(violations)")
            #expect(violations.contains("team \(Self.text(team)): credit_accounts held=30, but open holds total 0"))
            #expect(violations.contains {
                $0.hasPrefix("job \(Self.text(job)): hold row captured;") && $0.hasSuffix("amount=30 captured=30 released=0")
            })
        }
    }

    @Test func overdraftIsReportedEvenWithoutTheDatabaseConstraint() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, _) = try await Self.busyLedger(fixture)
            // The CHECK constraints would refuse this row; the checker must not rely on them.
            try await fixture.postgres.query(
                "ALTER TABLE credit_accounts DROP CONSTRAINT credit_accounts_no_overdraft", logger: fixture.logger)
            try await fixture.postgres.query(
                "UPDATE credit_accounts SET posted = 10 WHERE team_id = \(team)", logger: fixture.logger)
            let violations = try await fixture.violations()
            #expect(violations.contains("team \(Self.text(team)): posted=10 held=30, available -20"), "\(violations)")
            #expect(violations.contains("team \(Self.text(team)): credit_accounts posted=10 held=30, but ledger posted=410 held=30"))
            #expect(violations.contains("team \(Self.text(team)): posted=10, but its credit lots hold 410"))
            #expect(violations.count == 3, "\(violations)")
        }
    }

    @Test func finishedJobWithoutAHoldIsReported() async throws {
        try await TestDatabase.withLedger { fixture in
            let (team, _) = try await Self.busyLedger(fixture)
            let (user, job) = (UUID(), UUID())
            try await fixture.postgres.query(
                "INSERT INTO users (id, email, password_hash) VALUES (\(user), \("\(user)@example.com"), 'x')",
                logger: fixture.logger)
            try await fixture.postgres.query(
                """
                INSERT INTO jobs (id, kind, state, user_id, team_id, request, quoted, charged)
                VALUES (\(job), 'generate_video', 'succeeded', \(user), \(team), '{}'::jsonb, 10, 10)
                """, logger: fixture.logger)
            #expect(try await fixture.violations() == ["job \(Self.text(job)) (state succeeded): has no hold"])
        }
    }

    /// A UUID as PostgreSQL prints it.
    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }
}

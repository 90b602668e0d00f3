import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing

/// Grants and adjustments: they create the account, move `posted`, write balanced `grant`/`adjustment` entries, and
/// a negative adjustment can never take held credits.
struct LedgerGrantTests {
    @Test func grantsCreateTheAccountAndAddUp() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            #expect(try await fixture.balance(team) == .zero)

            let first = try await fixture.grant(100, to: team, reason: "welcome")
            #expect(first == Balance(available: 100, held: 0, posted: 100))
            let second = try await fixture.grant(50, to: team, reason: "top-up")
            #expect(second == Balance(available: 150, held: 0, posted: 150))
            #expect(try await fixture.balance(team) == second)

            let entries = try await fixture.ledger.entries(teamID: team, limit: 10, before: nil, client: fixture.postgres)
            #expect(entries.map(\.amount) == [50, 100])
            #expect(entries.map(\.kind) == ["grant", "grant"])
            #expect(entries.map(\.account) == ["available", "available"])
            #expect(entries.map(\.reason) == ["top-up", "welcome"])
            // The platform side of each grant: `issued` goes negative by the same amount.
            #expect(try await fixture.scalar("SELECT sum(amount)::int8 FROM ledger_entries WHERE account = 'issued'") == -150)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func entriesPageNewestFirst() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            for amount in Int64(1)...5 { try await fixture.grant(amount, to: team) }
            let page1 = try await fixture.ledger.entries(teamID: team, limit: 2, before: nil, client: fixture.postgres)
            #expect(page1.map(\.amount) == [5, 4])
            let page2 = try await fixture.ledger.entries(teamID: team, limit: 2, before: page1.last?.id, client: fixture.postgres)
            #expect(page2.map(\.amount) == [3, 2])
            let other = try await fixture.makeTeam()
            #expect(try await fixture.ledger.entries(teamID: other, limit: 10, before: nil, client: fixture.postgres).isEmpty)
        }
    }

    @Test(arguments: [Int64(0), Int64.min])
    func zeroOrUnrepresentableGrantIsRefused(amount: Int64) async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            await #expect(throws: BillingError.invalidAmount("grant amount must be non-zero, got \(amount)")) {
                try await fixture.grant(amount, to: team)
            }
            #expect(try await fixture.scalar("SELECT count(*) FROM ledger_entries") == 0)
        }
    }

    @Test func negativeAdjustmentTakesOnlyAvailableCredits() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            try await fixture.grant(100, to: team)
            try await fixture.hold(60, team: team, job: UUID())

            let adjusted = try await fixture.grant(-40, to: team, reason: "refund reversal")
            #expect(adjusted == Balance(available: 0, held: 60, posted: 60))
            // Held credits are out of reach: even one more credit is refused, and nothing moves.
            await #expect(throws: BillingError.insufficientCredits(required: 1, available: 0)) {
                try await fixture.grant(-1, to: team)
            }
            #expect(try await fixture.balance(team) == adjusted)
            #expect(try await fixture.scalar("SELECT count(*) FROM ledger_entries WHERE kind = 'adjustment'") == 2)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func adjustmentOfATeamWithoutAccountIsRefused() async throws {
        try await TestDatabase.withLedger { fixture in
            let team = try await fixture.makeTeam()
            await #expect(throws: BillingError.insufficientCredits(required: 5, available: 0)) {
                try await fixture.grant(-5, to: team)
            }
            #expect(try await fixture.scalar("SELECT count(*) FROM credit_accounts") == 0)
        }
    }
}

import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Testing

/// The no-overdraft promise under concurrency: holds racing on separate connections can never reserve more than
/// the team has, and racing holds for one job place exactly one.
struct LedgerConcurrencyTests {
    @Test func twelveConcurrentHoldsWhereThreeFitPlaceExactlyThree() async throws {
        try await TestDatabase.withLedger(maximumConnections: 14) { fixture in
            let team = try await fixture.makeTeam()
            try await fixture.grant(30, to: team)

            let outcomes = try await withThrowingTaskGroup(of: Result<Balance, BillingError>.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        do {
                            return .success(try await fixture.hold(10, team: team, job: UUID()))
                        } catch let error as BillingError {
                            return .failure(error)
                        }
                    }
                }
                var outcomes: [Result<Balance, BillingError>] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let placed = outcomes.filter { if case .success = $0 { true } else { false } }
            let refused = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
            #expect(placed.count == 3)
            #expect(refused.count == 9)
            #expect(refused.allSatisfy { if case .insufficientCredits(required: 10, _) = $0 { true } else { false } }, "\(refused)")
            #expect(try await fixture.balance(team) == Balance(available: 0, held: 30, posted: 30))
            #expect(try await fixture.scalar("SELECT count(*) FROM holds WHERE team_id = \(team) AND status = 'open'") == 3)
            #expect(try await fixture.scalar("SELECT count(*) FROM ledger_entries WHERE kind = 'hold'") == 6)
            #expect(try await fixture.violations() == [])
        }
    }

    @Test func concurrentHoldsForOneJobPlaceOne() async throws {
        try await TestDatabase.withLedger(maximumConnections: 8) { fixture in
            let team = try await fixture.makeTeam()
            let job = UUID()
            try await fixture.grant(100, to: team)

            let outcomes = try await withThrowingTaskGroup(of: Result<Balance, BillingError>.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            return .success(try await fixture.hold(10, team: team, job: job))
                        } catch let error as BillingError {
                            return .failure(error)
                        }
                    }
                }
                var outcomes: [Result<Balance, BillingError>] = []
                for try await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
            let refused = outcomes.compactMap { if case .failure(let error) = $0 { error } else { nil } }
            #expect(outcomes.count - refused.count == 1)
            #expect(refused == Array(repeating: BillingError.holdAlreadyExists(jobID: job), count: 5))
            #expect(try await fixture.balance(team) == Balance(available: 90, held: 10, posted: 100))
            #expect(try await fixture.violations() == [])
        }
    }
}

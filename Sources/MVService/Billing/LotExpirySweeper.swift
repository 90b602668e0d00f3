import Foundation
import Logging
import MVBilling
import MVCore
import PostgresNIO
import ServiceLifecycle

/// Expires credit lots past their expiry: every ``interval`` it asks which teams have due lots and runs
/// ``Ledger/expireDueLots(teamID:client:)`` for each (one transaction per team, under the team's account lock, so any
/// number of instances may sweep at once). A failed sweep is logged and retried on the next tick.
struct LotExpirySweeper: PeriodicChore {
    let ledger: Ledger
    let postgres: PostgresClient
    let interval: Duration
    let logger: Logger

    var choreName: String { "credit lot expiry sweep" }

    func runOnce() async throws {
        try await sweep()
    }

    /// One pass over the teams with due lots.
    func sweep() async throws {
        for team in try await ledger.teamsWithDueLots(client: postgres) {
            for (lotID, amount) in try await ledger.expireDueLots(teamID: team, client: postgres) {
                logger.info(
                    "credit lot expired", metadata: ["team": "\(team.lowercased)", "lot": "\(lotID.lowercased)", "amount": "\(amount)"])
            }
        }
    }
}

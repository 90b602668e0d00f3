import Foundation
import Logging
import MVBilling
import MVCore
import PostgresNIO
import ServiceLifecycle

/// Expires credit lots past their expiry: every ``interval`` it asks which teams have due lots and runs
/// ``Ledger/expireDueLots(teamID:client:)`` for each (one transaction per team, under the team's account lock, so any
/// number of instances may sweep at once). A failed sweep is logged and retried on the next tick.
struct LotExpirySweeper: Service {
    let ledger: Ledger
    let postgres: PostgresClient
    let interval: Duration
    let logger: Logger

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await sweep()
            } catch {
                logger.warning("credit lot expiry sweep failed", metadata: ["error": "\(String(describing: error).prefix(300))"])
            }
            let interval = self.interval
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil else { return }
        }
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

import Foundation
import Logging
import MVBilling
import MVTestSupport
import PostgresNIO

/// Shortcuts the ledger tests share: a team row to bill, each ledger call in its own transaction (with
/// `PostgresTransactionError` unwrapped so tests see `BillingError`), and raw counts for assertions.
struct LedgerFixture: Sendable {
    let postgres: PostgresClient
    let ledger = Ledger(logger: TestCluster.logger)
    var logger: Logger { TestCluster.logger }

    /// Inserts a team (the ledger's foreign keys need one).
    func makeTeam() async throws -> UUID {
        let id = UUID()
        try await postgres.query("INSERT INTO teams (id, name) VALUES (\(id), 'billing test team')", logger: logger)
        return id
    }

    /// Runs `body` in one transaction; a thrown error rolls it back and comes out unwrapped.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await postgres.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error
        }
    }

    @discardableResult
    func grant(_ amount: Int64, to team: UUID, reason: String = "test grant") async throws -> Balance {
        try await transaction { try await ledger.grant(teamID: team, amount: amount, reason: reason, userID: nil, on: $0) }
    }

    @discardableResult
    func hold(_ amount: Int64, team: UUID, job: UUID) async throws -> Balance {
        try await transaction { try await ledger.placeHold(teamID: team, jobID: job, amount: amount, userID: nil, on: $0) }
    }

    func capture(_ amount: Int64, job: UUID) async throws -> HoldResolution? {
        try await transaction { try await ledger.capture(jobID: job, amount: amount, on: $0) }
    }

    func release(job: UUID, reason: String = "test release") async throws -> HoldResolution? {
        try await transaction { try await ledger.release(jobID: job, reason: reason, on: $0) }
    }

    func balance(_ team: UUID) async throws -> Balance {
        try await ledger.balance(teamID: team, client: postgres)
    }

    /// The single `bigint` (or NULL as nil) a query returns.
    func scalar(_ query: PostgresQuery) async throws -> Int64? {
        let rows = try await postgres.query(query, logger: logger)
        for try await value in rows.decode(Int64?.self) { return value }
        return nil
    }

    /// The hold row of `job`: status, amount, captured, released.
    func holdRow(_ job: UUID) async throws -> (status: String, amount: Int64, captured: Int64, released: Int64)? {
        let rows = try await postgres.query(
            "SELECT status, amount, captured, released FROM holds WHERE job_id = \(job)", logger: logger)
        for try await row in rows.decode((String, Int64, Int64, Int64).self) { return row }
        return nil
    }

    /// `kind/account/amount` of the entries of `job`, in insertion order.
    func entries(job: UUID) async throws -> [String] {
        let rows = try await postgres.query(
            "SELECT kind, account, amount FROM ledger_entries WHERE job_id = \(job) ORDER BY id", logger: logger)
        var result: [String] = []
        for try await (kind, account, amount) in rows.decode((String, String, Int64).self) {
            result.append("\(kind)/\(account)/\(amount)")
        }
        return result
    }

    func violations() async throws -> [String] {
        try await LedgerInvariants().violations(client: postgres, logger: logger)
    }
}

extension TestDatabase {
    /// Runs `body` with a ledger fixture on a fresh, migrated database.
    static func withLedger<T: Sendable>(
        maximumConnections: Int = 20, _ body: (LedgerFixture) async throws -> T
    ) async throws -> T {
        try await withClient(maximumConnections: maximumConnections) { postgres in
            try await body(LedgerFixture(postgres: postgres))
        }
    }
}

import Foundation
import Logging
import PostgresNIO

/// The credit ledger in PostgreSQL: one account row per team with cached `posted`/`held` balances,
/// immutable double-entry `ledger_entries`, and one hold per job (see `sql/002_billing.sql`).
///
/// Writing methods take a `PostgresConnection` so the caller can compose them with its own writes
/// inside one transaction (`client.withTransaction { connection in ... }`). Each writing method is a
/// single SQL statement, and the overdraft rule (`posted - held >= 0`) is enforced by a conditional
/// `UPDATE` in that statement, so it holds under any concurrency and across service instances.
///
/// ```swift
/// let ledger = Ledger(logger: logger)
/// try await client.withTransaction(logger: logger) { connection in
///     _ = try await ledger.placeHold(teamID: team, jobID: job, amount: quote, userID: user, on: connection)
///     // insert the job row with the same connection ...
/// }
/// ```
public struct Ledger: Sendable {
    let logger: Logger

    /// Creates a ledger.
    /// - Parameter logger: Logger passed to every query.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Grants credits (`amount > 0`, kind `grant`) as a new credit lot, or adjusts them down (`amount < 0`, kind
    /// `adjustment`), drawing the amount from the team's lots.
    ///
    /// A grant is ONE statement: the account row (created if missing), the lot and the two `grant` entries (which name
    /// the lot). An adjustment is a guarded statement that may not take more than the available credits (it cannot
    /// touch held credits), followed in the same transaction by the draw from the lots (``drawFromLots``), which the
    /// adjustment's account row lock makes exact.
    /// - Parameters:
    ///   - teamID: The team (must exist in `teams`).
    ///   - amount: Credits to add (positive) or remove (negative); never zero.
    ///   - reason: Why, stored on the ledger entries and the lot.
    ///   - userID: Who granted, if known.
    ///   - apiKeyID: The API key the grant came with, if any.
    ///   - expiresAt: When the lot's unused credits expire (grants only; nil: never).
    ///   - priority: The lot's draw priority, 0...1000, lower first (grants only).
    ///   - connection: The connection (inside the caller's transaction: an adjustment is two statements).
    /// - Returns: The team's balance after the movement.
    /// - Throws: `BillingError.invalidAmount` for zero, an expiry on an adjustment or a priority out of range,
    ///   `BillingError.insufficientCredits` when a negative adjustment exceeds the available credits, or a `PSQLError`.
    public func grant(
        teamID: UUID, amount: Int64, reason: String, userID: UUID?, apiKeyID: UUID? = nil, expiresAt: Date? = nil,
        priority: Int = CreditLot.defaultPriority, on connection: PostgresConnection
    ) async throws -> Balance {
        guard amount != 0, amount != .min else {
            throw BillingError.invalidAmount("grant amount must be non-zero, got \(amount)")
        }
        guard CreditLot.priorities.contains(priority) else {
            throw BillingError.invalidAmount("priority must be \(CreditLot.priorities.lowerBound)...\(CreditLot.priorities.upperBound)")
        }
        let transactionID = UUID()
        if amount > 0 {
            let lotID = UUID()
            let rows = try await connection.query(
                """
                WITH acct AS (
                    INSERT INTO credit_accounts AS a (team_id, posted) VALUES (\(teamID), \(amount))
                    ON CONFLICT (team_id) DO UPDATE SET posted = a.posted + EXCLUDED.posted, updated_at = now()
                    RETURNING a.posted, a.held
                ), lot AS (
                    INSERT INTO credit_lots (id, team_id, granted, priority, expires_at, reason, granted_by, transaction_id)
                    VALUES (\(lotID), \(teamID), \(amount), \(priority), \(expiresAt), \(reason), \(userID), \(transactionID))
                ), moved AS (
                    INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, user_id, reason, api_key_id, lot_id)
                    SELECT \(transactionID), v.account, v.team_id, 'grant', v.amount, \(userID)::uuid, \(reason)::text,
                           \(apiKeyID)::uuid, \(lotID)
                    FROM acct CROSS JOIN (VALUES
                        ('issued', NULL::uuid, \(-amount)::int8),
                        ('available', \(teamID)::uuid, \(amount)::int8)
                    ) AS v (account, team_id, amount)
                )
                SELECT posted, held FROM acct
                """,
                logger: logger
            )
            for try await (posted, held) in rows.decode((Int64, Int64).self) {
                return Balance(posted: posted, held: held)
            }
            throw BillingError.invalidAmount("the grant wrote no account row")
        }
        guard expiresAt == nil else { throw BillingError.invalidAmount("an adjustment (negative amount) has no expiry") }
        let rows = try await connection.query(
            """
            WITH acct AS (
                UPDATE credit_accounts SET posted = posted + \(amount), updated_at = now()
                WHERE team_id = \(teamID) AND posted - held >= \(-amount)
                RETURNING posted, held
            ), moved AS (
                INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, user_id, reason, api_key_id)
                SELECT \(transactionID), v.account, v.team_id, 'adjustment', v.amount, \(userID)::uuid, \(reason)::text, \(apiKeyID)::uuid
                FROM acct CROSS JOIN (VALUES
                    ('issued', NULL::uuid, \(-amount)::int8),
                    ('available', \(teamID)::uuid, \(amount)::int8)
                ) AS v (account, team_id, amount)
            )
            SELECT posted, held FROM acct
            """,
            logger: logger
        )
        var adjusted: Balance?
        for try await (posted, held) in rows.decode((Int64, Int64).self) { adjusted = Balance(posted: posted, held: held) }
        if let adjusted {
            try await drawFromLots(
                teamID: teamID, amount: -amount, transactionID: transactionID, kind: .adjustment, jobID: nil, on: connection)
            return adjusted
        }
        // The guard matched no row. Read the current figure in a new statement (a fresh snapshot) so the error
        // reports what is really available now.
        let current = try await balance(teamID: teamID, on: connection)
        throw BillingError.insufficientCredits(required: -amount, available: current.available)
    }

    /// The team's balance; zeros when the team has no account row yet.
    /// - Parameters:
    ///   - teamID: The team.
    ///   - connection: The connection to read on (sees the caller's uncommitted writes).
    /// - Returns: The balance.
    public func balance(teamID: UUID, on connection: PostgresConnection) async throws -> Balance {
        let rows = try await connection.query(
            "SELECT posted, held FROM credit_accounts WHERE team_id = \(teamID)", logger: logger)
        for try await (posted, held) in rows.decode((Int64, Int64).self) {
            return Balance(posted: posted, held: held)
        }
        return .zero
    }

    /// The team's balance; zeros when the team has no account row yet.
    /// - Parameters:
    ///   - teamID: The team.
    ///   - client: The pool to read from.
    /// - Returns: The balance.
    public func balance(teamID: UUID, client: PostgresClient) async throws -> Balance {
        let rows = try await client.query(
            "SELECT posted, held FROM credit_accounts WHERE team_id = \(teamID)", logger: logger)
        for try await (posted, held) in rows.decode((Int64, Int64).self) {
            return Balance(posted: posted, held: held)
        }
        return .zero
    }

    /// The team's ledger entries (`available` and `held` accounts), newest first.
    /// - Parameters:
    ///   - teamID: The team.
    ///   - limit: Page size, clamped to 1...100.
    ///   - before: Exclusive upper bound on `id` (the last id of the previous page), or nil for the first page.
    ///   - client: The pool to read from.
    /// - Returns: Up to `limit` entries ordered by descending id.
    public func entries(teamID: UUID, limit: Int, before: Int64?, client: PostgresClient) async throws -> [LedgerEntry] {
        let pageSize = Int64(min(max(limit, 1), 100))
        let upperBound = before ?? .max
        let rows = try await client.query(
            """
            SELECT id, transaction_id, account, team_id, kind, amount, job_id, user_id, api_key_id, lot_id, reason, created_at
            FROM ledger_entries
            WHERE team_id = \(teamID) AND id < \(upperBound)
            ORDER BY id DESC
            LIMIT \(pageSize)
            """,
            logger: logger
        )
        var result: [LedgerEntry] = []
        let columns = (Int64, UUID, String, UUID?, String, Int64, UUID?, UUID?, UUID?, UUID?, String?, Date).self
        for try await (id, transactionID, account, team, kind, amount, jobID, userID, keyID, lotID, reason, createdAt) in rows.decode(columns) {
            result.append(
                LedgerEntry(
                    id: id, transactionID: transactionID, account: account, teamID: team, kind: kind, amount: amount,
                    jobID: jobID, userID: userID, apiKeyID: keyID, lotID: lotID, reason: reason, createdAt: createdAt))
        }
        return result
    }
}

import Foundation
import Logging
import PostgresNIO

extension Ledger {
    /// Captures one part of the job's open hold: moves `amount` credits from held to revenue, draws them from the team's
    /// lots like a capture, and records the part in `hold_captures`, so a job whose work finishes piece by piece (a
    /// project's render: scenes, character, each clip, merge) is charged as each piece finishes.
    ///
    /// One guarded statement: `UPDATE holds SET captured = captured + amount WHERE status = 'open' AND captured + amount
    /// <= amount_held` (so parts never exceed the hold, whatever runs concurrently: the row lock serialises them and
    /// the guard is re-checked on the newest row), the `hold_captures` row, the account's balances and the two
    /// `capture` entries; then the lot draw (``drawFromLots``), exact under the account row lock the statement took.
    /// `(job_id, part)` is unique: a part is paid once, even if a worker retries it. The hold stays open; its final
    /// resolution (``capture(jobID:amount:on:)`` or ``release(jobID:reason:on:)``) releases what the parts left.
    /// - Parameters:
    ///   - jobID: The job whose hold pays.
    ///   - part: A name unique within the job (`scenes`, `clip:2`), 1...100 characters.
    ///   - amount: Credits (> 0).
    ///   - reason: Stored on the capture entries (what the part paid for).
    ///   - connection: The connection (inside the caller's transaction that records the finished piece).
    /// - Returns: The hold after the part.
    /// - Throws: ``BillingError/invalidAmount(_:)`` (amount <= 0 or a bad part name), ``BillingError/noOpenHold(jobID:)``,
    ///   ``BillingError/partAlreadyCaptured(jobID:part:)``, ``BillingError/holdExceeded(jobID:requested:remaining:)``,
    ///   ``BillingError/lotsOutOfBalance(teamID:)`` or a `PSQLError`. After a `partAlreadyCaptured` raised by a
    ///   concurrent duplicate (a unique violation), PostgreSQL has aborted the transaction: roll it back.
    public func capturePart(
        jobID: UUID, part: String, amount: Int64, reason: String?, on connection: PostgresConnection
    ) async throws -> HoldProgress {
        guard amount > 0 else { throw BillingError.invalidAmount("a captured part must be > 0, got \(amount)") }
        guard (1...100).contains(part.count) else { throw BillingError.invalidAmount("a part name must be 1...100 characters") }
        let transactionID = UUID()
        let rows: PostgresRowSequence
        do {
            rows = try await connection.query(
                """
                WITH taken AS (
                    UPDATE holds SET captured = captured + \(amount)
                    WHERE job_id = \(jobID) AND status = 'open' AND captured + \(amount) <= amount
                      AND NOT EXISTS (SELECT 1 FROM hold_captures WHERE job_id = \(jobID) AND part = \(part))
                    RETURNING team_id, amount, captured, user_id, api_key_id
                ), recorded AS (
                    INSERT INTO hold_captures (transaction_id, job_id, part, amount)
                    SELECT \(transactionID), \(jobID), \(part), \(amount) FROM taken
                ), acct AS (
                    UPDATE credit_accounts AS a
                    SET posted = a.posted - \(amount), held = a.held - \(amount), updated_at = now()
                    FROM taken AS t WHERE a.team_id = t.team_id
                    RETURNING a.team_id
                ), moved AS (
                    INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, job_id, reason, user_id, api_key_id)
                    SELECT \(transactionID), v.account, v.team_id, 'capture', v.amount, \(jobID), \(reason)::text, t.user_id, t.api_key_id
                    FROM taken AS t CROSS JOIN LATERAL (VALUES
                        ('held', t.team_id, \(-amount)::int8),
                        ('revenue', NULL::uuid, \(amount)::int8)
                    ) AS v (account, team_id, amount)
                )
                SELECT team_id, amount, captured, EXISTS (SELECT 1 FROM acct) FROM taken
                """,
                logger: logger)
            var taken: (teamID: UUID, progress: HoldProgress, moved: Bool)?
            for try await (teamID, held, captured, moved) in rows.decode((UUID, Int64, Int64, Bool).self) {
                taken = (teamID, HoldProgress(amount: held, captured: captured), moved)
            }
            if let taken {
                guard taken.moved else { throw BillingError.lotsOutOfBalance(teamID: taken.teamID) }
                try await drawFromLots(
                    teamID: taken.teamID, amount: amount, transactionID: transactionID, kind: .capture, jobID: jobID, on: connection)
                return taken.progress
            }
        } catch let error as PSQLError where Self.isPartConflict(error) {
            throw BillingError.partAlreadyCaptured(jobID: jobID, part: part)
        }
        // Nothing moved: say why, from a fresh snapshot.
        let state = try await connection.query(
            """
            SELECT h.status, h.amount, h.captured, EXISTS (SELECT 1 FROM hold_captures c WHERE c.job_id = h.job_id AND c.part = \(part))
            FROM holds h WHERE h.job_id = \(jobID)
            """,
            logger: logger)
        for try await (status, held, captured, duplicate) in state.decode((String, Int64, Int64, Bool).self) {
            if duplicate { throw BillingError.partAlreadyCaptured(jobID: jobID, part: part) }
            guard status == "open" else { throw BillingError.noOpenHold(jobID: jobID) }
            throw BillingError.holdExceeded(jobID: jobID, requested: amount, remaining: held - captured)
        }
        throw BillingError.noOpenHold(jobID: jobID)
    }

    /// The job's hold as parts left it: its amount and what its parts captured so far; nil without a hold.
    public func holdProgress(jobID: UUID, on connection: PostgresConnection) async throws -> HoldProgress? {
        let rows = try await connection.query("SELECT amount, captured FROM holds WHERE job_id = \(jobID)", logger: logger)
        for try await (amount, captured) in rows.decode((Int64, Int64).self) {
            return HoldProgress(amount: amount, captured: captured)
        }
        return nil
    }

    /// True for the unique violation on `hold_captures (job_id, part)`: a concurrent capture of the same part won.
    static func isPartConflict(_ error: PSQLError) -> Bool {
        error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
            && error.serverInfo?[.constraintName] == "hold_captures_job_id_part_key"
    }
}

/// A hold while parts are captured from it.
public struct HoldProgress: Sendable, Equatable {
    /// Credits held at admission.
    public var amount: Int64
    /// Credits its parts captured so far.
    public var captured: Int64
    /// What is still held: `amount - captured`.
    public var remaining: Int64 { amount - captured }

    /// Creates a value.
    public init(amount: Int64, captured: Int64) {
        self.amount = amount
        self.captured = captured
    }
}

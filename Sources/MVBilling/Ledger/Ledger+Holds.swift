import Foundation
import Logging
import PostgresNIO

extension Ledger {
    /// Places the job's single hold: moves `amount` from the team's available to held credits.
    ///
    /// One statement, SQL function `ledger_place_hold` (sql/018, which one-round-trip admission calls too): a conditional
    /// `UPDATE credit_accounts ... WHERE posted - held >= amount`, the `holds` row, and the two `hold` ledger entries. A free job (`amount == 0`) gets a hold row but
    /// no account movement and no ledger entries, and needs no account row; with a `reason` (why it is free, e.g.
    /// `reroll_free: previous clip failed`) it also gets a zero `hold` transaction that says so in the ledger.
    ///
    /// If two transactions race to hold the same job, the loser fails on the `holds` primary key and
    /// gets `holdAlreadyExists`; PostgreSQL has then aborted its transaction, so roll it back.
    /// - Parameters:
    ///   - teamID: The team that pays.
    ///   - jobID: The job; at most one hold per job, ever.
    ///   - amount: Credits to reserve (>= 0).
    ///   - userID: Who asked, stored on the hold and on every entry that resolves it.
    ///   - apiKeyID: The API key the request came with, stored likewise (nil for token calls).
    ///   - reason: Stored on the hold entries; for a free hold, why it is free (then written as zero entries).
    ///   - connection: The connection (inside the caller's admission transaction).
    /// - Returns: The team's balance after the hold.
    /// - Throws: `BillingError.invalidAmount` (negative), `.insufficientCredits(required:available:)`
    ///   (available < amount, including teams without an account row), `.holdAlreadyExists(jobID:)`,
    ///   or a `PSQLError`.
    public func placeHold(
        teamID: UUID, jobID: UUID, amount: Int64, userID: UUID?, apiKeyID: UUID? = nil, reason: String? = nil,
        on connection: PostgresConnection
    ) async throws -> Balance {
        guard amount >= 0 else {
            throw BillingError.invalidAmount("hold amount must be >= 0, got \(amount)")
        }
        let rows: PostgresRowSequence
        do {
            rows = try await connection.query(
                "SELECT * FROM ledger_place_hold(\(teamID), \(jobID), \(amount), \(userID)::uuid, \(apiKeyID)::uuid, \(reason)::text)",
                logger: logger)
        } catch let error as PSQLError where Self.isHoldConflict(error) {
            throw BillingError.holdAlreadyExists(jobID: jobID)
        }
        // The statement always returns one row; the defaults only matter if it somehow did not.
        var outcome: (placed: Bool, existed: Bool, balance: Balance) = (false, false, .zero)
        do {
            for try await (placed, existed, posted, held) in rows.decode((Bool, Bool, Int64, Int64).self) {
                outcome = (placed, existed, Balance(posted: posted, held: held))
            }
        } catch let error as PSQLError where Self.isHoldConflict(error) {
            throw BillingError.holdAlreadyExists(jobID: jobID)
        }
        if outcome.placed {
            return outcome.balance
        }
        if outcome.existed {
            throw BillingError.holdAlreadyExists(jobID: jobID)
        }
        // The statement's snapshot may predate a concurrent hold we waited for; read again.
        let current = try await balance(teamID: teamID, on: connection)
        throw BillingError.insufficientCredits(required: amount, available: current.available)
    }

    /// Resolves the job's open hold by charging up to `amount` in all: captures `min(amount, hold)` and
    /// releases the remainder, in one statement. Parts captured before (``capturePart(jobID:part:amount:reason:on:)``)
    /// count towards `amount` and are never undone: the total captured is `max(parts, min(amount, hold))`, so
    /// `capture(amount: 0)` after parts releases exactly what they left.
    ///
    /// `UPDATE holds ... WHERE status = 'open'` runs first and makes this exactly-once: a second call,
    /// or a call racing a `release`, finds no open hold and returns nil without touching balances.
    /// - Parameters:
    ///   - jobID: The job.
    ///   - amount: The actual cost (>= 0); more than the hold is capped at the hold.
    ///   - connection: The connection (inside the caller's transaction that finishes the job).
    /// - Returns: What was captured and released, or nil if the job has no open hold.
    /// - Throws: `BillingError.invalidAmount` (negative) or a `PSQLError`.
    public func capture(jobID: UUID, amount: Int64, on connection: PostgresConnection) async throws -> HoldResolution? {
        guard amount >= 0 else {
            throw BillingError.invalidAmount("capture amount must be >= 0, got \(amount)")
        }
        guard let (resolution, teamID, transactionID, capturedNow) = try await resolveHold(
            jobID: jobID, captureUpTo: amount, status: "captured", reason: nil, on: connection)
        else { return nil }
        if capturedNow > 0 {
            try await drawFromLots(
                teamID: teamID, amount: capturedNow, transactionID: transactionID, kind: .capture, jobID: jobID, on: connection)
        }
        return resolution
    }

    /// Releases the job's open hold in full (failure, cancel, timeout).
    /// - Parameters:
    ///   - jobID: The job.
    ///   - reason: Why, stored on the release entries.
    ///   - connection: The connection (inside the caller's transaction that finishes the job).
    /// - Returns: The resolution (`captured` is what captured parts took before, usually 0), or nil if the job has no
    ///   open hold.
    /// - Throws: A `PSQLError`.
    public func release(jobID: UUID, reason: String, on connection: PostgresConnection) async throws -> HoldResolution? {
        try await resolveHold(jobID: jobID, captureUpTo: 0, status: "released", reason: reason, on: connection)?.resolution
    }

    /// Closes an open hold: `captured = max(parts captured, min(limit, amount))`, `released = amount - captured`
    /// (the row is locked first, so the parts read are the newest); moves the
    /// account's balances and writes a capture transaction and/or a release transaction (none for zero), naming the
    /// user and API key that placed the hold; gives the released credits back to the quota counters the hold was
    /// counted in. The account row stays locked until the caller's transaction ends, so the lot draw that follows a
    /// capture is exact.
    /// - Returns: The resolution (totals), the team, the capture transaction's id and what this call captured; nil
    ///   without an open hold.
    private func resolveHold(
        jobID: UUID, captureUpTo limit: Int64, status: String, reason: String?, on connection: PostgresConnection
    ) async throws -> (resolution: HoldResolution, teamID: UUID, captureTransaction: UUID, capturedNow: Int64)? {
        let captureTransaction = UUID()
        let releaseTransaction = UUID()
        let rows = try await connection.query(
            """
            WITH prior AS (
                SELECT job_id, captured AS before FROM holds WHERE job_id = \(jobID) AND status = 'open' FOR UPDATE
            ), resolved AS (
                UPDATE holds AS h
                SET status = \(status), captured = GREATEST(p.before, LEAST(\(limit), h.amount)),
                    released = h.amount - GREATEST(p.before, LEAST(\(limit), h.amount)), resolved_at = now()
                FROM prior AS p
                WHERE h.job_id = p.job_id AND h.status = 'open'
                RETURNING h.team_id, h.amount, h.captured, h.released, h.user_id, h.api_key_id, h.captured - p.before AS now_captured
            ), acct AS (
                UPDATE credit_accounts AS a
                SET posted = a.posted - r.now_captured, held = a.held - (r.now_captured + r.released), updated_at = now()
                FROM resolved AS r
                WHERE a.team_id = r.team_id AND r.now_captured + r.released > 0
                RETURNING a.team_id
            ), moved AS (
                INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, job_id, reason, user_id, api_key_id)
                SELECT v.transaction_id, v.account, v.team_id, v.kind, v.amount, \(jobID), \(reason)::text, r.user_id, r.api_key_id
                FROM resolved AS r CROSS JOIN LATERAL (VALUES
                    (\(captureTransaction)::uuid, 'capture', 'held', r.team_id, -r.now_captured),
                    (\(captureTransaction)::uuid, 'capture', 'revenue', NULL::uuid, r.now_captured),
                    (\(releaseTransaction)::uuid, 'release', 'held', r.team_id, -r.released),
                    (\(releaseTransaction)::uuid, 'release', 'available', r.team_id, r.released)
                ) AS v (transaction_id, kind, account, team_id, amount)
                WHERE (v.kind = 'capture' AND r.now_captured > 0) OR (v.kind = 'release' AND r.released > 0)
            ), quota_returned AS (
                UPDATE quota_usage AS u SET used = u.used - r.released
                FROM quota_charges AS c, resolved AS r
                WHERE c.job_id = \(jobID) AND u.quota_id = c.quota_id AND u.period_start = c.period_start AND r.released > 0
            )
            SELECT captured, released, team_id, now_captured FROM resolved
            """,
            logger: logger
        )
        for try await (captured, released, teamID, nowCaptured) in rows.decode((Int64, Int64, UUID, Int64).self) {
            return (HoldResolution(captured: captured, released: released), teamID, captureTransaction, nowCaptured)
        }
        return nil
    }

    /// True for the unique violation on `holds_pkey`: a concurrent hold for the same job won.
    public static func isHoldConflict(_ error: PSQLError) -> Bool {
        error.serverInfo?[.sqlState] == PostgresError.Code.uniqueViolation.raw
            && error.serverInfo?[.constraintName] == "holds_pkey"
    }
}

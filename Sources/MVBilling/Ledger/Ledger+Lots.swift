import Foundation
import Logging
import MVCore
import PostgresNIO

extension Ledger {
    /// The order captures and adjustments draw lots in: lots already past their expiry (whose rest is reserved by
    /// open holds) first, then by priority (lower first), soonest expiry, oldest.
    static let drawOrder = "(expires_at IS NOT NULL AND expires_at <= now()) DESC, priority, expires_at NULLS LAST, created_at, id"

    /// Takes `amount` credits from the team's lots in ``drawOrder`` and records which lots paid how much
    /// (`lot_consumptions`), in one statement.
    ///
    /// Run it only in a transaction that already holds the team's `credit_accounts` row lock (a capture or an
    /// adjustment updated it just before): every other movement of the team's lots waits for that lock, so this
    /// statement's snapshot of the lots is current. The lots always cover `posted`, and `amount` was just taken from
    /// `posted`, so anything short of `amount` means the books disagree: it throws and the transaction rolls back.
    /// - Throws: ``BillingError/lotsOutOfBalance(teamID:)`` or a `PSQLError`.
    func drawFromLots(
        teamID: UUID, amount: Int64, transactionID: UUID, kind: LotDrawKind, jobID: UUID?, on connection: PostgresConnection
    ) async throws {
        let rows = try await connection.query(
            """
            WITH ordered AS (
                SELECT id, granted - consumed - expired AS remaining,
                       (sum(granted - consumed - expired) OVER (ORDER BY \(unescaped: Self.drawOrder)))::int8 AS through
                FROM credit_lots WHERE team_id = \(teamID) AND consumed + expired < granted
            ), allocated AS (
                SELECT id, LEAST(remaining, \(amount) - (through - remaining)) AS take
                FROM ordered WHERE through - remaining < \(amount)
            ), drawn AS (
                UPDATE credit_lots AS l SET consumed = l.consumed + a.take
                FROM allocated AS a WHERE l.id = a.id AND l.granted - l.consumed - l.expired >= a.take
                RETURNING l.id, a.take
            ), recorded AS (
                INSERT INTO lot_consumptions (lot_id, transaction_id, kind, job_id, amount)
                SELECT id, \(transactionID), \(kind.rawValue), \(jobID)::uuid, take FROM drawn
            )
            SELECT coalesce(sum(take), 0)::int8 FROM drawn
            """,
            logger: logger)
        var drawn: Int64 = 0
        for try await value in rows.decode(Int64.self) { drawn = value }
        guard drawn == amount else { throw BillingError.lotsOutOfBalance(teamID: teamID) }
    }

    /// Expires what is due in the team's lots, in its own transaction: for every lot past its expiry, the unused
    /// credits that open holds do not need leave through an `expire` transaction (`available` → the platform's
    /// `expired` account, entries naming the lot), and a `credits.expired` audit event is written.
    ///
    /// Open holds keep their credits: the team's `held` credits are attributed to its lots in ``drawOrder`` (the
    /// order their captures will draw), and only the part of a due lot beyond that attribution expires, so
    /// `available = posted − held` stays ≥ 0 and a capture of a hold placed before the expiry is still paid by the
    /// lot it was reserved from. What stays reserved expires on a later sweep once its hold resolves.
    /// - Returns: The lots that expired credits, with the amounts.
    public func expireDueLots(teamID: UUID, client: PostgresClient) async throws -> [(lotID: UUID, amount: Int64)] {
        try await client.transaction(logger: logger) { connection in
            // The account row lock orders this against every hold, capture and adjustment of the team, so the
            // statement below reads lots and holds that nobody else is changing.
            let locked = try await connection.query(
                "SELECT held FROM credit_accounts WHERE team_id = \(teamID) FOR UPDATE", logger: logger)
            var held: Int64?
            for try await value in locked.decode(Int64.self) { held = value }
            guard let held else { return [] }
            let rows = try await connection.query(
                """
                WITH ordered AS (
                    SELECT id, expires_at, granted - consumed - expired AS remaining,
                           (sum(granted - consumed - expired) OVER (ORDER BY \(unescaped: Self.drawOrder)))::int8
                               - (granted - consumed - expired) AS before
                    FROM credit_lots WHERE team_id = \(teamID) AND consumed + expired < granted
                ), due AS (
                    SELECT id, remaining - LEAST(remaining, GREATEST(0, \(held) - before)) AS amount, gen_random_uuid() AS tx
                    FROM ordered WHERE expires_at <= now()
                ), expiring AS (
                    UPDATE credit_lots AS l SET expired = l.expired + d.amount
                    FROM due AS d WHERE l.id = d.id AND d.amount > 0 AND l.granted - l.consumed - l.expired >= d.amount
                    RETURNING l.id, d.amount, d.tx
                ), acct AS (
                    UPDATE credit_accounts SET posted = posted - (SELECT sum(amount) FROM expiring), updated_at = now()
                    WHERE team_id = \(teamID) AND EXISTS (SELECT 1 FROM expiring)
                      AND posted - held >= (SELECT sum(amount) FROM expiring)
                    RETURNING team_id
                ), moved AS (
                    INSERT INTO ledger_entries (transaction_id, account, team_id, kind, amount, reason, lot_id)
                    SELECT e.tx, v.account, v.team_id, 'expire', v.amount, 'lot expired', e.id
                    FROM expiring AS e CROSS JOIN acct CROSS JOIN LATERAL (VALUES
                        ('available', \(teamID)::uuid, -e.amount),
                        ('expired', NULL::uuid, e.amount)
                    ) AS v (account, team_id, amount)
                )
                SELECT e.id, e.amount, EXISTS (SELECT 1 FROM acct) FROM expiring AS e
                """,
                logger: logger)
            var expired: [(lotID: UUID, amount: Int64)] = []
            for try await (lotID, amount, moved) in rows.decode((UUID, Int64, Bool).self) {
                guard moved else { throw BillingError.lotsOutOfBalance(teamID: teamID) }
                expired.append((lotID, amount))
            }
            let audit = AuditLog(logger: logger)
            for (lotID, amount) in expired {
                try await audit.record(
                    AuditEvent(
                        .creditsExpired, actorUserID: nil, teamID: teamID, target: .init(type: "credit_lot", id: lotID.lowercased),
                        detail: ["amount": .number(Double(amount))]),
                    on: connection)
            }
            return expired
        }
    }

    /// Teams with lots past their expiry that still hold credits (at most `limit`), for the expiry sweeper.
    public func teamsWithDueLots(limit: Int = 500, client: PostgresClient) async throws -> [UUID] {
        let rows = try await client.query(
            """
            SELECT DISTINCT team_id FROM credit_lots
            WHERE expires_at <= now() AND consumed + expired < granted
            LIMIT \(Int64(limit))
            """,
            logger: logger)
        var teams: [UUID] = []
        for try await team in rows.decode(UUID.self) { teams.append(team) }
        return teams
    }

    /// The team's credits that will expire: what is left in each lot with an expiry, soonest first.
    public func expiring(teamID: UUID, client: PostgresClient) async throws -> [ExpiringCredits] {
        let rows = try await client.query(
            """
            SELECT granted - consumed - expired, expires_at FROM credit_lots
            WHERE team_id = \(teamID) AND expires_at IS NOT NULL AND consumed + expired < granted
            ORDER BY expires_at, id LIMIT 100
            """,
            logger: logger)
        var expiring: [ExpiringCredits] = []
        for try await (amount, expiresAt) in rows.decode((Int64, Date).self) {
            expiring.append(ExpiringCredits(amount: amount, expiresAt: expiresAt))
        }
        return expiring
    }

    /// The team's lots, newest first (at most 1,000).
    public func lots(teamID: UUID, client: PostgresClient) async throws -> [CreditLot] {
        let rows = try await client.query(
            """
            SELECT id, granted, consumed, expired, priority, expires_at, reason, granted_by, created_at
            FROM credit_lots WHERE team_id = \(teamID)
            ORDER BY created_at DESC, id LIMIT 1000
            """,
            logger: logger)
        var lots: [CreditLot] = []
        for try await row in rows.decode((UUID, Int64, Int64, Int64, Int, Date?, String?, UUID?, Date).self) {
            lots.append(
                CreditLot(
                    id: row.0, granted: row.1, consumed: row.2, expired: row.3, priority: row.4, expiresAt: row.5, reason: row.6,
                    grantedBy: row.7, createdAt: row.8))
        }
        return lots
    }
}

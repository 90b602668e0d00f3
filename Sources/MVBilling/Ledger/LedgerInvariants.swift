import Logging
import PostgresNIO

/// Checks the ledger's promises in SQL; run by tests after every billing/job test and at the end of load runs.
///
/// Each check is one query returning human-readable violation lines (at most 100 per check).
public struct LedgerInvariants: Sendable {
    /// Creates a checker.
    public init() {}

    /// Returns human-readable violations (empty means all good).
    ///
    /// Checks: every ledger transaction sums to zero and has one kind and at most one job; each account's
    /// cached `posted`/`held` equal its ledger entries; `held >= 0` and `posted - held >= 0`; `held` equals
    /// what the team's open holds still hold (amount − captured parts); hold rows are consistent (`captured + released
    /// = amount` once resolved, `captured` = its captured parts while open); every captured part has its capture
    /// transaction of the same amount; per job at most one hold pair, one release transaction and, besides its
    /// captured parts, one capture transaction, matching the hold row; every job has a hold of its team, open while queued/running and resolved when finished, with
    /// `jobs.charged`/`jobs.released` equal to the hold's captured/released; each team's credit lots hold exactly its
    /// posted credits, each lot's consumed/expired/granted figures equal its consumptions, expire entries and grant
    /// entries, and every capture and adjustment was paid by lots to the credit; every quota counter equals what the
    /// holds counted in it still commit (amount − released).
    /// - Parameters:
    ///   - client: The pool to read from (the checks run on one connection, one after another).
    ///   - logger: Logger for the queries.
    /// - Returns: The violations, grouped by check.
    public func violations(client: PostgresClient, logger: Logger) async throws -> [String] {
        try await client.withConnection { connection in
            var found: [String] = []
            for check in Self.checks {
                let rows = try await connection.query(check, logger: logger)
                for try await line in rows.decode(String.self) {
                    found.append(line)
                }
            }
            return found
        }
    }

    /// The check queries, in reporting order.
    static var checks: [PostgresQuery] {
        [
            """
            SELECT format('ledger transaction %s: entries sum to %s, kinds %s, jobs %s',
                          transaction_id, sum(amount), string_agg(DISTINCT kind, ','), count(DISTINCT job_id))
            FROM ledger_entries GROUP BY transaction_id
            HAVING sum(amount) <> 0 OR count(DISTINCT kind) <> 1 OR count(DISTINCT job_id) > 1
            ORDER BY transaction_id LIMIT 100
            """,
            """
            SELECT format('team %s: credit_accounts posted=%s held=%s, but ledger posted=%s held=%s',
                          coalesce(a.team_id, e.team_id), coalesce(a.posted, 0), coalesce(a.held, 0),
                          coalesce(e.posted, 0), coalesce(e.held, 0))
            FROM credit_accounts AS a
            FULL OUTER JOIN (
                SELECT team_id, sum(amount) AS posted, coalesce(sum(amount) FILTER (WHERE account = 'held'), 0) AS held
                FROM ledger_entries WHERE team_id IS NOT NULL GROUP BY team_id
            ) AS e ON e.team_id = a.team_id
            WHERE coalesce(a.posted, 0) <> coalesce(e.posted, 0) OR coalesce(a.held, 0) <> coalesce(e.held, 0)
            LIMIT 100
            """,
            """
            SELECT format('team %s: posted=%s held=%s, available %s', team_id, posted, held, posted - held)
            FROM credit_accounts WHERE held < 0 OR posted - held < 0 LIMIT 100
            """,
            """
            SELECT format('team %s: credit_accounts held=%s, but open holds total %s',
                          coalesce(a.team_id, h.team_id), coalesce(a.held, 0), coalesce(h.total, 0))
            FROM credit_accounts AS a
            FULL OUTER JOIN (
                SELECT team_id, sum(amount - captured) AS total FROM holds WHERE status = 'open' GROUP BY team_id
            ) AS h ON h.team_id = a.team_id
            WHERE coalesce(a.held, 0) <> coalesce(h.total, 0)
            LIMIT 100
            """,
            """
            SELECT format('hold for job %s: status=%s amount=%s captured=%s released=%s resolved_at=%s',
                          job_id, status, amount, captured, released, coalesce(resolved_at::text, 'null'))
            FROM holds
            WHERE (status = 'open' AND (captured > amount OR released <> 0 OR resolved_at IS NOT NULL))
               OR (status <> 'open' AND (captured + released <> amount OR resolved_at IS NULL))
            LIMIT 100
            """,
            """
            SELECT format('hold for job %s (%s): captured=%s, but its captured parts total %s',
                          h.job_id, h.status, h.captured, coalesce(p.total, 0))
            FROM holds AS h
            LEFT JOIN (SELECT job_id, sum(amount) AS total FROM hold_captures GROUP BY job_id) AS p ON p.job_id = h.job_id
            WHERE (h.status = 'open' AND h.captured <> coalesce(p.total, 0))
               OR (h.status <> 'open' AND h.captured < coalesce(p.total, 0))
            LIMIT 100
            """,
            """
            SELECT format('captured part %s of job %s (%s credits): its ledger transaction moved %s credits from held',
                          c.part, c.job_id, c.amount, coalesce(-sum(e.amount), 0))
            FROM hold_captures AS c
            LEFT JOIN ledger_entries AS e
                ON e.transaction_id = c.transaction_id AND e.kind = 'capture' AND e.account = 'held' AND e.job_id = c.job_id
            GROUP BY c.transaction_id, c.part, c.job_id, c.amount
            HAVING coalesce(-sum(e.amount), 0) <> c.amount
            LIMIT 100
            """,
            """
            SELECT format('job %s: hold row %s; ledger: %s hold transaction(s) with %s entries (held +%s), '
                          '%s capture transaction(s) (held -%s), %s release transaction(s) (held -%s); '
                          'hold row: amount=%s captured=%s released=%s',
                          coalesce(h.job_id, e.job_id), CASE WHEN h.job_id IS NULL THEN 'missing' ELSE h.status END,
                          coalesce(e.hold_tx, 0), coalesce(e.hold_entries, 0), coalesce(e.held_in, 0),
                          coalesce(e.capture_tx, 0), coalesce(e.captured, 0),
                          coalesce(e.release_tx, 0), coalesce(e.released, 0),
                          h.amount, h.captured, h.released)
            FROM holds AS h
            FULL OUTER JOIN (
                SELECT job_id,
                       count(DISTINCT transaction_id) FILTER (WHERE kind = 'hold') AS hold_tx,
                       count(*) FILTER (WHERE kind = 'hold') AS hold_entries,
                       coalesce(sum(amount) FILTER (WHERE kind = 'hold' AND account = 'held'), 0) AS held_in,
                       count(DISTINCT transaction_id) FILTER (WHERE kind = 'capture') AS capture_tx,
                       coalesce(-sum(amount) FILTER (WHERE kind = 'capture' AND account = 'held'), 0) AS captured,
                       count(DISTINCT transaction_id) FILTER (WHERE kind = 'release') AS release_tx,
                       coalesce(-sum(amount) FILTER (WHERE kind = 'release' AND account = 'held'), 0) AS released
                FROM ledger_entries WHERE job_id IS NOT NULL GROUP BY job_id
            ) AS e ON e.job_id = h.job_id
            LEFT JOIN (SELECT job_id, count(*) AS parts FROM hold_captures GROUP BY job_id) AS pc ON pc.job_id = h.job_id
            WHERE h.job_id IS NULL
               OR coalesce(e.hold_tx, 0) > 1 OR coalesce(e.hold_entries, 0) > 2
               OR coalesce(e.capture_tx, 0) - coalesce(pc.parts, 0) > 1 OR coalesce(e.release_tx, 0) > 1
               OR coalesce(e.held_in, 0) <> h.amount OR coalesce(e.captured, 0) <> h.captured
               OR coalesce(e.released, 0) <> h.released
            LIMIT 100
            """,
            """
            SELECT format('job %s (state %s): %s', j.id, j.state,
                          CASE
                              WHEN h.job_id IS NULL THEN 'has no hold'
                              WHEN h.team_id <> j.team_id THEN format('hold belongs to team %s, job to team %s', h.team_id, j.team_id)
                              WHEN j.state IN ('queued', 'running') THEN format('hold is %s, expected open', h.status)
                              WHEN h.status = 'open' THEN 'finished job still has an open hold'
                              ELSE format('charged=%s released=%s, but hold captured=%s released=%s',
                                          j.charged, j.released, h.captured, h.released)
                          END)
            FROM jobs AS j LEFT JOIN holds AS h ON h.job_id = j.id
            WHERE h.job_id IS NULL
               OR h.team_id <> j.team_id
               OR (j.state IN ('queued', 'running') AND h.status <> 'open')
               OR (j.state IN ('succeeded', 'failed', 'canceled')
                   AND (h.status = 'open' OR j.charged <> h.captured OR j.released <> h.released))
            LIMIT 100
            """,
            """
            SELECT format('team %s: posted=%s, but its credit lots hold %s',
                          coalesce(a.team_id, l.team_id), coalesce(a.posted, 0), coalesce(l.remaining, 0))
            FROM credit_accounts AS a
            FULL OUTER JOIN (
                SELECT team_id, sum(granted - consumed - expired) AS remaining FROM credit_lots GROUP BY team_id
            ) AS l ON l.team_id = a.team_id
            WHERE coalesce(a.posted, 0) <> coalesce(l.remaining, 0)
            LIMIT 100
            """,
            """
            SELECT format('credit lot %s: granted=%s consumed=%s expired=%s, but grant entries %s, consumptions %s, expire entries %s',
                          l.id, l.granted, l.consumed, l.expired, coalesce(e.granted, 0), coalesce(c.consumed, 0), coalesce(e.expired, 0))
            FROM credit_lots AS l
            LEFT JOIN (
                SELECT lot_id,
                       sum(amount) FILTER (WHERE kind = 'grant' AND account = 'available') AS granted,
                       -sum(amount) FILTER (WHERE kind = 'expire' AND account = 'available') AS expired
                FROM ledger_entries WHERE lot_id IS NOT NULL GROUP BY lot_id
            ) AS e ON e.lot_id = l.id
            LEFT JOIN (SELECT lot_id, sum(amount) AS consumed FROM lot_consumptions GROUP BY lot_id) AS c ON c.lot_id = l.id
            WHERE l.consumed <> coalesce(c.consumed, 0) OR l.expired <> coalesce(e.expired, 0)
               OR (NOT l.carried_over AND l.granted <> coalesce(e.granted, 0))
            LIMIT 100
            """,
            """
            SELECT format('ledger transaction %s (%s): moved %s credits, but lots paid %s',
                          coalesce(t.transaction_id, c.transaction_id), coalesce(t.kind, c.kind), coalesce(t.moved, 0), coalesce(c.paid, 0))
            FROM (
                SELECT transaction_id, min(kind) AS kind, min(created_at) AS at,
                       -sum(amount) FILTER (WHERE (kind = 'capture' AND account = 'held') OR (kind = 'adjustment' AND account = 'available')) AS moved
                FROM ledger_entries
                WHERE kind IN ('capture', 'adjustment')
                GROUP BY transaction_id
            ) AS t
            FULL OUTER JOIN (
                SELECT transaction_id, min(kind) AS kind, sum(amount) AS paid FROM lot_consumptions GROUP BY transaction_id
            ) AS c ON c.transaction_id = t.transaction_id
            WHERE coalesce(t.moved, 0) <> coalesce(c.paid, 0)
              -- Movements from before lots existed (migration 9) were paid by no lot.
              AND NOT (c.transaction_id IS NULL
                       AND t.at < coalesce((SELECT applied_at FROM schema_migrations WHERE version = 9), '-infinity'))
            LIMIT 100
            """,
            """
            SELECT format('quota %s, period from %s: used=%s, but the holds counted in it commit %s',
                          u.quota_id, u.period_start, u.used, coalesce(c.committed, 0))
            FROM quota_usage AS u
            LEFT JOIN (
                SELECT c.quota_id, c.period_start, sum(h.amount - h.released) AS committed
                FROM quota_charges AS c JOIN holds AS h ON h.job_id = c.job_id
                GROUP BY c.quota_id, c.period_start
            ) AS c ON c.quota_id = u.quota_id AND c.period_start = u.period_start
            WHERE u.used <> coalesce(c.committed, 0)
            LIMIT 100
            """,
        ]
    }
}

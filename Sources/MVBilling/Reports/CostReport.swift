import Foundation
import Logging
import MVCore
import PostgresNIO

/// Cost reports, computed in ONE query straight from the ledger, so every figure reconciles with it.
///
/// Rows come from the team-side (`held`) entries of `capture` and `release` transactions written in `[from, to)`,
/// joined to the jobs they name. Consequences, each by construction:
/// - `credits_charged` is `−amount` of the capture entries, so its sum over the rows of any grouping equals the
///   ledger's captures in the range to the credit (likewise `credits_released` and the releases).
/// - A row's time is the ENTRY's `created_at` (when the money moved), and `day` its local date in the query's zone.
/// - A job counts once, on the entry that resolved its hold: its capture (captured parts do not resolve a hold), or its
///   release when nothing was captured at resolution (`jobs.charged = 0`, or only parts). Capture and release are written by one statement (one timestamp), so this is "the distinct
///   jobs with a capture or release entry in the range", and rows never count a job twice. Failed and canceled jobs
///   have only releases: they cost the team 0.
/// - Provider units are the job's recorded usage, counted on that same entry; cost is units × the model's catalog
///   price (``CostReportPrice``), summed per model first, computed in `numeric` and rounded to 6 decimals per row; `margin_credits` is
///   `credits_charged − round(cost × 100)` (1 credit = USD 0.01, half away from zero).
///
/// ```swift
/// let query = try CostReportQuery(from: start, to: end, timeZone: "Europe/Berlin", groupBy: [.model, .day], teamID: team)
/// let total = try await CostReport(logger: logger).withRows(query, prices: prices, client: postgres) { rows in
///     try await rows.reduce(CostFigures()) { $0 + $1.figures }
/// }
/// ```
public struct CostReport: Sendable {
    let logger: Logger

    /// Creates a report reader.
    /// - Parameter logger: Logger passed to every query.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Whether PostgreSQL knows `name` as a time zone (`pg_timezone_names`), so `AT TIME ZONE` buckets by it.
    /// - Throws: A `PSQLError`.
    public func knowsTimeZone(_ name: String, client: PostgresClient) async throws -> Bool {
        let rows = try await client.query("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = \(name))", logger: logger)
        for try await known in rows.decode(Bool.self) { return known }
        return false
    }

    /// Runs the report query and hands its rows to `body` as they stream from the database (back-pressured; nothing
    /// is collected here).
    ///
    /// One read-only transaction on one connection: `SET LOCAL jit = off` (JIT compilation of this one-shot aggregate
    /// cost more than it saved: about 0.4 s of 2 s over a million entries), then the query.
    /// - Parameters:
    ///   - query: Range, zone, grouping, team.
    ///   - prices: Provider prices per (job kind, provider, model); models without one cost 0.
    ///   - client: The pool (one connection is held while `body` runs).
    ///   - body: Reads the rows, ordered by the grouped columns in canonical order (nulls last). Without grouping:
    ///     exactly one row (zeros when nothing moved).
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or a `PSQLError` (e.g. a zone PostgreSQL does not know: check
    ///   ``knowsTimeZone(_:client:)`` first).
    public func withRows<Result>(
        _ query: CostReportQuery, prices: [CostReportPrice], client: PostgresClient,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (CostReportRows) async throws -> sending Result
    ) async throws -> sending Result {
        let statement = Self.statement(query, prices: prices)
        return try await client.transaction(logger: logger, isolation: isolation) { connection in
            try await connection.query("SET TRANSACTION READ ONLY", logger: logger)
            try await connection.query("SET LOCAL jit = off", logger: logger)
            let rows = try await connection.query(statement, logger: logger)
            return try await body(CostReportRows(rows: rows, dimensions: query.groupBy))
        }
    }

    /// The report's one statement.
    static func statement(_ query: CostReportQuery, prices: [CostReportPrice]) -> PostgresQuery {
        // Only fixed fragments of the dimension enum are spliced; every value is bound.
        let groups = query.groupBy
        let dimensions = CostReportDimension.allCases
        // Per group and model first (so prices multiply unit sums, not rows), then per group.
        let modelSelected = (groups.map { "\($0.selected) AS \($0.column)" } + ["m.kind AS price_kind"]).joined(separator: ", ")
        let modelGroupBy = (groups.map(\.grouped) + ["m.kind", "m.provider_name", "m.provider_model"]).joined(separator: ", ")
        let selected = dimensions.map { dimension in
            groups.contains(dimension) ? "b.\(dimension.column)" : "\(dimension.absent) AS \(dimension.column)"
        }.joined(separator: ", ")
        // Without grouping, an aggregate without GROUP BY: exactly one row, zeros when nothing moved.
        let groupBy = groups.isEmpty ? "" : "GROUP BY " + groups.map { "b.\($0.column)" }.joined(separator: ", ")
        let orderBy = groups.isEmpty ? "" : "ORDER BY " + groups.map(\.column).joined(separator: ", ")
        // Exact microseconds (a Date bound directly would be truncated, possibly one microsecond early).
        let from = Self.microseconds(query.from)
        let to = Self.microseconds(query.to)
        let sql: PostgresQuery = """
            WITH price (kind, provider, model, per_second, per_image, per_million_input, per_million_output) AS (
                -- The catalog lists each (kind, provider, model) once; DISTINCT ON keeps a job from ever joining twice.
                SELECT DISTINCT ON (kind, provider, model)
                       kind, provider, model, per_second::numeric, per_image::numeric, per_million_input::numeric,
                       per_million_output::numeric
                FROM unnest(\(prices.map(\.jobKind))::text[], \(prices.map(\.provider))::text[], \(prices.map(\.model))::text[],
                            \(prices.map(\.usdPerVideoSecond))::float8[], \(prices.map(\.usdPerImage))::float8[],
                            \(prices.map(\.usdPerMillionInputTokens))::float8[], \(prices.map(\.usdPerMillionOutputTokens))::float8[])
                     AS p (kind, provider, model, per_second, per_image, per_million_input, per_million_output)
            ), moved AS (
                SELECT e.kind AS movement, -e.amount AS credits, (e.created_at AT TIME ZONE \(query.timeZone))::date AS day,
                       -- The entry that resolved the hold: its capture (not a captured part of a hold paid piece by
                       -- piece), else its release.
                       (CASE WHEN e.kind = 'capture'
                             THEN NOT EXISTS (SELECT 1 FROM hold_captures AS hc WHERE hc.transaction_id = e.transaction_id)
                             ELSE j.charged = 0 OR NOT EXISTS (
                                 SELECT 1 FROM ledger_entries AS c
                                 WHERE c.job_id = e.job_id AND c.kind = 'capture' AND c.account = 'held'
                                   AND NOT EXISTS (SELECT 1 FROM hold_captures AS hc WHERE hc.transaction_id = c.transaction_id))
                        END) AS resolves,
                       j.team_id, j.user_id, j.api_key_id, j.provider_name, j.provider_model, j.kind, j.state,
                       j.usage_video_seconds, j.usage_images, j.usage_input_tokens, j.usage_output_tokens
                FROM ledger_entries AS e JOIN jobs AS j ON j.id = e.job_id
                WHERE e.account = 'held' AND e.kind IN ('capture', 'release')
                  AND e.created_at >= timestamptz 'epoch' + \(from) * interval '1 microsecond'
                  AND e.created_at < timestamptz 'epoch' + \(to) * interval '1 microsecond'
                  AND (\(query.teamID)::uuid IS NULL OR e.team_id = \(query.teamID)::uuid)
            ), by_model AS (
                SELECT \(unescaped: modelSelected),
                       m.provider_name AS price_provider, m.provider_model AS price_model,
                       count(*) FILTER (WHERE m.resolves) AS jobs,
                       count(*) FILTER (WHERE m.resolves AND m.state = 'succeeded') AS succeeded,
                       count(*) FILTER (WHERE m.resolves AND m.state = 'failed') AS failed,
                       count(*) FILTER (WHERE m.resolves AND m.state = 'canceled') AS canceled,
                       coalesce(sum(m.credits) FILTER (WHERE m.movement = 'capture'), 0) AS charged,
                       coalesce(sum(m.credits) FILTER (WHERE m.movement = 'release'), 0) AS released,
                       coalesce(sum(m.usage_video_seconds) FILTER (WHERE m.resolves), 0) AS video_seconds,
                       coalesce(sum(m.usage_images) FILTER (WHERE m.resolves), 0) AS images,
                       coalesce(sum(m.usage_input_tokens) FILTER (WHERE m.resolves), 0) AS input_tokens,
                       coalesce(sum(m.usage_output_tokens) FILTER (WHERE m.resolves), 0) AS output_tokens
                FROM moved AS m
                GROUP BY \(unescaped: modelGroupBy)
            ), grouped AS (
                SELECT \(unescaped: selected),
                       coalesce(sum(b.jobs), 0) AS jobs, coalesce(sum(b.succeeded), 0) AS succeeded,
                       coalesce(sum(b.failed), 0) AS failed, coalesce(sum(b.canceled), 0) AS canceled,
                       coalesce(sum(b.charged), 0) AS charged, coalesce(sum(b.released), 0) AS released,
                       coalesce(sum(b.video_seconds), 0) AS video_seconds, coalesce(sum(b.images), 0) AS images,
                       coalesce(sum(b.input_tokens), 0) AS input_tokens, coalesce(sum(b.output_tokens), 0) AS output_tokens,
                       coalesce(sum(b.video_seconds * coalesce(p.per_second, 0) + b.images * coalesce(p.per_image, 0)
                           + (b.input_tokens * coalesce(p.per_million_input, 0) + b.output_tokens * coalesce(p.per_million_output, 0))
                             / 1000000), 0) AS cost_usd
                FROM by_model AS b LEFT JOIN price AS p
                     ON p.kind = b.price_kind AND p.provider = b.price_provider AND p.model = b.price_model
                \(unescaped: groupBy)
            )
            SELECT team_id, user_id, api_key_id, provider, model, kind, day,
                   jobs::int8, succeeded::int8, failed::int8, canceled::int8, charged::int8, released::int8,
                   video_seconds::numeric, images::int8, input_tokens::int8, output_tokens::int8,
                   round(cost_usd, 6)::numeric, (charged - round(cost_usd * 100))::int8
            FROM grouped
            \(unescaped: orderBy)
            """
        return sql
    }

    /// Microseconds since 1970, rounded (Dates carry sub-microsecond noise).
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}

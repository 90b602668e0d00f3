import Logging
import PostgresNIO

/// Token buckets stored in PostgreSQL (`rate_buckets`), so limits hold across service instances.
///
/// A bucket starts full. Refill is computed lazily from the stored level and timestamp using the
/// database clock (`clock_timestamp()`): `min(capacity, tokens + max(0, elapsed) * rate)`.
/// Taking is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE level >= cost` statement: the row lock
/// serialises concurrent takers and a refused take writes nothing.
public struct RateLimiter: Sendable {
    let logger: Logger

    /// Creates a limiter.
    /// - Parameter logger: Logger passed to queries (defaults to one that logs nothing).
    public init(logger: Logger = Logger(label: "mv.billing.ratelimit", factory: { _ in SwiftLogNoOpLogHandler() })) {
        self.logger = logger
    }

    /// Takes `cost` tokens from bucket `key` if that many are available; otherwise takes nothing.
    ///
    /// Inside a transaction the bucket row stays locked until commit, and a rollback gives the tokens back.
    /// - Parameters:
    ///   - key: Bucket key, e.g. `generate:user:<uuid>`.
    ///   - policy: Capacity and refill rate.
    ///   - cost: Tokens to take (>= 0; more than `capacity` is always refused).
    ///   - connection: The connection (e.g. the admission transaction).
    /// - Returns: The decision, with the figures for the rate-limit headers.
    /// - Throws: `BillingError.invalidAmount` for a negative cost, or a `PSQLError`.
    public func take(key: String, policy: RateLimitPolicy, cost: Int, on connection: PostgresConnection) async throws -> RateLimitDecision {
        let query = try takeQuery(key: key, policy: policy, cost: cost)
        return try await decide(connection.query(query, logger: logger), policy: policy, cost: cost)
    }

    /// Takes `cost` tokens from bucket `key` on a pooled connection (its own implicit transaction).
    /// - Parameters:
    ///   - key: Bucket key, e.g. `api:user:<uuid>`.
    ///   - policy: Capacity and refill rate.
    ///   - cost: Tokens to take (>= 0).
    ///   - client: The pool.
    /// - Returns: The decision.
    /// - Throws: `BillingError.invalidAmount` for a negative cost, or a `PSQLError`.
    public func take(key: String, policy: RateLimitPolicy, cost: Int, client: PostgresClient) async throws -> RateLimitDecision {
        let query = try takeQuery(key: key, policy: policy, cost: cost)
        return try await decide(client.query(query, logger: logger), policy: policy, cost: cost)
    }

    /// Reads bucket `key` without taking anything (a missing bucket is full).
    /// - Parameters:
    ///   - key: Bucket key.
    ///   - policy: Capacity and refill rate.
    ///   - client: The pool.
    /// - Returns: A decision that says whether one token could be taken now.
    public func peek(key: String, policy: RateLimitPolicy, client: PostgresClient) async throws -> RateLimitDecision {
        let capacity = Int64(policy.capacity)
        let rate = policy.refillPerSecond
        let rows = try await client.query(
            """
            SELECT LEAST(\(capacity)::float8, b.tokens
                   + GREATEST(0::float8, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8) * \(rate))
            FROM rate_buckets AS b WHERE b.key = \(key)
            """,
            logger: logger
        )
        var level = Double(policy.capacity)
        for try await stored in rows.decode(Double.self) {
            level = stored
        }
        return RateLimitDecision(allowed: level >= 1, level: level, cost: 1, policy: policy)
    }

    /// The single take statement. Returns `tokens_after` (NULL when refused) and `level`, the refilled
    /// level as of the statement's snapshot (used only to report a refusal).
    private func takeQuery(key: String, policy: RateLimitPolicy, cost: Int) throws -> PostgresQuery {
        guard cost >= 0 else {
            throw BillingError.invalidAmount("rate-limit cost must be >= 0, got \(cost)")
        }
        let capacity = Int64(policy.capacity)
        let rate = policy.refillPerSecond
        let tokens = Int64(cost)
        return """
            WITH taken AS (
                INSERT INTO rate_buckets AS b (key, tokens, updated_at)
                SELECT \(key), (\(capacity) - \(tokens))::float8, clock_timestamp() WHERE \(tokens) <= \(capacity)
                ON CONFLICT (key) DO UPDATE
                SET tokens = LEAST(\(capacity)::float8, b.tokens
                        + GREATEST(0::float8, EXTRACT(EPOCH FROM EXCLUDED.updated_at - b.updated_at)::float8) * \(rate))
                        - \(tokens),
                    updated_at = EXCLUDED.updated_at
                WHERE LEAST(\(capacity)::float8, b.tokens
                        + GREATEST(0::float8, EXTRACT(EPOCH FROM EXCLUDED.updated_at - b.updated_at)::float8) * \(rate))
                        >= \(tokens)
                RETURNING b.tokens
            )
            SELECT (SELECT tokens FROM taken),
                   (SELECT LEAST(\(capacity)::float8, b.tokens
                        + GREATEST(0::float8, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8) * \(rate))
                    FROM rate_buckets AS b WHERE b.key = \(key))
            """
    }

    private func decide(_ rows: PostgresRowSequence, policy: RateLimitPolicy, cost: Int) async throws -> RateLimitDecision {
        var tokensAfter: Double?
        var level: Double?
        for try await (after, current) in rows.decode((Double?, Double?).self) {
            tokensAfter = after
            level = current
        }
        if let tokensAfter {
            return RateLimitDecision(allowed: true, level: tokensAfter, cost: cost, policy: policy)
        }
        // Refused. The level comes from the statement's snapshot; a row created by a concurrent
        // first take may be invisible to it, in which case the bucket was just emptied.
        return RateLimitDecision(allowed: false, level: level ?? 0, cost: cost, policy: policy)
    }
}

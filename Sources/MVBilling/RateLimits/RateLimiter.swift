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
    /// A refusal costs a second, read-only statement (the current level for the headers).
    /// - Parameters:
    ///   - key: Bucket key, e.g. `generate:user:<uuid>`.
    ///   - policy: Capacity and refill rate.
    ///   - cost: Tokens to take (>= 0; more than `capacity` is always refused).
    ///   - connection: The connection (e.g. the admission transaction).
    /// - Returns: The decision, with the figures for the rate-limit headers.
    /// - Throws: `BillingError.invalidAmount` for a negative cost, or a `PSQLError`.
    public func take(key: String, policy: RateLimitPolicy, cost: Int, on connection: PostgresConnection) async throws -> RateLimitDecision {
        let query = try takeQuery(key: key, policy: policy, cost: cost)
        if let after = try await Self.firstDouble(connection.query(query, logger: logger)) {
            return RateLimitDecision(allowed: true, level: after, cost: cost, policy: policy)
        }
        let level = try await Self.firstDouble(connection.query(levelQuery(key: key, policy: policy), logger: logger))
        return Self.refusal(level: level, cost: cost, policy: policy)
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
        if let after = try await Self.firstDouble(client.query(query, logger: logger)) {
            return RateLimitDecision(allowed: true, level: after, cost: cost, policy: policy)
        }
        let level = try await Self.firstDouble(client.query(levelQuery(key: key, policy: policy), logger: logger))
        return Self.refusal(level: level, cost: cost, policy: policy)
    }

    /// Reads bucket `key` without taking anything (a missing bucket is full).
    /// - Parameters:
    ///   - key: Bucket key.
    ///   - policy: Capacity and refill rate.
    ///   - client: The pool.
    /// - Returns: A decision that says whether one token could be taken now.
    public func peek(key: String, policy: RateLimitPolicy, client: PostgresClient) async throws -> RateLimitDecision {
        let stored = try await Self.firstDouble(client.query(levelQuery(key: key, policy: policy), logger: logger))
        let level = stored ?? Double(policy.capacity)
        return RateLimitDecision(allowed: level >= 1, level: level, cost: 1, policy: policy)
    }

    /// The single take statement: returns the tokens left after taking, or no row when refused
    /// (a refused take writes nothing, but the row stays locked until the transaction ends).
    private func takeQuery(key: String, policy: RateLimitPolicy, cost: Int) throws -> PostgresQuery {
        guard cost >= 0 else {
            throw BillingError.invalidAmount("rate-limit cost must be >= 0, got \(cost)")
        }
        let capacity = Int64(policy.capacity)
        let rate = policy.refillPerSecond
        let tokens = Int64(cost)
        return """
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
            """
    }

    /// The bucket's refilled level now; no row when the bucket does not exist (it is full).
    private func levelQuery(key: String, policy: RateLimitPolicy) -> PostgresQuery {
        let capacity = Int64(policy.capacity)
        let rate = policy.refillPerSecond
        return """
            SELECT LEAST(\(capacity)::float8, b.tokens
                   + GREATEST(0::float8, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)::float8) * \(rate))
            FROM rate_buckets AS b WHERE b.key = \(key)
            """
    }

    /// A refusal as of the moment it was decided: the level read just after may already have refilled past `cost`
    /// (time passes between the two statements), but the caller was refused with less than `cost` tokens.
    private static func refusal(level: Double?, cost: Int, policy: RateLimitPolicy) -> RateLimitDecision {
        let observed = level ?? Double(policy.capacity)
        let atDecision = min(observed, Double(cost).nextDown)
        return RateLimitDecision(allowed: false, level: max(0, atDecision), cost: cost, policy: policy)
    }

    private static func firstDouble(_ rows: PostgresRowSequence) async throws -> Double? {
        var value: Double?
        for try await column in rows.decode(Double.self) where value == nil {
            value = column
        }
        return value
    }
}

import Foundation
import Logging
import PostgresNIO

/// Token buckets stored in PostgreSQL (`rate_buckets`), so limits hold across service instances.
///
/// A bucket starts full. Refill is computed lazily from the stored level and timestamp using the
/// database clock (`clock_timestamp()`): `min(capacity, tokens + max(0, elapsed) * rate)`.
/// Taking is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE level >= cost` statement, SQL function `rate_bucket_take`
/// (sql/018, which one-round-trip admission calls too): the row lock serialises concurrent takers and a refused take
/// writes nothing.
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
    public func take(
        key: String, policy: RateLimitPolicy, cost: Int, team: RateLimitTeam = .none, on connection: PostgresConnection
    ) async throws -> RateLimitDecision {
        try await take(key: key, policy: policy, cost: cost, team: team) { try await connection.query($0, logger: logger) }
    }

    /// Takes `cost` tokens from bucket `key` on a pooled connection (its own implicit transaction).
    /// - Parameters:
    ///   - key: Bucket key, e.g. `api:user:<uuid>`.
    ///   - policy: Capacity and refill rate.
    ///   - cost: Tokens to take (>= 0).
    ///   - client: The pool.
    /// - Returns: The decision.
    /// - Throws: `BillingError.invalidAmount` for a negative cost, or a `PSQLError`.
    public func take(
        key: String, policy: RateLimitPolicy, cost: Int, team: RateLimitTeam = .none, client: PostgresClient
    ) async throws -> RateLimitDecision {
        try await take(key: key, policy: policy, cost: cost, team: team) { try await client.query($0, logger: logger) }
    }

    /// The take statement, and on refusal the level statement, through `run` (a connection's or the pool's query).
    private func take(
        key: String, policy: RateLimitPolicy, cost: Int, team: RateLimitTeam,
        run: (PostgresQuery) async throws -> PostgresRowSequence
    ) async throws -> RateLimitDecision {
        let query = try takeQuery(key: key, policy: policy, cost: cost, team: team)
        if let (after, effective) = try await Self.firstLevel(run(query), policy: policy), let after {
            return RateLimitDecision(allowed: true, level: after, cost: cost, policy: effective)
        }
        let (level, effective) = try await Self.firstLevel(run(levelQuery(key: key, policy: policy, team: team)), policy: policy) ?? (nil, policy)
        return Self.refusal(level: level, cost: cost, policy: effective)
    }

    /// Reads bucket `key` without taking anything (a missing bucket is full).
    /// - Parameters:
    ///   - key: Bucket key.
    ///   - policy: Capacity and refill rate.
    ///   - client: The pool.
    /// - Returns: A decision that says whether one token could be taken now.
    public func peek(key: String, policy: RateLimitPolicy, team: RateLimitTeam = .none, client: PostgresClient) async throws -> RateLimitDecision {
        let (stored, effective) = try await Self.firstLevel(
            client.query(levelQuery(key: key, policy: policy, team: team), logger: logger), policy: policy) ?? (nil, policy)
        let level = stored ?? Double(effective.capacity)
        return RateLimitDecision(allowed: level >= 1, level: level, cost: 1, policy: effective)
    }

    /// The arguments of SQL function `rate_limit_policy` (sql/009): the policy in force for the request's team — its
    /// override (`team_rate_limits`), else `policy` — so an override costs no extra round trip and applies on the very
    /// next request.
    static func scope(_ team: RateLimitTeam) -> (team: UUID?, user: UUID?) {
        switch team {
        case .none: (nil, nil)
        case .team(let id): (id, nil)
        case .defaultTeam(let user): (nil, user)
        }
    }

    /// The single take statement: returns the tokens left after taking and the policy in force, or no row when
    /// refused (a refused take writes nothing, but the row stays locked until the transaction ends).
    private func takeQuery(key: String, policy: RateLimitPolicy, cost: Int, team: RateLimitTeam) throws -> PostgresQuery {
        guard cost >= 0 else {
            throw BillingError.invalidAmount("rate-limit cost must be >= 0, got \(cost)")
        }
        let (teamID, userID) = Self.scope(team)
        return """
            SELECT * FROM rate_bucket_take(\(key), \(policy.name), \(teamID)::uuid, \(userID)::uuid, \(Double(policy.capacity)),
                \(policy.refillPerSecond), \(Double(cost)))
            """
    }

    /// The bucket's refilled level now with the policy in force; the level is NULL when the bucket does not exist
    /// (it is full).
    private func levelQuery(key: String, policy: RateLimitPolicy, team: RateLimitTeam) -> PostgresQuery {
        let (teamID, userID) = Self.scope(team)
        return """
            SELECT * FROM rate_bucket_level(\(key), \(policy.name), \(teamID)::uuid, \(userID)::uuid, \(Double(policy.capacity)),
                \(policy.refillPerSecond))
            """
    }

    /// A refusal as of the moment it was decided: the level read just after may already have refilled past `cost`
    /// (time passes between the two statements), but the caller was refused with less than `cost` tokens.
    /// - Parameters:
    ///   - level: The level read after the refusal (nil: the bucket does not exist, so it is full).
    ///   - cost: The tokens asked for.
    ///   - policy: The policy in force.
    public static func refusal(level: Double?, cost: Int, policy: RateLimitPolicy) -> RateLimitDecision {
        let observed = level ?? Double(policy.capacity)
        let atDecision = min(observed, Double(cost).nextDown)
        return RateLimitDecision(allowed: false, level: max(0, atDecision), cost: cost, policy: policy)
    }

    /// The first row's level and the policy in force it names.
    private static func firstLevel(_ rows: PostgresRowSequence, policy: RateLimitPolicy) async throws -> (Double?, RateLimitPolicy)? {
        var first: (Double?, RateLimitPolicy)?
        for try await (level, capacity, rate) in rows.decode((Double?, Double, Double).self) where first == nil {
            first = (level, RateLimitPolicy(name: policy.name, capacity: Int(capacity), refillPerSecond: rate))
        }
        return first
    }
}

/// Whose per-team override of a policy applies to a take.
public enum RateLimitTeam: Sendable, Equatable {
    /// None: the configured policy.
    case none
    /// This team's.
    case team(UUID)
    /// The default team of this user's (the team a request acts in when it names none).
    case defaultTeam(ofUser: UUID)
}

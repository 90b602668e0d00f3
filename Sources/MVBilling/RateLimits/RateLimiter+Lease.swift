import Foundation
import PostgresNIO

/// What one lease statement gave: tokens to spend in process, the level left in the shared bucket, and the policy in
/// force (its team override included).
public struct RateTokenGrant: Sendable, Equatable {
    /// Tokens granted (0 = refused).
    public var granted: Int
    /// Tokens left in the PostgreSQL bucket after the grant.
    public var remaining: Double
    /// The policy in force.
    public var policy: RateLimitPolicy
}

extension RateLimiter {
    /// Leases up to `batch` tokens from bucket `key` in one statement (`rate_bucket_lease`, sql/017): half of what the
    /// refilled bucket holds, at least one, at most `batch`; nothing when it holds less than one token.
    /// - Parameters:
    ///   - key: Bucket key.
    ///   - policy: The configured policy (a team override in force replaces its capacity and rate).
    ///   - batch: The most tokens to take.
    ///   - team: Whose override applies.
    ///   - client: The pool.
    /// - Returns: The grant.
    /// - Throws: `BillingError.invalidAmount` for a batch below 1, or a `PSQLError`.
    public func lease(
        key: String, policy: RateLimitPolicy, batch: Int, team: RateLimitTeam = .none, client: PostgresClient
    ) async throws -> RateTokenGrant {
        guard batch >= 1 else { throw BillingError.invalidAmount("lease batch must be >= 1, got \(batch)") }
        let (teamID, userID) = Self.scope(team)
        let rows = try await client.query("""
            SELECT granted, tokens, capacity, rate
            FROM rate_bucket_lease(\(key), \(policy.name), \(teamID)::uuid, \(userID)::uuid, \(Double(policy.capacity)),
                \(policy.refillPerSecond), \(batch)::integer)
            """, logger: logger)
        for try await (granted, remaining, capacity, rate) in rows.decode((Int, Double, Double, Double).self) {
            return RateTokenGrant(
                granted: granted, remaining: remaining,
                policy: RateLimitPolicy(name: policy.name, capacity: Int(capacity), refillPerSecond: rate, leaseBatch: batch))
        }
        throw BillingError.invalidAmount("rate_bucket_lease returned no row")
    }
}

import Foundation
import PostgresNIO
import Synchronization

/// Takes tokens of leased policies (``RateLimitPolicy/leaseBatch``) from batches leased out of the PostgreSQL bucket,
/// so a busy caller costs one statement per batch instead of a write per request; exact policies go to the bucket
/// every time.
///
/// Bound: an instance holds at most one batch of a bucket at a time (while a lease is in flight, other takes of that
/// bucket are exact), so across N instances a bucket is never exceeded by more than `leaseBatch` × N. Tokens an idle
/// instance did not spend are dropped (when the table is full), which only makes the limit stricter.
public final class RateTokenLeases: Sendable {
    private struct Lease {
        /// Tokens left to spend here.
        var tokens: Int
        /// The shared bucket's level after the lease (for the headers).
        var remaining: Double
        /// The policy in force when leased.
        var policy: RateLimitPolicy
        /// A lease of this bucket is in flight.
        var leasing: Bool
    }

    private enum Step {
        case spent(RateLimitDecision)
        case lease
        case exact
    }

    private let limiter: RateLimiter
    private let leases = Mutex<[String: Lease]>([:])
    private let capacity: Int

    /// Creates the table.
    /// - Parameters:
    ///   - limiter: The PostgreSQL buckets.
    ///   - capacity: Buckets remembered at most (then idle leases are dropped).
    public init(limiter: RateLimiter, capacity: Int = 50_000) {
        self.limiter = limiter
        self.capacity = capacity
    }

    /// Takes one token from bucket `key`: from this instance's lease when it has one, else by leasing a batch (leased
    /// policies), else from the bucket itself (exact policies, and takes racing an in-flight lease).
    /// - Parameters:
    ///   - key: Bucket key.
    ///   - policy: The configured policy.
    ///   - team: Whose override applies.
    ///   - client: The pool.
    /// - Returns: The decision.
    /// - Throws: A `PSQLError`.
    public func take(key: String, policy: RateLimitPolicy, team: RateLimitTeam = .none, client: PostgresClient) async throws -> RateLimitDecision {
        guard let batch = policy.leaseBatch else {
            return try await limiter.take(key: key, policy: policy, cost: 1, team: team, client: client)
        }
        switch spendLocally(key: key) {
        case .spent(let decision):
            return decision
        case .exact:
            return try await limiter.take(key: key, policy: policy, cost: 1, team: team, client: client)
        case .lease:
            let grant: RateTokenGrant
            do {
                grant = try await limiter.lease(key: key, policy: policy, batch: batch, team: team, client: client)
            } catch {
                leases.withLock { $0[key]?.leasing = false }
                throw error
            }
            return record(grant, key: key)
        }
    }

    /// Spends a local token, or claims the right to lease, or (a lease is in flight) says to go exact.
    private func spendLocally(key: String) -> Step {
        leases.withLock { leases in
            if var lease = leases[key] {
                if lease.tokens > 0 {
                    lease.tokens -= 1
                    leases[key] = lease
                    return .spent(RateLimitDecision(
                        allowed: true, level: lease.remaining + Double(lease.tokens), cost: 1, policy: lease.policy))
                }
                if lease.leasing { return .exact }
                lease.leasing = true
                leases[key] = lease
                return .lease
            }
            if leases.count >= capacity { leases = leases.filter { $0.value.leasing } }
            leases[key] = Lease(tokens: 0, remaining: 0, policy: RateLimitPolicy(name: "", capacity: 0, refillPerSecond: 1), leasing: true)
            return .lease
        }
    }

    /// Stores a grant (one of its tokens spent by this take) and decides.
    private func record(_ grant: RateTokenGrant, key: String) -> RateLimitDecision {
        leases.withLock { leases in
            leases[key] = Lease(tokens: max(0, grant.granted - 1), remaining: grant.remaining, policy: grant.policy, leasing: false)
        }
        guard grant.granted > 0 else { return RateLimiter.refusal(level: grant.remaining, cost: 1, policy: grant.policy) }
        return RateLimitDecision(allowed: true, level: grant.remaining + Double(grant.granted - 1), cost: 1, policy: grant.policy)
    }
}

import Foundation
import PostgresNIO
import Synchronization

/// Takes tokens of leased policies (``RateLimitPolicy/leaseBatch``) from batches leased out of the PostgreSQL bucket,
/// so a busy caller costs one statement per batch instead of a write per request; exact policies go to the bucket
/// every time.
///
/// Bound: an instance holds at most one batch of a bucket at a time, so across N instances a bucket is never exceeded
/// by more than `leaseBatch` × N. Takes that arrive while the bucket's lease is in flight wait for it and spend its
/// tokens (one statement for the burst, not one each); those it cannot serve lease the next batch, one of them at a
/// time. Tokens an idle instance did not spend are dropped (when the table is full), which only makes the limit
/// stricter.
public final class RateTokenLeases: Sendable {
    /// What a take waiting for the in-flight lease is told when the lease answers.
    private enum Turn: Sendable {
        /// Its decision, from the lease's tokens (or the lease's refusal).
        case decided(RateLimitDecision)
        /// The lease had no token left for it: lease the next batch (the others keep waiting).
        case lease
        /// The lease failed: go to the bucket itself.
        case exact
    }

    private struct Lease {
        /// Tokens left to spend here.
        var tokens: Int
        /// The shared bucket's level after the lease (for the headers).
        var remaining: Double
        /// The policy in force when leased.
        var policy: RateLimitPolicy
        /// A lease of this bucket is in flight.
        var leasing: Bool
        /// Takes waiting for that lease, in arrival order.
        var waiting: [CheckedContinuation<Turn, Never>] = []
    }

    private enum Step {
        case spent(RateLimitDecision)
        case lease
        case wait
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

    /// Takes one token from bucket `key`: from this instance's lease when it has one, else from the lease in flight,
    /// else by leasing a batch (leased policies); exact policies take from the bucket itself.
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
        case .lease:
            return try await lease(key: key, policy: policy, batch: batch, team: team, client: client)
        case .wait:
            switch await waitForLease(key: key) {
            case .decided(let decision):
                return decision
            case .lease:
                return try await lease(key: key, policy: policy, batch: batch, team: team, client: client)
            case .exact:
                return try await limiter.take(key: key, policy: policy, cost: 1, team: team, client: client)
            }
        }
    }

    /// Spends a local token, or claims the right to lease, or (a lease is in flight) says to wait for it.
    private func spendLocally(key: String) -> Step {
        leases.withLock { Self.step(&$0, key: key, capacity: capacity) }
    }

    /// Waits for the lease in flight. Decided at once when it answered since ``spendLocally(key:)`` looked.
    private func waitForLease(key: String) async -> Turn {
        await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let now: Turn? = leases.withLock { leases in
                switch Self.step(&leases, key: key, capacity: capacity) {
                case .spent(let decision): return .decided(decision)
                case .lease: return .lease
                case .wait:
                    leases[key]?.waiting.append(continuation)
                    return nil
                }
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    /// The table's answer to one take of `key`, under the lock.
    private static func step(_ leases: inout [String: Lease], key: String, capacity: Int) -> Step {
        if var lease = leases[key] {
            if lease.tokens > 0 {
                lease.tokens -= 1
                leases[key] = lease
                return .spent(decision(lease))
            }
            if lease.leasing { return .wait }
            lease.leasing = true
            leases[key] = lease
            return .lease
        }
        if leases.count >= capacity { leases = leases.filter { $0.value.leasing } }
        leases[key] = Lease(tokens: 0, remaining: 0, policy: RateLimitPolicy(name: "", capacity: 0, refillPerSecond: 1), leasing: true)
        return .lease
    }

    /// Leases a batch for this take and the takes waiting for it.
    private func lease(key: String, policy: RateLimitPolicy, batch: Int, team: RateLimitTeam, client: PostgresClient) async throws -> RateLimitDecision {
        let grant: RateTokenGrant
        do {
            grant = try await limiter.lease(key: key, policy: policy, batch: batch, team: team, client: client)
        } catch {
            let waiting = leases.withLock { leases -> [CheckedContinuation<Turn, Never>] in
                let waiting = leases[key]?.waiting ?? []
                leases[key]?.waiting = []
                leases[key]?.leasing = false
                return waiting
            }
            for waiter in waiting { waiter.resume(returning: .exact) }
            throw error
        }
        return record(grant, key: key)
    }

    /// Stores a grant: one token for this take, one for each waiting take while they last; the first take left over
    /// leases the next batch (the rest keep waiting for it). A refused lease refuses the waiting takes too (the bucket
    /// held less than one token).
    private func record(_ grant: RateTokenGrant, key: String) -> RateLimitDecision {
        guard grant.granted > 0 else {
            let refusal = RateLimiter.refusal(level: grant.remaining, cost: 1, policy: grant.policy)
            let waiting = leases.withLock { leases -> [CheckedContinuation<Turn, Never>] in
                let waiting = leases[key]?.waiting ?? []
                leases[key] = Lease(tokens: 0, remaining: grant.remaining, policy: grant.policy, leasing: false)
                return waiting
            }
            for waiter in waiting { waiter.resume(returning: .decided(refusal)) }
            return refusal
        }
        var served: [(CheckedContinuation<Turn, Never>, Turn)] = []
        let mine = leases.withLock { leases -> RateLimitDecision in
            var lease = Lease(tokens: grant.granted - 1, remaining: grant.remaining, policy: grant.policy, leasing: false)
            let mine = Self.decision(lease)
            var waiting = (leases[key]?.waiting ?? [])[...]
            while lease.tokens > 0, let waiter = waiting.popFirst() {
                lease.tokens -= 1
                served.append((waiter, .decided(Self.decision(lease))))
            }
            if let next = waiting.popFirst() {
                lease.leasing = true
                served.append((next, .lease))
            }
            lease.waiting = Array(waiting)
            leases[key] = lease
            return mine
        }
        for (waiter, turn) in served { waiter.resume(returning: turn) }
        return mine
    }

    /// An allowed take, with the level as the headers show it: the shared bucket's plus the tokens still held here.
    private static func decision(_ lease: Lease) -> RateLimitDecision {
        RateLimitDecision(allowed: true, level: lease.remaining + Double(lease.tokens), cost: 1, policy: lease.policy)
    }
}

import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Synchronization
import Testing

/// Leased rate tokens: one statement leases half of what the bucket holds (at least one, at most the batch); two
/// instances hammering one bucket together never spend more than the bucket gave; a refused lease writes nothing;
/// concurrent takes share the lease in flight; an exact policy still goes to the bucket on every take.
struct RateTokenLeasesTests {
    /// 20 tokens, one more every 8192 s: nothing refills during the test.
    static let leased = RateLimitPolicy(name: "api", capacity: 20, refillPerSecond: 1.0 / 8192, leaseBatch: 5)

    @Test func aLeaseTakesHalfOfWhatIsLeftUpToTheBatch() async throws {
        try await TestDatabase.withClient { postgres in
            let limiter = RateLimiter()
            var grants: [Int] = []
            for _ in 0..<8 {
                grants.append(try await limiter.lease(key: "user:a", policy: Self.leased, batch: 5, client: postgres).granted)
            }
            // Level before → granted: 20 → 5 (the batch), 15 → 5, 10 → 5, 5 → 2, 3 → 1, 2 → 1, 1 → 1, then below one → 0.
            #expect(grants == [5, 5, 5, 2, 1, 1, 1, 0])
            let refusedAt = try await Self.storedTokens("user:a", postgres)
            let refused = try await limiter.lease(key: "user:a", policy: Self.leased, batch: 5, client: postgres)
            #expect(refused.granted == 0)
            #expect(try await Self.storedTokens("user:a", postgres) == refusedAt, "a refused lease writes nothing")
        }
    }

    @Test func twoInstancesNeverSpendMoreThanTheBucketGave() async throws {
        try await TestDatabase.withClient { postgres in
            let instances = [RateTokenLeases(limiter: RateLimiter()), RateTokenLeases(limiter: RateLimiter())]
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for request in 0..<80 {
                    let leases = instances[request % 2]
                    group.addTask { try await leases.take(key: "user:b", policy: Self.leased, client: postgres).allowed }
                }
                var allowed = 0
                for try await ok in group where ok { allowed += 1 }
                return allowed
            }
            // Every token spent was taken from the bucket first (leases and exact takes alike), so the bucket's capacity
            // is never exceeded; at most one batch per instance can be left unspent locally.
            #expect(allowed <= 20)
            #expect(allowed >= 20 - 2 * 5)
            #expect(try await Self.storedTokens("user:b", postgres) < 1)
        }
    }

    @Test func spendingALeaseCostsNoStatement() async throws {
        try await TestDatabase.withClient { postgres in
            let leases = RateTokenLeases(limiter: RateLimiter())
            let first = try await leases.take(key: "user:c", policy: Self.leased, client: postgres)
            #expect(first.allowed && first.remaining == 19)
            let afterLease = try await Self.storedTokens("user:c", postgres)
            #expect(afterLease == 15)
            for _ in 0..<4 { #expect(try await leases.take(key: "user:c", policy: Self.leased, client: postgres).allowed) }
            #expect(try await Self.storedTokens("user:c", postgres) == afterLease, "the batch was spent in process")
            _ = try await leases.take(key: "user:c", policy: Self.leased, client: postgres)
            #expect(try await Self.storedTokens("user:c", postgres) == 10, "the next take leased the next batch")
        }
    }

    @Test func takesDuringALeaseWaitForItInsteadOfGoingToTheBucket() async throws {
        try await TestDatabase.withClient { postgres in
            let leases = RateTokenLeases(limiter: RateLimiter())
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<12 {
                    group.addTask { try await leases.take(key: "user:e", policy: Self.leased, client: postgres).allowed }
                }
                var allowed = 0
                for try await ok in group where ok { allowed += 1 }
                return allowed
            }
            #expect(allowed == 12)
            // Three leases of 5 (20 → 15 → 10 → 5) served the twelve concurrent takes, however they interleaved: a take
            // that went to the bucket itself instead of waiting for the lease in flight would have left less.
            #expect(try await Self.storedTokens("user:e", postgres) == 5)
        }
    }

    @Test func anExactPolicyGoesToTheBucketEveryTime() async throws {
        try await TestDatabase.withClient { postgres in
            let exact = RateLimitPolicy(name: "generate", capacity: 3, refillPerSecond: 1.0 / 8192)
            let leases = RateTokenLeases(limiter: RateLimiter())
            var levels: [Double] = []
            for _ in 0..<3 {
                let decision = try await leases.take(key: "user:d", policy: exact, client: postgres)
                #expect(decision.allowed)
                levels.append(try await Self.storedTokens("user:d", postgres))
            }
            #expect(levels == [2, 1, 0], "every take of an exact policy wrote the bucket")
            let refused = try await leases.take(key: "user:d", policy: exact, client: postgres)
            #expect(!refused.allowed)
        }
    }

    /// The bucket's stored level, whole tokens (the slow refill adds fractions).
    static func storedTokens(_ key: String, _ postgres: PostgresClient) async throws -> Double {
        try await RateLimiterTests.storedTokens(key, postgres)?.rounded(.down) ?? .nan
    }
}

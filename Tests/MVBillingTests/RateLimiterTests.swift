import Foundation
import MVBilling
import MVTestSupport
import PostgresNIO
import Synchronization
import Testing

/// Token buckets in PostgreSQL: a full bucket allows its capacity, then refuses with the wait until the next token;
/// a refusal takes nothing; time refills the bucket (simulated by moving the stored timestamp back, never by
/// sleeping); a rolled-back transaction gives tokens back; and concurrent takers never exceed the capacity.
struct RateLimiterTests {
    /// 3 tokens, one more every 8192 s (a power of two keeps the arithmetic exact): the test's own run time refills
    /// nothing that changes a whole token. Time figures shrink by the real seconds that pass between the bucket's
    /// first take and a decision, so they are checked as `expected - elapsed ... expected` (see ``expect(_:_:within:)``).
    static let slow = RateLimitPolicy(name: "generate", capacity: 3, refillPerSecond: 1.0 / 8192)
    let limiter = RateLimiter()

    @Test func fullBucketAllowsItsCapacityThenRefuses() async throws {
        try await TestDatabase.withClient { postgres in
            let started = ContinuousClock.now
            var decisions: [RateLimitDecision] = []
            for _ in 0..<4 {
                decisions.append(try await limiter.take(key: "user:a", policy: Self.slow, cost: 1, client: postgres))
            }
            #expect(decisions.map(\.allowed) == [true, true, true, false])
            #expect(decisions.map(\.remaining) == [2, 1, 0, 0])
            // Time to refill what was taken: 1, 2, then 3 tokens; the refusal waits for one token.
            let elapsed = ContinuousClock.now - started
            Self.expect(decisions.map(\.resetSeconds), [8192, 16384, 24576, 24576], within: elapsed)
            #expect(decisions.map(\.retryAfterSeconds).prefix(3) == [0, 0, 0])
            Self.expect([decisions[3].retryAfterSeconds], [8192], within: elapsed)
            #expect(decisions.allSatisfy { $0.policy == Self.slow })
        }
    }

    @Test func refusalTakesNothingAndOtherKeysAreSeparate() async throws {
        try await TestDatabase.withClient { postgres in
            let started = ContinuousClock.now
            let drained = try await limiter.take(key: "user:a", policy: Self.slow, cost: 3, client: postgres)
            #expect(drained.allowed && drained.remaining == 0)
            let before = try await Self.storedTokens("user:a", postgres)
            let refused = try await limiter.take(key: "user:a", policy: Self.slow, cost: 2, client: postgres)
            #expect(!refused.allowed)
            Self.expect([refused.retryAfterSeconds], [16384], within: ContinuousClock.now - started)
            #expect(try await Self.storedTokens("user:a", postgres) == before)

            let other = try await limiter.take(key: "user:b", policy: Self.slow, cost: 1, client: postgres)
            #expect(other.allowed && other.remaining == 2)
        }
    }

    @Test func elapsedTimeRefillsTheBucket() async throws {
        try await TestDatabase.withClient { postgres in
            // One token per 64 s: whole tokens only move by rewinding the bucket's clock.
            let policy = RateLimitPolicy(name: "api", capacity: 4, refillPerSecond: 1.0 / 64)
            let started = ContinuousClock.now
            #expect(try await limiter.take(key: "k", policy: policy, cost: 4, client: postgres).remaining == 0)

            try await Self.rewind("k", seconds: 64, postgres)  // +1 token
            let one = try await limiter.take(key: "k", policy: policy, cost: 2, client: postgres)
            #expect(!one.allowed && one.remaining == 1)
            Self.expect([one.retryAfterSeconds, one.resetSeconds], [64, 192], within: ContinuousClock.now - started)

            try await Self.rewind("k", seconds: 64, postgres)  // 2 tokens now
            let two = try await limiter.take(key: "k", policy: policy, cost: 2, client: postgres)
            #expect(two.allowed && two.remaining == 0)

            try await Self.rewind("k", seconds: 100_000, postgres)  // never past capacity
            let full = try await limiter.peek(key: "k", policy: policy, client: postgres)
            #expect(full.allowed && full.remaining == 4 && full.resetSeconds == 0)
        }
    }

    @Test func costAboveCapacityIsAlwaysRefusedAndNegativeCostIsInvalid() async throws {
        try await TestDatabase.withClient { postgres in
            let refused = try await limiter.take(key: "big", policy: Self.slow, cost: 4, client: postgres)
            #expect(!refused.allowed && refused.remaining == 3)
            #expect(try await Self.storedTokens("big", postgres) == nil)
            await #expect(throws: BillingError.invalidAmount("rate-limit cost must be >= 0, got -1")) {
                try await limiter.take(key: "big", policy: Self.slow, cost: -1, client: postgres)
            }
        }
    }

    /// Thrown to roll a transaction back.
    struct Abort: Error {}

    @Test func rollbackGivesTheTokensBack() async throws {
        try await TestDatabase.withClient { postgres in
            let taken = try await Self.takeThenRollBack(limiter, postgres)
            #expect(taken.allowed && taken.remaining == 1)
            let after = try await limiter.peek(key: "tx", policy: Self.slow, client: postgres)
            #expect(after.remaining == 3)
        }
    }

    /// Takes 2 tokens from bucket `tx` inside a transaction that then rolls back; returns the decision it saw.
    static func takeThenRollBack(_ limiter: RateLimiter, _ postgres: PostgresClient) async throws -> RateLimitDecision {
        let seen = Mutex<RateLimitDecision?>(nil)
        do {
            try await postgres.withTransaction(logger: TestCluster.logger) { connection in
                let decision = try await limiter.take(key: "tx", policy: Self.slow, cost: 2, on: connection)
                seen.withLock { $0 = decision }
                throw Abort()
            }
        } catch let error as PostgresTransactionError where error.closureError is Abort {
        }
        return try #require(seen.withLock { $0 })
    }

    @Test func concurrentTakersNeverExceedTheCapacity() async throws {
        try await TestDatabase.withClient(maximumConnections: 10) { postgres in
            let policy = RateLimitPolicy(name: "generate", capacity: 4, refillPerSecond: 0.001)
            let allowed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await limiter.take(key: "hot", policy: policy, cost: 1, client: postgres).allowed }
                }
                var allowed = 0
                for try await ok in group where ok { allowed += 1 }
                return allowed
            }
            #expect(allowed == 4)
        }
    }

    /// Each figure is at most its expected value and at least that minus the whole seconds `elapsed` covers.
    static func expect(_ figures: [Int], _ expected: [Int], within elapsed: Duration, sourceLocation: SourceLocation = #_sourceLocation) {
        let slack = Int(elapsed.components.seconds) + 1
        let fits = figures.count == expected.count && zip(figures, expected).allSatisfy { $0 <= $1 && $0 >= $1 - slack }
        #expect(fits, "\(figures) not within \(slack) s below \(expected)", sourceLocation: sourceLocation)
    }

    static func storedTokens(_ key: String, _ postgres: PostgresClient) async throws -> Double? {
        let rows = try await postgres.query("SELECT tokens FROM rate_buckets WHERE key = \(key)", logger: TestCluster.logger)
        for try await tokens in rows.decode(Double.self) { return tokens }
        return nil
    }

    /// Moves the bucket's clock back, as if `seconds` had passed since its last take.
    static func rewind(_ key: String, seconds: Double, _ postgres: PostgresClient) async throws {
        try await postgres.query(
            "UPDATE rate_buckets SET updated_at = updated_at - make_interval(secs => \(seconds)) WHERE key = \(key)",
            logger: TestCluster.logger)
    }
}

import Testing
@testable import MVBilling

/// The figures and headers of a rate-limit decision: whole tokens left, seconds to full, `Retry-After` only on
/// refusal, and policy names quoted as structured-field strings.
struct RateLimitDecisionTests {
    /// 8 tokens, one more every 4 seconds (binary-exact figures).
    static let generate = RateLimitPolicy(name: "generate", capacity: 8, refillPerSecond: 0.25)

    @Test func allowedDecisionFromALevel() {
        let decision = RateLimitDecision(allowed: true, level: 5.5, cost: 1, policy: Self.generate)
        #expect(decision == RateLimitDecision(allowed: true, policy: Self.generate, remaining: 5, resetSeconds: 10, retryAfterSeconds: 0))
    }

    @Test func refusedDecisionWaitsForTheMissingTokens() {
        let decision = RateLimitDecision(allowed: false, level: 0.25, cost: 2, policy: Self.generate)
        // 1.75 missing tokens at 0.25 per second: 7 s; full again after 7.75 tokens = 31 s.
        #expect(decision == RateLimitDecision(allowed: false, policy: Self.generate, remaining: 0, resetSeconds: 31, retryAfterSeconds: 7))
    }

    @Test func levelsOutsideTheBucketAreClamped() {
        let over = RateLimitDecision(allowed: true, level: 12, cost: 0, policy: Self.generate)
        #expect(over.remaining == 8 && over.resetSeconds == 0)
        let under = RateLimitDecision(allowed: false, level: -3, cost: 1, policy: Self.generate)
        #expect(under.remaining == 0 && under.retryAfterSeconds == 4 && under.resetSeconds == 32)
    }

    @Test func allowedHeaders() {
        let decision = RateLimitDecision(allowed: true, policy: Self.generate, remaining: 5, resetSeconds: 10, retryAfterSeconds: 0)
        let fields = Self.lines(decision.headers)
        #expect(fields == [
            #"RateLimit-Policy: "generate";q=8;w=32"#,
            #"RateLimit: "generate";r=5;t=10"#,
            "X-RateLimit-Limit: 8",
            "X-RateLimit-Remaining: 5",
            "X-RateLimit-Reset: 10",
        ])
    }

    @Test func refusedHeadersAddRetryAfter() {
        let decision = RateLimitDecision(allowed: false, policy: Self.generate, remaining: 0, resetSeconds: 31, retryAfterSeconds: 7)
        let fields = Self.lines(decision.headers)
        #expect(fields.count == 6)
        #expect(fields.last == "Retry-After: 7")
        #expect(fields.contains(#"RateLimit: "generate";r=0;t=31"#))
    }

    @Test func policyNamesAreQuotedSafely() {
        #expect(RateLimitDecision.quoted("gen\"er\\ate\u{1}\n") == #""gen\"er\\ate""#)
        let policy = RateLimitPolicy(name: "a\"b", capacity: 1, refillPerSecond: 1)
        let decision = RateLimitDecision(allowed: true, policy: policy, remaining: 1, resetSeconds: 0, retryAfterSeconds: 0)
        #expect(decision.headers.policy == #""a\"b";q=1;w=1"#)
    }

    @Test func windowIsCapacityOverRateRoundedUp() {
        #expect(Self.generate.windowSeconds == 32)
        #expect(RateLimitPolicy(name: "api", capacity: 600, refillPerSecond: 10).windowSeconds == 60)
        #expect(RateLimitPolicy(name: "x", capacity: 5, refillPerSecond: 3).windowSeconds == 2)
        #expect(RateLimitPolicy(name: "x", capacity: 1, refillPerSecond: 1000).windowSeconds == 1)
    }

    /// The fields as `Name: value` lines in response order.
    static func lines(_ headers: RateLimitHeaders) -> [String] {
        var lines = [
            "RateLimit-Policy: \(headers.policy)", "RateLimit: \(headers.rateLimit)", "X-RateLimit-Limit: \(headers.limit)",
            "X-RateLimit-Remaining: \(headers.remaining)", "X-RateLimit-Reset: \(headers.reset)",
        ]
        if let retryAfter = headers.retryAfter { lines.append("Retry-After: \(retryAfter)") }
        return lines
    }
}

/// The outcome of taking tokens from a bucket, with what the rate-limit headers need.
public struct RateLimitDecision: Sendable, Equatable {
    /// Whether the tokens were taken.
    public var allowed: Bool
    /// The policy that decided.
    public var policy: RateLimitPolicy
    /// Whole tokens left in the bucket after this decision.
    public var remaining: Int
    /// Seconds until the bucket is full again.
    public var resetSeconds: Int
    /// 0 when allowed; otherwise seconds until the requested tokens are available (>= 1).
    public var retryAfterSeconds: Int

    /// Creates a decision.
    public init(allowed: Bool, policy: RateLimitPolicy, remaining: Int, resetSeconds: Int, retryAfterSeconds: Int) {
        self.allowed = allowed
        self.policy = policy
        self.remaining = remaining
        self.resetSeconds = resetSeconds
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// Derives a decision from the bucket level (tokens, fractional) after the attempt.
    /// - Parameters:
    ///   - allowed: Whether `cost` tokens were taken.
    ///   - level: Tokens in the bucket now (after taking, when allowed).
    ///   - cost: Tokens that were requested.
    ///   - policy: The policy.
    public init(allowed: Bool, level: Double, cost: Int, policy: RateLimitPolicy) {
        let level = min(max(level, 0), Double(policy.capacity))
        self.init(
            allowed: allowed,
            policy: policy,
            remaining: Int(level.rounded(.down)),
            resetSeconds: policy.secondsToRefill(Double(policy.capacity) - level),
            retryAfterSeconds: allowed ? 0 : max(1, policy.secondsToRefill(Double(cost) - level))
        )
    }
}

/// Retry delays: capped exponential backoff with full jitter, the one schedule for provider calls and job attempts.
public enum Backoff {
    /// A uniform draw in `0...min(cap, base * 2^(attempt - 1))`.
    /// - Parameters:
    ///   - attempt: The attempt that just failed, counted from 1 (so the first retry waits up to `base`).
    ///   - base: The ceiling after the first failure.
    ///   - cap: The largest ceiling.
    /// - Returns: How long to wait before the next attempt.
    public static func fullJitter(attempt: Int, base: Duration, cap: Duration) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let ceiling = min(cap.seconds, base.seconds * Double(1 << exponent))
        guard ceiling > 0 else { return .zero }
        return .milliseconds(Int(Double.random(in: 0...ceiling) * 1000))
    }
}

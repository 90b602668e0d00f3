/// Retry delays.
enum Backoff {
    /// Capped exponential backoff with full jitter: a uniform draw in [0, min(cap, base * 2^(attempt-1))].
    static func fullJitter(attempt: Int, base: Duration, cap: Duration) -> Duration {
        let exponent = min(max(attempt - 1, 0), 20)
        let ceiling = min(cap.seconds, base.seconds * Double(1 << exponent))
        return .seconds(Double.random(in: 0...max(ceiling, 0)))
    }
}

/// Capped exponential backoff with full jitter: a uniform delay in `0...min(cap, base * 2^attempt)`.
enum Backoff {
    static func delay(attempt: Int, base: Duration, cap: Duration) -> Duration {
        let baseSeconds = seconds(base)
        let capSeconds = seconds(cap)
        let ceiling = min(capSeconds, baseSeconds * Double(1 << min(attempt, 20)))
        guard ceiling > 0 else { return .zero }
        return .milliseconds(Int(Double.random(in: 0...ceiling) * 1000))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

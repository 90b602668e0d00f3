/// A token-bucket policy: up to `capacity` tokens, refilled continuously at `refillPerSecond`.
public struct RateLimitPolicy: Sendable, Codable, Equatable {
    /// Policy name used in headers and problem bodies, e.g. `generate`.
    public var name: String
    /// Bucket size: the largest burst.
    public var capacity: Int
    /// Tokens added per second (continuously).
    public var refillPerSecond: Double

    /// Creates a policy.
    /// - Parameters:
    ///   - name: Policy name.
    ///   - capacity: Bucket size (>= 1).
    ///   - refillPerSecond: Tokens per second (> 0).
    public init(name: String, capacity: Int, refillPerSecond: Double) {
        self.name = name
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
    }

    /// The window advertised in headers: `capacity / refillPerSecond` seconds, rounded up (>= 1).
    public var windowSeconds: Int {
        Self.wholeSeconds(Double(capacity) / refillPerSecond)
    }

    /// Seconds needed to refill `tokens`, rounded up; 0 for nothing to refill.
    func secondsToRefill(_ tokens: Double) -> Int {
        tokens <= 0 ? 0 : Self.wholeSeconds(tokens / refillPerSecond)
    }

    /// Rounds a duration up to whole seconds (>= 1), guarding against infinities.
    static func wholeSeconds(_ seconds: Double) -> Int {
        guard seconds.isFinite else { return Int(Int32.max) }
        return Int(min(max(seconds.rounded(.up), 1), Double(Int32.max)))
    }
}

import Foundation
import MVCore

/// A token-bucket policy: up to `capacity` tokens, refilled continuously at `refillPerSecond`.
///
/// A policy is either **exact** (every take is one statement on the PostgreSQL bucket, and inside a transaction it
/// commits or rolls back with it: `generate`) or **leased** (`leaseBatch` set: an instance takes up to that many
/// tokens from the PostgreSQL bucket in one statement and spends them in process, see ``RateTokenLeases``; the
/// bucket is never exceeded by more than `leaseBatch` × instances).
public struct RateLimitPolicy: Sendable, Codable, Equatable {
    /// Policy name used in headers and problem bodies, e.g. `generate`.
    public var name: String
    /// Bucket size: the largest burst.
    public var capacity: Int
    /// Tokens added per second (continuously).
    public var refillPerSecond: Double
    /// The most tokens an instance leases at once, or nil for an exact policy.
    public var leaseBatch: Int?

    /// Creates a policy.
    /// - Parameters:
    ///   - name: Policy name.
    ///   - capacity: Bucket size (>= 1).
    ///   - refillPerSecond: Tokens per second (> 0).
    ///   - leaseBatch: Tokens leased at once (leased policy), or nil (exact policy).
    public init(name: String, capacity: Int, refillPerSecond: Double, leaseBatch: Int? = nil) {
        self.name = name
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.leaseBatch = leaseBatch
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

extension RateLimitPolicy {
    /// The key of `userID`'s bucket of this policy: `<policy>:user:<uuid>`, the UUID in lowercase.
    /// - Parameter userID: The user.
    /// - Returns: The `rate_buckets` key.
    public func bucketKey(user userID: UUID) -> String {
        name + ":user:" + userID.lowercased
    }
}

import Foundation

/// Health of one provider, for `GET /api/admin/providers`.
public struct ProviderStatus: Codable, Sendable, Equatable {
    /// Circuit breaker state.
    public enum BreakerState: String, Codable, Sendable {
        /// Calls flow normally.
        case closed
        /// Calls are rejected until the open period ends.
        case open
        /// One probe call is allowed to test recovery.
        case halfOpen = "half_open"
    }

    /// Provider name.
    public var name: ProviderName
    /// Whether credentials are configured.
    public var configured: Bool
    /// Breaker state now.
    public var breakerState: BreakerState
    /// Failed share of the last calls (0...1; 0 without calls).
    public var recentErrorRate: Double
    /// Calls in the statistics window.
    public var recentCalls: Int
    /// Median latency of the recent calls in milliseconds.
    public var p50LatencyMs: Double?
    /// Mean latency of the recent calls in milliseconds.
    public var avgLatencyMs: Double?
    /// The last failure, `code: message`.
    public var lastError: String?
    /// When the last failure happened.
    public var lastErrorAt: Date?

    /// Creates a status record.
    /// - Parameters:
    ///   - name: Provider name.
    ///   - configured: Credentials present.
    ///   - breakerState: Breaker state.
    ///   - recentErrorRate: Error rate.
    ///   - recentCalls: Calls counted.
    ///   - p50LatencyMs: Median latency.
    ///   - avgLatencyMs: Mean latency.
    ///   - lastError: Last failure.
    ///   - lastErrorAt: Last failure time.
    public init(
        name: ProviderName,
        configured: Bool,
        breakerState: BreakerState,
        recentErrorRate: Double,
        recentCalls: Int,
        p50LatencyMs: Double?,
        avgLatencyMs: Double?,
        lastError: String?,
        lastErrorAt: Date?
    ) {
        self.name = name
        self.configured = configured
        self.breakerState = breakerState
        self.recentErrorRate = recentErrorRate
        self.recentCalls = recentCalls
        self.p50LatencyMs = p50LatencyMs
        self.avgLatencyMs = avgLatencyMs
        self.lastError = lastError
        self.lastErrorAt = lastErrorAt
    }
}

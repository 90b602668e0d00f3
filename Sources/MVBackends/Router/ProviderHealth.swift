import Foundation
import MVCore
import Synchronization

/// Circuit breakers and call statistics of every provider, shared by all router calls.
///
/// Breaker: `closed` counts consecutive failures; at the threshold it becomes `open` for
/// `openDuration`; the first call after that is let through as a probe (`halfOpen`, no other call
/// passes); the probe's success closes the breaker, its failure opens it again.
final class ProviderHealth: Sendable {
    private enum Breaker {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(probeInFlight: Bool)
    }

    private struct Entry {
        var breaker: Breaker = .closed(failures: 0)
        var recent: [(failed: Bool, latencyMs: Double)] = []
        var lastError: String?
        var lastErrorAt: Date?
    }

    private let state = Mutex<[ProviderName: Entry]>([:])
    private let threshold: Int
    private let openDuration: Duration
    private let window: Int
    private let now: @Sendable () -> ContinuousClock.Instant

    init(configuration: BackendsConfiguration) {
        self.threshold = max(1, configuration.breakerFailureThreshold)
        self.openDuration = configuration.breakerOpenDuration
        self.window = max(1, configuration.statsWindow)
        self.now = configuration.now
    }

    /// Whether a call may go to the provider now; taking the half-open probe slot if that is the case.
    func acquire(_ provider: ProviderName) -> Bool {
        let instant = now()
        return state.withLock { entries in
            var entry = entries[provider] ?? Entry()
            defer { entries[provider] = entry }
            switch entry.breaker {
            case .closed:
                return true
            case .open(let until):
                guard instant >= until else { return false }
                entry.breaker = .halfOpen(probeInFlight: true)
                return true
            case .halfOpen(let inFlight):
                if inFlight { return false }
                entry.breaker = .halfOpen(probeInFlight: true)
                return true
            }
        }
    }

    /// Records a call that reached the provider. `countsAsFailure` is false for outcomes that say
    /// nothing about the provider's health (content policy, bad input, cancellation).
    func record(_ provider: ProviderName, error: ProviderError?, countsAsFailure: Bool, latency: Duration) {
        let instant = now()
        let latencyMs = latency.milliseconds
        state.withLock { entries in
            var entry = entries[provider] ?? Entry()
            entry.recent.append((failed: error != nil, latencyMs: latencyMs))
            if entry.recent.count > window { entry.recent.removeFirst(entry.recent.count - window) }
            if let error {
                entry.lastError = error.summary
                entry.lastErrorAt = Date()
            }
            if countsAsFailure {
                switch entry.breaker {
                case .closed(let failures):
                    entry.breaker = failures + 1 >= threshold ? .open(until: instant + openDuration) : .closed(failures: failures + 1)
                case .halfOpen, .open:
                    entry.breaker = .open(until: instant + openDuration)
                }
            } else {
                entry.breaker = .closed(failures: 0)
            }
            entries[provider] = entry
        }
    }

    /// Gives back a half-open probe slot that was taken but not used.
    func release(_ provider: ProviderName) {
        state.withLock { entries in
            if case .halfOpen(true) = entries[provider]?.breaker { entries[provider]?.breaker = .halfOpen(probeInFlight: false) }
        }
    }

    func status(_ provider: ProviderName, configured: Bool) -> ProviderStatus {
        let instant = now()
        return state.withLock { entries in
            let entry = entries[provider] ?? Entry()
            let breaker: ProviderStatus.BreakerState
            switch entry.breaker {
            case .closed: breaker = .closed
            case .open(let until): breaker = instant >= until ? .halfOpen : .open
            case .halfOpen: breaker = .halfOpen
            }
            let latencies = entry.recent.map(\.latencyMs).sorted()
            let failures = entry.recent.filter(\.failed).count
            return ProviderStatus(
                name: provider,
                configured: configured,
                breakerState: breaker,
                recentErrorRate: entry.recent.isEmpty ? 0 : Double(failures) / Double(entry.recent.count),
                recentCalls: entry.recent.count,
                p50LatencyMs: latencies.isEmpty ? nil : latencies[latencies.count / 2],
                avgLatencyMs: latencies.isEmpty ? nil : latencies.reduce(0, +) / Double(latencies.count),
                lastError: entry.lastError,
                lastErrorAt: entry.lastErrorAt
            )
        }
    }
}

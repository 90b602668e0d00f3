import Synchronization

/// A process-wide budget of retries (token bucket): each retry spends one token, each success gives
/// back a fraction. When a provider degrades, retries stop before they multiply its load.
final class RetryBudget: Sendable {
    private let tokens: Mutex<Double>
    private let capacity: Double
    private let refill: Double

    init(capacity: Double, refillPerSuccess: Double) {
        self.capacity = max(0, capacity)
        self.refill = max(0, refillPerSuccess)
        self.tokens = Mutex(max(0, capacity))
    }

    func trySpend() -> Bool {
        tokens.withLock { value in
            guard value >= 1 else { return false }
            value -= 1
            return true
        }
    }

    func succeeded() {
        tokens.withLock { $0 = min(capacity, $0 + refill) }
    }
}

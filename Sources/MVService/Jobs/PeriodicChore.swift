import Logging
import ServiceLifecycle

/// A chore a service runs every `interval` until graceful shutdown (sweepers): a failed pass is logged and retried on
/// the next tick, never fatal.
protocol PeriodicChore: Service {
    /// Time between passes.
    var interval: Duration { get }
    /// Where failures are logged.
    var logger: Logger { get }
    /// What the log calls a failed pass.
    var choreName: String { get }
    /// One pass.
    func runOnce() async throws
}

extension PeriodicChore {
    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await runOnce()
            } catch {
                logger.warning("\(choreName) failed", metadata: ["error": "\(String(describing: error).prefix(300))"])
            }
            let interval = self.interval
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil else { return }
        }
    }
}

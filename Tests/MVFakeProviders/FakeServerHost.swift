import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// Runs a Hummingbird router on 127.0.0.1 with an OS-chosen port until stopped.
final class FakeServerHost: Sendable {
    let port: Int
    private let task: Task<Void, any Error>
    let stopping: Mutex<Bool>

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
        self.stopping = Mutex(false)
    }

    static func start(router: Router<BasicRequestContext>, label: String) async throws -> FakeServerHost {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: label)
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: label),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            task.cancel()
            throw FakeServerError.noPort
        }
        return FakeServerHost(port: port, task: task)
    }

    var isStopping: Bool { stopping.withLock { $0 } }

    func stop() async {
        stopping.withLock { $0 = true }
        task.cancel()
        _ = await task.result
    }

    /// Waits up to `limit`, returning early when the server stops (used by the "stalled" fault).
    func stall(upTo limit: Duration) async {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end && !isStopping {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}

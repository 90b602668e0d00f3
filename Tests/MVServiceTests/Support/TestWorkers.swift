import AsyncHTTPClient
import Foundation
import Logging
import MVBackends
import MVBilling
import MVTestSupport
import PostgresNIO
import Synchronization
import Testing
@testable import MVService

/// Job workers built by hand (as `ServiceComponents.build` does) so a test can start, kill and restart them.
struct TestWorkers: Sendable {
    let config: AppConfig
    let postgres: PostgresClient
    let httpClient: HTTPClient
    let queue: JobQueue

    /// Builds the queue and the provider router from `config` on `postgres` (which must be running).
    init(config: AppConfig, postgres: PostgresClient) {
        self.config = config
        self.postgres = postgres
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton)
        self.queue = JobQueue(client: postgres, ledger: Ledger(logger: TestCluster.logger), logger: TestCluster.logger)
    }

    /// A worker named `name` with the video handler, sharing the app's media folder.
    func worker(name: String) throws -> JobWorker {
        var logger = Logger(label: "mvtest.worker.\(name)")
        logger.logLevel = config.logLevel
        let router = GenerationRouter(configuration: config.backends, catalog: try #require(config.catalog), httpClient: httpClient, logger: logger)
        let media = try LocalMediaStore(root: config.dataDirectory + "/media")
        let assets = AssetStore(client: postgres, media: media, logger: logger)
        let prices = config.prices
        let handlers: [JobKind: any JobHandler] = [
            .generateVideo: VideoJobHandler(router: router, media: media, assets: assets, prices: prices)
        ]
        return JobWorker(queue: queue, postgres: postgres, handlers: handlers, settings: config.jobs, name: name, logger: logger)
    }

    /// A worker named `name` with every job kind's handler (as `ServiceComponents.build` wires them), sharing the
    /// app's media folder.
    func fullWorker(name: String) throws -> JobWorker {
        var logger = Logger(label: "mvtest.worker.\(name)")
        logger.logLevel = config.logLevel
        let router = GenerationRouter(configuration: config.backends, catalog: try #require(config.catalog), httpClient: httpClient, logger: logger)
        let media = try LocalMediaStore(root: config.dataDirectory + "/media")
        let assets = AssetStore(client: postgres, media: media, logger: logger)
        let handlers = ServiceComponents.handlers(
            config: config, queue: queue, router: router, media: media, assets: assets, templates: try #require(config.templates),
            logger: logger)
        return JobWorker(queue: queue, postgres: postgres, handlers: handlers, settings: config.jobs, name: name, logger: logger)
    }

    /// Shuts the HTTP client down.
    func shutdown() async throws {
        try await httpClient.shutdown()
    }
}

/// A worker running in its own task, which the test can cancel outright (no graceful shutdown: the worker abandons
/// its jobs without writing, as if the process died).
final class RunningWorker: Sendable {
    let name: String
    private let finished = Mutex(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(_ worker: JobWorker, name: String) {
        self.name = name
        let running = Task { [self] in
            try? await worker.run()
            finished.withLock { $0 = true }
        }
        task.withLock { $0 = running }
    }

    var hasFinished: Bool { finished.withLock { $0 } }

    /// Cancels the task and waits (bounded) until the worker loop has returned.
    /// - Returns: whether it returned within `timeout`.
    @discardableResult
    func kill(timeout: Duration = .seconds(10)) async -> Bool {
        task.withLock { $0?.cancel() }
        let deadline = ContinuousClock.now + timeout
        while !hasFinished && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        return hasFinished
    }
}

/// Polls `condition` every 50 ms until it is true or `timeout` passes.
/// - Returns: whether it became true.
func pollCondition(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

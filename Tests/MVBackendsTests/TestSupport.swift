import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Synchronization

@testable import MVBackends

/// Records checkpoints and progress so tests can assert on them.
final class RecordingObserver: GenerationObserver {
    private let state = Mutex<(checkpoints: [ProviderCheckpoint], stages: [String])>(([], []))
    let failCheckpoint: Bool

    init(failCheckpoint: Bool = false) {
        self.failCheckpoint = failCheckpoint
    }

    var checkpoints: [ProviderCheckpoint] { state.withLock { $0.checkpoints } }
    var stages: [String] { state.withLock { $0.stages } }

    func providerJobStarted(_ checkpoint: ProviderCheckpoint) async throws {
        state.withLock { $0.checkpoints.append(checkpoint) }
        if failCheckpoint { throw CancellationError() }
    }

    func progress(_ fraction: Double, stage: String) async {
        state.withLock { $0.stages.append(stage) }
    }
}

/// A manual clock for breaker tests: time moves only when the test says so.
final class ManualClock: Sendable {
    private let offset = Mutex<Duration>(.zero)
    private let origin = ContinuousClock.now

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }

    var now: ContinuousClock.Instant { origin + offset.withLock { $0 } }
}

enum TestSupport {
    static let logger: Logger = {
        var logger = Logger(label: "mvbackends-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh temp directory for one test.
    static func workDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mvb-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// An HTTP client like the service's: no automatic redirects, short timeouts.
    static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(30))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs `body` with a client that is always shut down.
    static func withHTTPClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        let client = makeHTTPClient()
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

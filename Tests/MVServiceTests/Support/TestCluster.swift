import Foundation
import Logging
import PostgresNIO
@testable import MVService

/// One throwaway PostgreSQL cluster per test run (or `DATABASE_URL`, when set), and a fresh database per suite.
/// Fails loudly when PostgreSQL is not installed: a green run always means the database paths ran.
actor TestCluster {
    static let shared = TestCluster()

    private var server: DatabaseURL?
    private var counter = 0

    /// A new, empty database on the test server.
    func freshDatabase() async throws -> DatabaseURL {
        let server = try await start()
        counter += 1
        let name = "t\(getpid())_\(counter)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = PostgresClient(configuration: server.clientConfiguration, backgroundLogger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            // The name is generated above from digits and hex only; identifiers cannot be bound.
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger)
            group.cancelAll()
        }
        return server.with(database: name)
    }

    /// The one start in progress: suites run in parallel and the actor is reentrant across `await`, so every
    /// caller awaits the same start instead of racing to `initdb` the same directory.
    private var starting: Task<DatabaseURL, any Error>?

    private func start() async throws -> DatabaseURL {
        if let server { return server }
        if let starting { return try await starting.value }
        let task = Task { try await self.startOnce() }
        starting = task
        let url = try await task.value
        server = url
        return url
    }

    private func startOnce() async throws -> DatabaseURL {
        if let server { return server }
        if let raw = ProcessInfo.processInfo.environment["DATABASE_URL"], let url = DatabaseURL(raw) {
            server = url
            return url
        }
        let directory = "/tmp/mvtest-pg-\(getpid())"
        let cluster = try EmbeddedPostgres(directory: directory, port: 5432, logger: Self.logger)
        _ = try await cluster.start()
        TestCluster.registerStop(directory: directory, binDirectory: cluster.binDirectory)
        server = cluster.url
        return cluster.url
    }

    static let logger = Logger(label: "mvtest")

    /// Stops the cluster when the test process exits (CI also sweeps leftovers).
    nonisolated static func registerStop(directory: String, binDirectory: String) {
        let script = "\(binDirectory)/pg_ctl -D \(directory) -m immediate stop >/dev/null 2>&1; rm -rf \(directory)"
        let command = geteuid() == 0 ? "runuser -u postgres -- sh -c '\(script)'" : script
        setenv("MVTEST_STOP_COMMAND", command, 1)
        atexit {
            if let command = getenv("MVTEST_STOP_COMMAND") { _ = system(command) }
        }
    }
}

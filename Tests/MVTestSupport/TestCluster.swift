import Foundation
import Logging
import PostgresNIO
@testable import MVService

/// One throwaway PostgreSQL cluster per test process (or `DATABASE_URL`, when set), and a fresh database per suite.
///
/// Every test target links into one test binary, so ``shared`` is the single cluster of the whole run.
/// Fails loudly when PostgreSQL is not installed: a green run always means the database paths ran.
public actor TestCluster {
    /// The cluster of this test process.
    public static let shared = TestCluster()

    /// Logger for test queries and the cluster launcher.
    public static let logger = Logger(label: "mvtest")

    private var server: DatabaseURL?
    private var counter = 0
    /// Keeps this process's claim on the cluster until the process exits.
    private var ownedCluster: OwnedCluster?

    /// A new, empty database on the test server.
    /// - Returns: The superuser URL of the new database.
    /// - Throws: ``EmbeddedPostgres/Failure`` when the cluster cannot start, or a `PSQLError`.
    public func freshDatabase() async throws -> DatabaseURL {
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

    /// A new database holding the project's schema: a copy of a template database that was migrated once per
    /// process with the `sql/` files (copying is much cheaper than migrating every test's database).
    /// - Returns: The superuser URL of the new database.
    /// - Throws: ``EmbeddedPostgres/Failure`` when the cluster cannot start, a migration failure, or a `PSQLError`.
    public func freshMigratedDatabase() async throws -> DatabaseURL {
        let template = try await migratedTemplate()
        let server = try await start()
        counter += 1
        let name = "m\(getpid())_\(counter)_\(UUID().uuidString.prefix(8).lowercased())"
        try await Self.withClient(server) { admin in
            // Both names are generated here from digits and hex only; identifiers cannot be bound.
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"), logger: Self.logger)
        }
        return server.with(database: name)
    }

    /// The template's name once it is migrated; shared by concurrent callers like ``start()``.
    private var template: Task<String, any Error>?

    private func migratedTemplate() async throws -> String {
        if let template { return try await template.value }
        let task = Task { () async throws -> String in
            let database = try await self.freshDatabase()
            let migrations = try Migration.load(directory: RepoPaths.sql)
            try await Self.withClient(database) { client in
                try await Migrator(client: client, migrations: migrations, logger: Self.logger).migrate()
            }
            return database.database
        }
        template = task
        return try await task.value
    }

    /// Runs `body` with a running client on `database`; the client's connections are closed when this returns.
    private static func withClient(_ database: DatabaseURL, _ body: (PostgresClient) async throws -> Void) async throws {
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(client)
        }
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
        ownedCluster = try await cluster.start()
        TestCluster.registerStop(directory: directory, binDirectory: cluster.binDirectory)
        server = cluster.url
        return cluster.url
    }

    /// Stops the cluster when the test process exits (CI also sweeps leftovers).
    nonisolated static func registerStop(directory: String, binDirectory: String) {
        let script = "\(binDirectory)/pg_ctl -D \(directory) -m immediate stop >/dev/null 2>&1; rm -rf \(directory)"
        let command = (geteuid() == 0 ? "runuser -u postgres -- sh -c '\(script)'" : script) + "; rm -f \(directory).owner"
        setenv("MVTEST_STOP_COMMAND", command, 1)
        atexit {
            if let command = getenv("MVTEST_STOP_COMMAND") { _ = system(command) }
        }
    }
}

import Logging
import PostgresNIO
@testable import MVService

/// A fresh database on the ``TestCluster`` with the schema of the project's `sql/` migrations (applied by
/// `Migrator`), for tests of the libraries that talk to PostgreSQL directly.
///
/// ```swift
/// @Test func grantAddsCredits() async throws {
///     try await TestDatabase.withClient { postgres in
///         let rows = try await postgres.query("SELECT count(*) FROM credit_accounts", logger: TestCluster.logger)
///         ...
///     }
/// }
/// ```
public enum TestDatabase {
    /// Runs `body` with a running `PostgresClient` on a new, fully migrated database, then cancels the client's
    /// `run()` (also when `body` throws).
    /// - Parameters:
    ///   - maximumConnections: Pool size; concurrency tests need one connection per concurrent transaction.
    ///   - body: The test; it may use the client at once.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws, or a failure creating or migrating the database.
    public static func withClient<T: Sendable>(
        maximumConnections: Int = 20, _ body: (PostgresClient) async throws -> T
    ) async throws -> T {
        let database = try await TestCluster.shared.freshMigratedDatabase()
        var configuration = database.clientConfiguration
        configuration.options.maximumConnections = maximumConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: TestCluster.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            // The copy was migrated as the template; prove it holds every migration of `sql/`, unchanged.
            let migrations = try Migration.load(directory: RepoPaths.sql)
            try await Migrator(client: client, migrations: migrations, logger: TestCluster.logger).verify()
            return try await body(client)
        }
    }
}

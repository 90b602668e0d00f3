import Logging
import MVCore
import PostgresNIO

/// Applies ``Migration``s: each in its own transaction that first takes an advisory lock (so instances starting
/// together serialise), records version and checksum in `schema_migrations`, and refuses to run when an applied
/// file has changed.
struct Migrator: Sendable {
    /// Why migrating stopped.
    enum Failure: Error, CustomStringConvertible {
        /// An applied migration's file no longer matches what was applied.
        case checksumMismatch(version: Int, name: String)
        /// The database has a version this build does not know.
        case unknownAppliedVersion(Int)
        /// A known migration is not applied yet.
        case pending(version: Int)

        var description: String {
            switch self {
            case .checksumMismatch(let version, let name):
                "migration \(version) (\(name)) was changed after it was applied; add a new migration instead"
            case .unknownAppliedVersion(let version):
                "database has migration \(version), which this build does not have"
            case .pending(let version):
                "migration \(version) is not applied yet"
            }
        }
    }

    /// Arbitrary constant naming the migration lock.
    static let lockKey: Int64 = 0x6D76_6D69_6772_0001

    let client: PostgresClient
    let migrations: [Migration]
    let logger: Logger

    /// Creates a migrator for `migrations` (see ``Migration/load(directory:)``).
    init(client: PostgresClient, migrations: [Migration], logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies every pending migration.
    /// - Returns: the versions applied by this call.
    @discardableResult
    func migrate() async throws -> [Int] {
        var appliedNow: [Int] = []
        try await client.transaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
        }
        for migration in migrations {
            let applied = try await client.transaction(logger: logger) { connection -> Bool in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))", logger: logger)
                let rows = try await connection.query(
                    "SELECT checksum FROM schema_migrations WHERE version = \(migration.version)", logger: logger)
                for try await checksum in rows.decode(String.self) {
                    guard checksum == migration.checksum else {
                        throw Failure.checksumMismatch(version: migration.version, name: migration.name)
                    }
                    return false
                }
                for statement in migration.statements {
                    // The repository's own checksummed migration text, never user input; it has no values to bind.
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("""
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """, logger: logger)
                return true
            }
            if applied {
                appliedNow.append(migration.version)
                logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            }
        }
        try await verify()
        return appliedNow
    }

    /// Throws unless every known migration is applied with the same checksum and nothing unknown is.
    func verify() async throws {
        let rows = try await client.query("SELECT version, checksum FROM schema_migrations ORDER BY version", logger: logger)
        var applied: [Int: String] = [:]
        for try await (version, checksum) in rows.decode((Int, String).self) { applied[version] = checksum }
        for migration in migrations {
            guard let checksum = applied.removeValue(forKey: migration.version) else {
                throw Failure.pending(version: migration.version)
            }
            guard checksum == migration.checksum else {
                throw Failure.checksumMismatch(version: migration.version, name: migration.name)
            }
        }
        if let extra = applied.keys.min() { throw Failure.unknownAppliedVersion(extra) }
    }

    /// Whether the schema is current (for `/readyz`).
    func isCurrent() async -> Bool {
        (try? await verify()) != nil
    }
}


import Foundation
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// The migrator on fresh databases: applies everything once, is safe to run concurrently, refuses edited history,
/// and splits function bodies correctly.
struct MigrationTests {
    /// Runs `body` with a running client on a new, empty database.
    static func withFreshDatabase<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let database = try await TestCluster.shared.freshDatabase()
        return try await TestContext(config: AppConfig(), database: database).withPostgres(body)
    }

    static func appliedVersions(_ postgres: PostgresClient) async throws -> [Int] {
        let rows = try await postgres.query("SELECT version FROM schema_migrations ORDER BY version", logger: TestCluster.logger)
        var versions: [Int] = []
        for try await version in rows.decode(Int.self) { versions.append(version) }
        return versions
    }

    static func tableExists(_ name: String, _ postgres: PostgresClient) async throws -> Bool {
        let rows = try await postgres.query(
            "SELECT count(*)::int FROM information_schema.tables WHERE table_schema = 'public' AND table_name = \(name)",
            logger: TestCluster.logger)
        for try await count in rows.decode(Int.self) { return count == 1 }
        return false
    }

    @Test func migrateAppliesEverythingOnceThenNothing() async throws {
        let migrations = try Migration.load(directory: RepoPaths.sql)
        let versions = migrations.map(\.version)
        #expect(versions.count >= 4 && versions == versions.sorted())
        try await Self.withFreshDatabase { postgres in
            let migrator = Migrator(client: postgres, migrations: migrations, logger: TestCluster.logger)
            #expect(await migrator.isCurrent() == false)
            #expect(try await Self.tableExists("jobs", postgres) == false)

            let first = try await migrator.migrate()
            #expect(first == versions)
            #expect(try await Self.appliedVersions(postgres) == versions)
            for table in ["users", "refresh_tokens", "ledger_entries", "holds", "jobs", "assets"] {
                #expect(try await Self.tableExists(table, postgres), "table \(table) missing")
            }
            #expect(await migrator.isCurrent())

            let second = try await migrator.migrate()
            #expect(second.isEmpty)
            #expect(try await Self.appliedVersions(postgres) == versions)
        }
    }

    /// sql/021 renames the buckets written under the uppercase user id to the lowercase key the service now uses,
    /// keeping their levels; a bucket whose lowercase twin exists already is dropped.
    @Test func bucketKeysAreLowercasedKeepingTheirLevels() async throws {
        let migrations = try Migration.load(directory: RepoPaths.sql)
        try await Self.withFreshDatabase { postgres in
            let logger = TestCluster.logger
            _ = try await Migrator(client: postgres, migrations: migrations.filter { $0.version < 21 }, logger: logger).migrate()
            let user = UUID()
            let upper = "api:user:" + user.uuidString, lower = "api:user:" + user.lowercased
            let twin = UUID()
            try await postgres.query("""
                INSERT INTO rate_buckets (key, tokens, updated_at) VALUES
                    (\(upper), 7, now()), (\("generate:user:" + twin.uuidString), 1, now()), (\("generate:user:" + twin.lowercased), 2, now())
                """, logger: logger)
            _ = try await Migrator(client: postgres, migrations: migrations, logger: logger).migrate()
            let rows = try await postgres.query("SELECT key, tokens FROM rate_buckets ORDER BY key", logger: logger)
            var buckets: [String: Double] = [:]
            for try await (key, tokens) in rows.decode((String, Double).self) { buckets[key] = tokens }
            #expect(buckets == [lower: 7, "generate:user:" + twin.lowercased: 2])
        }
    }

    @Test func concurrentMigrationsApplyEachFileExactlyOnce() async throws {
        let migrations = try Migration.load(directory: RepoPaths.sql)
        try await Self.withFreshDatabase { postgres in
            let a = Migrator(client: postgres, migrations: migrations, logger: TestCluster.logger)
            let b = Migrator(client: postgres, migrations: migrations, logger: TestCluster.logger)
            let c = Migrator(client: postgres, migrations: migrations, logger: TestCluster.logger)
            async let first = a.migrate()
            async let second = b.migrate()
            async let third = c.migrate()
            let all = try await [first, second, third]
            #expect(all.flatMap { $0 }.sorted() == migrations.map(\.version), "applied: \(all)")
            #expect(try await Self.appliedVersions(postgres) == migrations.map(\.version))
            #expect(await a.isCurrent())
            #expect(await b.isCurrent())
        }
    }

    @Test func editedAppliedMigrationIsRefused() async throws {
        let directory = NSTemporaryDirectory() + "mvtest-sql-\(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: RepoPaths.sql, toPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let original = try Migration.load(directory: directory)
        let edited = try #require(original.first { $0.version == 2 })

        try await Self.withFreshDatabase { postgres in
            try await Migrator(client: postgres, migrations: original, logger: TestCluster.logger).migrate()

            let path = directory + "/" + edited.name
            let text = try String(contentsOfFile: path, encoding: .utf8)
            try (text + "\nCREATE TABLE sneaky_change (id int);\n").write(toFile: path, atomically: true, encoding: .utf8)
            let changed = Migrator(client: postgres, migrations: try Migration.load(directory: directory), logger: TestCluster.logger)

            let migrateError = await #expect(throws: Migrator.Failure.self) { try await changed.migrate() }
            guard case .checksumMismatch(let version, let name)? = migrateError else {
                Issue.record("expected checksumMismatch, got \(String(describing: migrateError))")
                return
            }
            #expect(version == 2 && name == edited.name)
            let verifyError = await #expect(throws: Migrator.Failure.self) { try await changed.verify() }
            if case .checksumMismatch(version: 2, name: _)? = verifyError {} else {
                Issue.record("verify: expected checksumMismatch of 2, got \(String(describing: verifyError))")
            }
            #expect(await changed.isCurrent() == false)
            #expect(try await Self.tableExists("sneaky_change", postgres) == false)
            #expect(try await Self.appliedVersions(postgres) == original.map(\.version))

            // A build that lacks an applied migration refuses too.
            let older = Migrator(client: postgres, migrations: Array(original.dropLast()), logger: TestCluster.logger)
            let olderError = await #expect(throws: Migrator.Failure.self) { try await older.verify() }
            if case .unknownAppliedVersion(let version)? = olderError {
                #expect(version == original.last?.version)
            } else {
                Issue.record("expected unknownAppliedVersion, got \(String(describing: olderError))")
            }
        }
    }

    @Test func splitKeepsDollarQuotedBodiesWhole() throws {
        let sql = """
            -- leading comment ending in a semicolon;
            CREATE TABLE a (id int);

            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                NEW.updated_at := now();
                RETURN NEW;
            END;
            $$;

            CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            CREATE TRIGGER t BEFORE UPDATE ON a
                FOR EACH ROW EXECUTE FUNCTION touch();
            -- trailing comment only
            """
        let statements = Migration.split(sql)
        #expect(statements.count == 4, "\(statements)")
        guard statements.count == 4 else { return }
        #expect(statements[0].contains("CREATE TABLE a (id int);"))
        #expect(statements[1].contains("CREATE FUNCTION touch()"))
        #expect(statements[1].contains("NEW.updated_at := now();"))
        #expect(statements[1].contains("RETURN NEW;"))
        #expect(statements[1].contains("END;"))
        #expect(statements[1].trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("$$;"))
        #expect(statements[2].contains("SELECT 1; $$;"))
        #expect(statements[3].contains("CREATE TRIGGER t") && statements[3].contains("EXECUTE FUNCTION touch();"))
        #expect(!statements.contains { $0.contains("trailing comment only") })

        // The real billing migration's trigger function survives as one statement.
        let billing = try #require(try Migration.load(directory: RepoPaths.sql).first { $0.version == 2 })
        let function = try #require(billing.statements.first { $0.contains("CREATE FUNCTION ledger_entries_immutable") })
        #expect(function.contains("RAISE EXCEPTION") && function.contains("END;") && function.hasSuffix("$$;"))
    }

    @Test func splitEndsAStatementBeforeATrailingComment() {
        // A trailing comment after the semicolon is common in hand-written SQL; the two statements must not be
        // sent as one query (the extended protocol refuses "multiple commands in a prepared statement").
        let sql = """
            CREATE TABLE a (id int); -- the first table
            CREATE TABLE b (id int);
            """
        let statements = Migration.split(sql)
        #expect(statements.count == 2, "\(statements)")
        #expect(statements.first?.contains("CREATE TABLE b") == false)
    }
}

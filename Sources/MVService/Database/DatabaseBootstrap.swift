import Foundation
import Logging
import MVCore
import ServiceLifecycle
import Synchronization

/// Finds the database to use: `DATABASE_URL` when given, else the embedded cluster under the data directory
/// (started, adopted from a crashed owner, or joined — see ``EmbeddedPostgres`` — and database `mvservice` created
/// if missing).
struct DatabaseBootstrap: Sendable {
    /// The URL to connect to.
    var url: DatabaseURL
    /// The embedded cluster this process owns (started or adopted) and must stop when it exits, if any.
    var ownedCluster: OwnedCluster?

    /// Resolves the database for `config`.
    /// - Parameters:
    ///   - config: The configuration (``AppConfig/databaseURL`` and ``AppConfig/dataDirectory``).
    ///   - logger: Logger for the embedded cluster's launcher.
    /// - Returns: Where to connect, and the cluster to stop on exit when this process owns it.
    /// - Throws: ``ConfigError`` for a bad `DATABASE_URL`, ``EmbeddedPostgres/Failure`` when the cluster cannot start.
    static func resolve(_ config: AppConfig, logger: Logger) async throws -> DatabaseBootstrap {
        if let raw = config.databaseURL {
            guard let url = DatabaseURL(raw) else { throw ConfigError(file: "DATABASE_URL", key: "-", reason: "not a postgres:// URL") }
            return DatabaseBootstrap(url: url, ownedCluster: nil)
        }
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let cluster = try EmbeddedPostgres(directory: config.dataDirectory + "/postgres", logger: logger)
        let owned = try await cluster.start()
        if let owned, owned.adopted {
            logger.notice(
                "adopted the running embedded PostgreSQL whose owner is gone; it stops when this process exits",
                metadata: ["socket": "\(cluster.directory)", "previous_owner_pid": "\(owned.lock.previousOwner.map(String.init) ?? "unknown")"])
        } else if owned != nil {
            logger.info("started embedded PostgreSQL", metadata: ["socket": "\(cluster.directory)"])
        } else {
            let owner = ClusterOwnerLock.recordedOwner(path: cluster.ownerLockPath).map(String.init) ?? "unknown"
            logger.info(
                "using the embedded PostgreSQL of another process", metadata: ["socket": "\(cluster.directory)", "owner_pid": "\(owner)"])
        }
        do {
            try await cluster.createDatabaseIfMissing("mvservice")
        } catch {
            await owned?.stop()
            throw error
        }
        return DatabaseBootstrap(url: cluster.url.with(database: "mvservice"), ownedCluster: owned)
    }
}

/// Applies migrations once the Postgres client runs, then opens a gate the HTTP server and workers wait on.
struct MigrationService: Service {
    let migrator: Migrator
    let gate: ReadyGate
    let logger: Logger

    func run() async throws {
        do {
            let applied = try await migrator.migrate()
            logger.info("database schema current", metadata: ["applied_now": "\(applied)"])
            gate.open()
        } catch {
            logger.critical("migrations failed", metadata: ["error": "\(error)"])
            gate.fail(error)
            throw error
        }
        try? await gracefulShutdown()
    }
}

/// A one-shot gate: waiters resume once it opens (or throw if it failed).
final class ReadyGate: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Void, any Error>])
        case open
        case failed(any Error)
    }

    private let state = Mutex<State>(.waiting([]))

    func open() { finish(.success(())) }

    func fail(_ error: any Error) { finish(.failure(error)) }

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let result: Result<Void, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var list):
                    list.append(continuation)
                    state = .waiting(list)
                    return nil
                case .open: return .success(())
                case .failed(let error): return .failure(error)
                }
            }
            if let result { continuation.resume(with: result) }
        }
    }

    private func finish(_ result: Result<Void, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            guard case .waiting(let list) = state else { return [] }
            switch result {
            case .success: state = .open
            case .failure(let error): state = .failed(error)
            }
            return list
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}

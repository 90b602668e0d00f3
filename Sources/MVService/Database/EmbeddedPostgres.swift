import Foundation
import Logging
import MVCore

/// A private PostgreSQL cluster under a folder: `initdb` on first use, `pg_ctl start` on a unix socket inside that
/// folder (no TCP), and `pg_ctl stop` by its owner. When the process runs as root the PostgreSQL binaries run
/// as the `postgres` user (initdb refuses root), with the folder owned accordingly.
///
/// Ownership: `pg_ctl` starts the postmaster outside our process group, so it outlives a `kill -9` of the process
/// that started it. Exactly one live process owns the cluster: the holder of the ``ClusterOwnerLock`` on
/// `<directory>.owner`. ``start()`` takes that lock when it is free — then it starts the cluster, or, when the
/// cluster is already running, adopts it (its starter is gone: a crashed owner's lock died with it) — and the owner
/// stops the cluster when it exits cleanly. When a live process (another `serve`, a CLI command) holds the lock,
/// ``start()`` joins its running cluster as a guest and never stops it.
struct EmbeddedPostgres: Sendable {
    /// The cluster's data folder (also its socket folder).
    let directory: String
    /// Port number naming the socket file.
    let port: Int
    /// Folder of `initdb`, `pg_ctl`, `createdb`.
    let binDirectory: String
    private let logger: Logger

    /// Errors starting or using the cluster.
    struct Failure: Error, CustomStringConvertible {
        /// What went wrong, with the tool's output.
        var description: String
    }

    /// Prepares a launcher for the cluster in `directory` (not created yet).
    /// - Throws: ``Failure`` when no PostgreSQL binaries are installed.
    init(directory: String, port: Int = 5432, logger: Logger) throws {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.port = port
        self.binDirectory = try Self.findBinDirectory()
        self.logger = logger
    }

    /// The superuser URL of the `postgres` database on this cluster.
    var url: DatabaseURL {
        DatabaseURL(socketDirectory: directory, port: port, username: "postgres", database: "postgres")
    }

    /// The lock file that names the cluster's owner: `<directory>.owner`, beside the data folder (initdb wants
    /// that folder empty, and the lock must be taken before initdb).
    var ownerLockPath: String { directory + ".owner" }

    /// Starts the cluster, adopts it, or joins it (see the type's documentation).
    ///
    /// While another live process holds the owner lock but the cluster is not running yet (it is being
    /// initialised or started, or is stopping), this waits up to 90 seconds for either to change.
    /// - Returns: The cluster this process now owns and must stop (started or adopted), or nil when a live
    ///   process owns it and this one only uses it.
    /// - Throws: ``Failure`` when initdb or `pg_ctl start` fails, or the owner neither starts nor releases it.
    func start() async throws -> OwnedCluster? {
        let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let deadline = ContinuousClock.now + .seconds(90)
        while true {
            if let lock = try ClusterOwnerLock.acquire(path: ownerLockPath) {
                do {
                    return try await startOwned(lock)
                } catch {
                    lock.release()
                    throw error
                }
            }
            if await isRunning() { return nil }
            guard ContinuousClock.now < deadline else {
                let owner = ClusterOwnerLock.recordedOwner(path: ownerLockPath).map(String.init) ?? "unknown"
                throw Failure(description: "embedded PostgreSQL in \(directory) is owned by pid \(owner) but has not started within 90 s")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// With the owner lock held: initialises the folder if needed, then starts the cluster or adopts the running one.
    private func startOwned(_ lock: ClusterOwnerLock) async throws -> OwnedCluster {
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: directory + "/PG_VERSION") {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try await handOverToPostgresUser()
            logger.info("initialising embedded PostgreSQL", metadata: ["directory": "\(directory)"])
            try await run(tool: "initdb", ["-D", directory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"])
        }
        if await isRunning() {
            return OwnedCluster(cluster: self, lock: lock, adopted: true)
        }
        let options = "-k \(directory) -p \(port) -c listen_addresses= -c fsync=on -c max_connections=300"
        let result = try await run(
            tool: "pg_ctl", ["-D", directory, "-o", options, "-l", directory + "/server.log", "-w", "-t", "60", "start"],
            check: false, capture: false)
        if result.status != 0 {
            // A process that ignores the owner lock (an older build) may have started it meanwhile.
            if await isRunning() { return OwnedCluster(cluster: self, lock: lock, adopted: true) }
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8))?.suffix(2000) ?? ""
            throw Failure(description: "pg_ctl start failed: \(log)")
        }
        return OwnedCluster(cluster: self, lock: lock, adopted: false)
    }

    /// Stops the cluster (fast shutdown).
    func stop() async {
        _ = try? await run(tool: "pg_ctl", ["-D", directory, "-m", "fast", "-w", "stop"])
    }

    /// Creates `database` on the cluster unless it exists.
    func createDatabaseIfMissing(_ database: String) async throws {
        let result = try await run(tool: "createdb", ["-h", directory, "-p", String(port), "-U", "postgres", database], check: false)
        guard result.status != 0 else { return }
        // Most likely it exists already (another process made it): connecting proves it.
        let probe = try await run(
            tool: "psql", ["-h", directory, "-p", String(port), "-U", "postgres", "-d", database, "-tAc", "SELECT 1"], check: false)
        if probe.status != 0 {
            throw Failure(description: "createdb \(database) failed: \(result.output)")
        }
    }

    private func isRunning() async -> Bool {
        (try? await run(tool: "pg_ctl", ["-D", directory, "status"], check: false).status) == 0
    }

    private func handOverToPostgresUser() async throws {
        guard geteuid() == 0 else { return }
        try await runProcess("/bin/chown", ["-R", "postgres:postgres", directory])
        try await runProcess("/bin/chmod", ["700", directory])
    }

    @discardableResult
    private func run(tool: String, _ arguments: [String], check: Bool = true, capture: Bool = true) async throws -> (status: Int32, output: String) {
        let path = binDirectory + "/" + tool
        if geteuid() == 0 {
            return try await runProcess("/usr/sbin/runuser", ["-u", "postgres", "--", path] + arguments, check: check, capture: capture)
        }
        return try await runProcess(path, arguments, check: check, capture: capture)
    }

    /// Runs a program to completion. Output goes to a temporary file, never a pipe: `pg_ctl start` leaves a server
    /// running that would inherit the pipe and keep it open.
    @discardableResult
    private func runProcess(_ path: String, _ arguments: [String], check: Bool = true, capture: Bool = true) async throws -> (status: Int32, output: String) {
        let outputPath = NSTemporaryDirectory() + "mvpg-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let status = try await ProcessRunner.run(path, arguments, outputPath: capture ? outputPath : nil)
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        if check && status != 0 {
            throw Failure(description: "\(URL(fileURLWithPath: path).lastPathComponent) \(arguments.joined(separator: " ")) failed: \(text)")
        }
        return (status, text)
    }

    private static func findBinDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        for version in versions.compactMap(Int.init).sorted(by: >) {
            let bin = "\(root)/\(version)/bin"
            if FileManager.default.isExecutableFile(atPath: bin + "/initdb") { return bin }
        }
        throw Failure(description: "no PostgreSQL server binaries under \(root); install postgresql-15 (see README)")
    }
}

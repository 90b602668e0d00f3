import Foundation
import Logging
import MVCore

/// A private PostgreSQL cluster under a folder: `initdb` on first use, `pg_ctl start` on a unix socket inside that
/// folder (no TCP), and `pg_ctl stop` by whoever started it. When the process runs as root the PostgreSQL binaries run
/// as the `postgres` user (initdb refuses root), with the folder owned accordingly. A cluster that is already running
/// (another `serve`, a CLI command) is reused, not started twice.
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

    /// Starts the cluster unless it already runs.
    /// - Returns: true when this call started it (so the caller should stop it).
    func start() async throws -> Bool {
        let fileManager = FileManager.default
        if !fileManager.fileExists(atPath: directory + "/PG_VERSION") {
            try fileManager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try await handOverToPostgresUser()
            logger.info("initialising embedded PostgreSQL", metadata: ["directory": "\(directory)"])
            try await run(tool: "initdb", ["-D", directory, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--locale=C"])
        }
        if await isRunning() { return false }
        let options = "-k \(directory) -p \(port) -c listen_addresses= -c fsync=on -c max_connections=300"
        let result = try await run(
            tool: "pg_ctl", ["-D", directory, "-o", options, "-l", directory + "/server.log", "-w", "-t", "60", "start"],
            check: false, capture: false)
        if result.status != 0 {
            // Another process may have started it between our check and our start.
            if await isRunning() { return false }
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8))?.suffix(2000) ?? ""
            throw Failure(description: "pg_ctl start failed: \(log)")
        }
        return true
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

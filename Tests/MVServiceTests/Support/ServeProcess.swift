import Foundation
import MVTestSupport

/// The built `mvservice serve` binary running as a child process on its own data directory (embedded PostgreSQL),
/// for tests that must crash or stop a real process. Its log goes to a file the test reads.
final class ServeProcess {
    let process = Process()
    let logPath: String

    /// The `mvservice` executable built beside the test bundle.
    static func binary() throws -> String {
        let testBinary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var candidates = [URL(fileURLWithPath: testBinary).deletingLastPathComponent().appendingPathComponent("mvservice").path]
        candidates.append(RepoPaths.root + "/.build/debug/mvservice")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure("mvservice binary not found (looked at \(candidates)); run `swift build --build-tests` first")
        }
        return found
    }

    /// Starts `mvservice serve --data-dir dataDirectory --port 0 --no-workers` with mock providers.
    convenience init(dataDirectory: String, name: String) throws {
        try self.init(
            arguments: ["serve", "--config", RepoPaths.configs + "/service.yaml", "--data-dir", dataDirectory, "--port", "0", "--no-workers"],
            dataDirectory: dataDirectory, name: name)
    }

    /// Starts `mvservice <arguments>` with mock providers (no provider keys), `environment` added, logging to
    /// `<dataDirectory>-<name>.log`.
    init(arguments: [String], dataDirectory: String, name: String, environment extra: [String: String] = [:]) throws {
        logPath = dataDirectory + "-\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for name in ["DATABASE_URL", "MV_DATA_DIR", "MV_PORT", "MV_HOST", "REPLICATE_API_TOKEN", "GEMINI_API_KEY", "MV_DEBUG_MODE"] {
            environment[name] = nil
        }
        environment["MV_LOG_LEVEL"] = "info"
        environment.merge(extra) { _, new in new }
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: RepoPaths.root)
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// What the process has logged so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until the HTTP server listens (migrations done), or fails with the log.
    func waitUntilReady(timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !log.contains("Server started and listening") {
            guard process.isRunning else { throw TestFailure("serve exited before it was ready:\n\(log)") }
            guard ContinuousClock.now < deadline else { throw TestFailure("serve not ready within \(timeout):\n\(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The port the HTTP server listens on, from its start-up line (after ``waitUntilReady(timeout:)``).
    var port: Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("Server started and listening on") }),
            let last = line.split(separator: ":").last
        else { return nil }
        return Int(last.prefix { $0.isNumber })
    }

    /// Waits until `text` appears in the log (a worker's start, say), or fails with the log.
    func waitForLog(_ text: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !log.contains(text) {
            guard process.isRunning else { throw TestFailure("process exited before logging \(text):\n\(log)") }
            guard ContinuousClock.now < deadline else { throw TestFailure("no \(text) within \(timeout):\n\(log)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sends `signal` and waits for the process to end.
    /// - Returns: Its exit status (or the signal number, when killed by one).
    func stop(with signal: Int32, timeout: Duration = .seconds(30)) async throws -> Int32 {
        kill(pid, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("serve did not exit within \(timeout) of signal \(signal):\n\(log)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }
}

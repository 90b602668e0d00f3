import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs child processes: the one runner for ffmpeg, ffprobe, initdb and pg_ctl.
///
/// It spawns with `posix_spawn` through a tiny shell that closes every inherited descriptor above stderr, so a daemon
/// the program leaves behind (`pg_ctl start`) holds none of ours. Output goes to files, never pipes, so nothing can
/// fill up and a daemon keeping stdout open cannot stall us. The exit is reaped with `waitpid(WNOHANG)` on a short,
/// growing sleep: no thread blocks while the child runs. A timeout or task cancellation stops the child (SIGTERM,
/// then SIGKILL two seconds later).
public enum ProcessRunner {
    /// Runs `executable` and collects its output.
    /// - Parameters:
    ///   - executable: A path, or a bare name looked up on `PATH`.
    ///   - arguments: Arguments (never passed through a shell's parsing).
    ///   - workingDirectory: Directory to run in, or the current one.
    ///   - timeout: Stop the process after this long; nil for no limit.
    /// - Returns: Exit status, stdout and stderr.
    /// - Throws: ``ProcessFailure``.
    public static func run(
        _ executable: String, _ arguments: [String], workingDirectory: String? = nil, timeout: Duration? = nil
    ) async throws(ProcessFailure) -> ProcessOutput {
        let scratch = NSTemporaryDirectory() + "mvproc-\(UUID().lowercased)"
        defer {
            unlink(scratch + ".out")
            unlink(scratch + ".err")
        }
        let status = try await spawnAndWait(
            executable, arguments, stdoutPath: scratch + ".out", stderrPath: scratch + ".err",
            workingDirectory: workingDirectory, timeout: timeout)
        let stdout = FileManager.default.contents(atPath: scratch + ".out") ?? Data()
        let stderr = String(decoding: FileManager.default.contents(atPath: scratch + ".err") ?? Data(), as: UTF8.self)
        return ProcessOutput(exitCode: status, stdout: stdout, stderr: stderr)
    }

    /// Runs `executable` with stdout and stderr written to `outputPath` (or discarded).
    /// - Returns: The exit status (128 + signal when a signal ended it).
    /// - Throws: ``ProcessFailure``.
    public static func run(
        _ executable: String, _ arguments: [String], outputPath: String?, timeout: Duration? = nil
    ) async throws(ProcessFailure) -> Int32 {
        try await spawnAndWait(
            executable, arguments, stdoutPath: outputPath ?? "/dev/null", stderrPath: nil, workingDirectory: nil,
            timeout: timeout)
    }

    /// Resolves a bare name through `PATH`; paths are used as given. Nil when not executable.
    public static func resolve(_ executable: String) -> String? {
        if executable.contains("/") {
            return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func spawnAndWait(
        _ executable: String, _ arguments: [String], stdoutPath: String, stderrPath: String?, workingDirectory: String?,
        timeout: Duration?
    ) async throws(ProcessFailure) -> Int32 {
        guard let path = resolve(executable) else {
            throw ProcessFailure(kind: .notFound, message: "\(executable) not found")
        }
        let name = (path as NSString).lastPathComponent
        let pid = try spawn(path, arguments, stdoutPath: stdoutPath, stderrPath: stderrPath, workingDirectory: workingDirectory)
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var pause = Duration.milliseconds(1)
        var stopReason: ProcessFailure.Kind?
        var killAt: ContinuousClock.Instant?
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                if let stopReason { throw ProcessFailure(kind: stopReason, message: "\(name) was stopped (\(stopReason.rawValue))") }
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
            if reaped == -1 && errno != EINTR {
                throw ProcessFailure(kind: .launchFailed, message: "waitpid failed for \(name): errno \(errno)")
            }
            if stopReason == nil {
                if Task.isCancelled {
                    stopReason = .canceled
                } else if let deadline, clock.now >= deadline {
                    stopReason = .timedOut
                }
                if stopReason != nil {
                    kill(pid, SIGTERM)
                    killAt = clock.now + .seconds(2)
                }
            } else if let due = killAt, clock.now >= due {
                kill(pid, SIGKILL)
                killAt = nil
            }
            // A cancelled task's sleep returns at once; keep reaping at the slow pace until the child is gone.
            if Task.isCancelled {
                usleep(20_000)
            } else {
                try? await Task.sleep(for: pause)
            }
            pause = min(pause * 2, .milliseconds(50))
        }
    }

    private static func spawn(
        _ path: String, _ arguments: [String], stdoutPath: String, stderrPath: String?, workingDirectory: String?
    ) throws(ProcessFailure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if let stderrPath {
            posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Close every inherited descriptor above stderr, change directory, then become the program.
        let script = #"for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; cd -- "$1" || exit 126; shift; exec "$@""#
        let argv = (["/bin/bash", "-c", script, "sh", workingDirectory ?? ".", path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw ProcessFailure(kind: .launchFailed, message: "cannot start \(path): \(String(cString: strerror(spawned)))")
        }
        return pid
    }
}

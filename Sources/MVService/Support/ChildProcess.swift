import Foundation
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program with `posix_spawn` and waits for it with `waitpid` on the NIO thread pool. Unlike Foundation's
/// `Process`, it does not wait for inherited descriptors to close, so it works for programs that leave a daemon
/// behind (`pg_ctl start`); descriptors above stderr are closed in the child so the daemon holds none of ours.
enum ChildProcess {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `path` with `arguments`; stdout and stderr go to `outputPath` (or /dev/null).
    /// - Returns: the exit status (128 + signal when killed by one).
    static func run(_ path: String, _ arguments: [String], outputPath: String?) async throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // A tiny shell closes every inherited descriptor above stderr, then becomes the program.
        let closeAndExec = #"for fd in /proc/self/fd/*; do n=${fd##*/}; [ "$n" -gt 2 ] && eval "exec $n>&-"; done 2>/dev/null; exec "$@""#
        let argv = (["/bin/bash", "-c", closeAndExec, "sh", path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var spawnedPID: pid_t = 0
        let spawned = posix_spawn(&spawnedPID, "/bin/bash", &actions, nil, argv, environ)
        let pid = spawnedPID
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(path): \(String(cString: strerror(spawned)))")
        }
        return try await NIOThreadPool.singleton.runIfActive {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 {
                guard errno == EINTR else { throw Failure(description: "waitpid failed: \(errno)") }
            }
            let signal = status & 0x7f
            return signal == 0 ? (status >> 8) & 0xff : 128 + signal
        }
    }
}

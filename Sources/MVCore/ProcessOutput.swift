import Foundation

/// What a finished child process printed.
public struct ProcessOutput: Sendable, Equatable {
    /// Exit status (0 = success; 128 + signal when a signal ended it).
    public var exitCode: Int32
    /// Standard output bytes.
    public var stdout: Data
    /// Standard error as text (lossy UTF-8).
    public var stderr: String

    /// Creates an output record.
    /// - Parameters:
    ///   - exitCode: Exit status.
    ///   - stdout: Standard output.
    ///   - stderr: Standard error.
    public init(exitCode: Int32, stdout: Data, stderr: String) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Why a child process could not run to its end.
public struct ProcessFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: String, Sendable, Equatable {
        /// The executable is not on `PATH` (or not executable at the given path).
        case notFound = "not_found"
        /// `posix_spawn` or the output files failed.
        case launchFailed = "launch_failed"
        /// The timeout passed; the process was stopped.
        case timedOut = "timed_out"
        /// The calling task was cancelled; the process was stopped.
        case canceled
    }

    /// The kind.
    public var kind: Kind
    /// Detail for logs.
    public var message: String

    /// Creates a failure.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

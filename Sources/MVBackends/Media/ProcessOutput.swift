import Foundation

/// What a finished child process printed.
public struct ProcessOutput: Sendable, Equatable {
    /// Exit status (0 = success).
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

/// Runs ffmpeg safely: off the event loop (the exit is awaited, no thread blocks), with
import MVCore
/// `-nostdin -y -hide_banner -loglevel error` always prepended, and a timeout after which the
/// process is terminated and then killed. Cancelling the calling task kills it too.
///
/// Callers add `-protocol_whitelist file` and forced input formats (`-f`) for files they read.
///
/// ```swift
/// let ffmpeg = FFmpegRunner(executable: "ffmpeg", timeout: .seconds(120))
/// try await ffmpeg.run(["-f", "lavfi", "-i", "color=c=black:s=320x240:d=1", "out.mp4"], workingDirectory: dir)
/// ```
public struct FFmpegRunner: Sendable {
    /// ffmpeg executable: a path, or a name looked up in `PATH`.
    public var executable: String
    /// Default timeout of one run.
    public var timeout: Duration

    /// The flags put in front of every argument list.
    public static let standardFlags = ["-nostdin", "-y", "-hide_banner", "-loglevel", "error"]

    /// Creates a runner.
    /// - Parameters:
    ///   - executable: ffmpeg executable, default `ffmpeg`.
    ///   - timeout: Default timeout, default 120 s.
    public init(executable: String = "ffmpeg", timeout: Duration = .seconds(120)) {
        self.executable = executable
        self.timeout = timeout
    }

    /// Whether the executable can be found.
    public var isAvailable: Bool { ProcessRunner.resolve(executable) != nil }

    /// Runs ffmpeg with ``standardFlags`` followed by `arguments`.
    /// - Parameters:
    ///   - arguments: ffmpeg arguments (inputs, filters, output).
    ///   - workingDirectory: Working directory for relative paths, optional.
    ///   - timeout: Overrides the default timeout.
    /// - Returns: The process output (exit code 0).
    /// - Throws: ``FFmpegError`` when it can't start, fails, times out or is cancelled.
    @discardableResult
    public func run(_ arguments: [String], workingDirectory: String? = nil, timeout: Duration? = nil) async throws(FFmpegError) -> ProcessOutput {
        let output: ProcessOutput
        do {
            output = try await ProcessRunner.run(
                executable, Self.standardFlags + arguments, workingDirectory: workingDirectory, timeout: timeout ?? self.timeout)
        } catch {
            throw FFmpegError(error)
        }
        guard output.exitCode == 0 else {
            throw FFmpegError(kind: .failed, message: "ffmpeg exited with \(output.exitCode): \(String(output.stderr.suffix(500)))")
        }
        return output
    }

    /// The ffprobe that sits next to this ffmpeg (same directory), or `ffprobe` from `PATH`.
    public var siblingProbe: String {
        guard executable.contains("/") else { return "ffprobe" }
        var parts = executable.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        return parts.joined(separator: "/") + "/ffprobe"
    }
}

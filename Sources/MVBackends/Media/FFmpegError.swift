/// A failed ffmpeg/ffprobe run.
public struct FFmpegError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Equatable {
        /// The executable was not found.
        case notFound
        /// The process could not be started.
        case launchFailed
        /// It exited with a non-zero status.
        case failed
        /// It ran past its timeout and was killed.
        case timedOut
        /// The calling task was cancelled; the process was killed.
        case canceled
        /// Its output could not be understood (ffprobe JSON).
        case badOutput
    }

    /// The kind of failure.
    public var kind: Kind
    /// Detail (the tail of stderr for `failed`).
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - kind: Kind.
    ///   - message: Detail.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// `kind: message`.
    public var description: String { "\(kind.rawValue): \(message)" }
}

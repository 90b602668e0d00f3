import MVCore

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
        /// An input is unusable before ffmpeg runs: not a video, a song without sound, a path that cannot be handed to
        /// ffmpeg safely, or parameters that do not fit the clips (a crossfade longer than a clip). Retrying won't help.
        case invalidInput
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

extension FFmpegError {
    /// A process that could not run to its end, as an ffmpeg failure of the same kind.
    /// - Parameter failure: The runner's failure.
    public init(_ failure: ProcessFailure) {
        let kind: Kind
        switch failure.kind {
        case .notFound: kind = .notFound
        case .launchFailed: kind = .launchFailed
        case .timedOut: kind = .timedOut
        case .canceled: kind = .canceled
        }
        self.init(kind: kind, message: failure.message)
    }
}

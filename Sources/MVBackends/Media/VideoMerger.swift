import MVCore

/// How consecutive clips meet in a merged video.
public enum MergeTransition: String, Codable, Sendable, CaseIterable {
    /// Hard cuts.
    case none
    /// `xfade` for the picture and `acrossfade` for the sound, `transitionSeconds` long.
    case crossfade
}

/// How the song is laid under the merged clips.
public enum AudioFit: String, Codable, Sendable, CaseIterable {
    /// The result is as long as the shorter of the video and the song.
    case trim
    /// The result is exactly as long as the song: clips repeat when shorter, and are cut when longer.
    case loop
    /// The result is as long as the video; the song is cut or ends early.
    case none
}

/// How the merge was done.
public enum MergeMethod: String, Codable, Sendable {
    /// The concat demuxer with `-c copy`: every clip had the same codec, size, pixel format, frame rate and timebase.
    case streamCopy = "stream_copy"
    /// Decoded and encoded again to the first clip's geometry.
    case reencode
}

/// One clip to merge: a file in the media store, by a path the service built.
public struct MergeInput: Sendable, Equatable {
    /// Absolute path of the file.
    public var path: String
    /// What ffprobe said of it when it was stored, if known; the merger probes it when nil.
    public var info: MediaInfo?

    /// Creates an input.
    public init(path: String, info: MediaInfo? = nil) {
        self.path = path
        self.info = info
    }
}

/// One merge: files the service built paths for (never a client string), and how to join them.
public struct MergeSpec: Sendable, Equatable {
    /// The clips, in order (at least one).
    public var clips: [MergeInput]
    /// Absolute path of the song, if any.
    public var audio: String?
    /// How clips meet.
    public var transition: MergeTransition
    /// Length of each crossfade in seconds (ignored for `.none`).
    public var transitionSeconds: Double
    /// How the song is fitted (ignored without a song).
    public var fit: AudioFit
    /// Where the finished MP4 goes; written atomically (a temporary sibling renamed at the end).
    public var output: String

    /// Creates a spec.
    public init(
        clips: [MergeInput], audio: String? = nil, transition: MergeTransition = .none, transitionSeconds: Double = 0.5,
        fit: AudioFit = .trim, output: String
    ) {
        self.clips = clips
        self.audio = audio
        self.transition = transition
        self.transitionSeconds = transitionSeconds
        self.fit = fit
        self.output = output
    }
}

/// What a merge produced.
public struct MergeOutcome: Sendable, Equatable, Codable {
    /// How it was done.
    public var method: MergeMethod
    /// Length of the result, as ffprobe reads it.
    public var durationSeconds: Double

    /// Creates an outcome.
    public init(method: MergeMethod, durationSeconds: Double) {
        self.method = method
        self.durationSeconds = durationSeconds
    }
}

/// Joins clips (and a song) into one MP4 with ffmpeg, off the event loop, reading only files by paths we built.
public struct VideoMerger: Sendable {
    /// The ffmpeg runner (its timeout bounds each ffmpeg run).
    public var ffmpeg: FFmpegRunner
    /// The ffprobe executable.
    public var ffprobePath: String

    /// Creates a merger.
    public init(ffmpeg: FFmpegRunner = FFmpegRunner(), ffprobePath: String? = nil) {
        self.ffmpeg = ffmpeg
        self.ffprobePath = ffprobePath ?? ffmpeg.siblingProbe
    }

    /// Merges `spec.clips` into `spec.output`.
    /// - Throws: ``FFmpegError`` when a clip or the song cannot be read or ffmpeg fails.
    public func merge(_ spec: MergeSpec) async throws(FFmpegError) -> MergeOutcome {
        // Placeholder until the merge engine lands (issue 10): the interface is the contract.
        throw FFmpegError(kind: .failed, message: "merge is not implemented yet")
    }
}

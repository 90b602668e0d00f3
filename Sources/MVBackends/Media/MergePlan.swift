import Foundation

/// What a merge will do, decided from the clips' probes before ffmpeg runs: stream copy or re-encode, the geometry
/// of a re-encode, the length of every piece, and how the song is laid under the result.
///
/// Stream copy (the concat demuxer with `-c copy`) needs every clip to share codec, size, pixel format, frame rate
/// and timebase (the concat demuxer does not re-time or convert), and, when the clips' own sound is kept, the same
/// audio codec, sample rate and channel count (or no audio in any of them). A crossfade always re-encodes.
/// Anything else re-encodes to the first clip's size (rounded down to even numbers, as yuv420p needs), scaled to fit
/// and padded (aspect ratio kept, never stretched), at the first clip's frame rate, H.264 yuv420p.
///
/// With a song, the clips' own sound is dropped and the song (EBU R128 `loudnorm`) is the only audio; the length
/// follows ``AudioFit``.
struct MergePlan: Sendable, Equatable {
    /// The size and rate a re-encode produces (the first clip's).
    struct Geometry: Sendable, Equatable {
        var width: Int
        var height: Int
        /// Frame rate as a rational `num/den` (digits only), e.g. `24/1`.
        var frameRate: String
    }

    /// The song to lay under the video.
    struct Song: Sendable, Equatable {
        /// Absolute path.
        var path: String
        /// The demuxer forced when ffmpeg reads it (`mp3`, `wav`, `ogg`, `mov`).
        var demuxer: String
        /// Its length in seconds.
        var seconds: Double
    }

    /// Stream copy or re-encode.
    var method: MergeMethod
    /// The geometry of a re-encode.
    var geometry: Geometry
    /// Length of each clip's picture, in order.
    var clipSeconds: [Double]
    /// Crossfade length, nil for hard cuts.
    var crossfadeSeconds: Double?
    /// Length of the joined clips (crossfades overlap: n·d − (n−1)·t).
    var videoSeconds: Double
    /// Whether the clips' own sound goes into the result (no song, and at least one clip has sound).
    var keepsClipAudio: Bool
    /// Which clips have sound.
    var clipHasAudio: [Bool]
    /// The song, if any.
    var song: Song?
    /// How many times the joined clips are played in a row (more than one only to loop under a longer song).
    var repeats: Int
    /// The exact length of the result.
    var outputSeconds: Double

    /// The demuxers ffprobe may detect a song as (`-format_whitelist`).
    static let songFormats = ["mp3", "wav", "ogg", "mov"]

    /// The demuxer a song is then read with, by ffprobe's format name (ffmpeg never detects it at merge time).
    static let songDemuxers: [String: String] = [
        "mp3": "mp3", "wav": "wav", "ogg": "ogg", "mov,mp4,m4a,3gp,3g2,mj2": "mov",
    ]

    /// Plans a merge.
    /// - Parameters:
    ///   - clips: The clips' probes, in order (each has a video stream).
    ///   - song: The song, already checked (demuxer from ``songDemuxers``, positive length).
    ///   - transition: How clips meet.
    ///   - transitionSeconds: Crossfade length.
    ///   - fit: How the song is fitted.
    /// - Throws: ``FFmpegError`` of kind `invalidInput` for no clips, or a crossfade not shorter than every clip.
    init(clips: [MediaInfo], song: Song?, transition: MergeTransition, transitionSeconds: Double, fit: AudioFit) throws(FFmpegError) {
        guard let first = clips.first else { throw FFmpegError(kind: .invalidInput, message: "a merge needs at least one clip") }
        let seconds = clips.map(\.pictureSeconds)
        guard seconds.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw FFmpegError(kind: .invalidInput, message: "a clip has no duration")
        }
        var crossfade: Double?
        if transition == .crossfade, clips.count > 1 {
            guard transitionSeconds.isFinite, transitionSeconds > 0, transitionSeconds < (seconds.min() ?? 0) else {
                throw FFmpegError(kind: .invalidInput, message: "the crossfade must be longer than 0 s and shorter than the shortest clip")
            }
            crossfade = transitionSeconds
        }
        let hasAudio = clips.map { $0.audioCodec != nil }
        let keepsClipAudio = song == nil && hasAudio.contains(true)
        let copyable = crossfade == nil && Self.canStreamCopy(clips, comparingAudio: keepsClipAudio)

        self.method = copyable ? .streamCopy : .reencode
        self.geometry = Geometry(
            width: max(2, (first.width ?? 2) / 2 * 2), height: max(2, (first.height ?? 2) / 2 * 2),
            frameRate: Self.safeRate(first.frameRate))
        self.clipSeconds = seconds
        self.crossfadeSeconds = crossfade
        self.videoSeconds = seconds.reduce(0, +) - Double(clips.count - 1) * (crossfade ?? 0)
        self.keepsClipAudio = keepsClipAudio
        self.clipHasAudio = hasAudio
        self.song = song
        if let song {
            switch fit {
            case .trim: outputSeconds = min(videoSeconds, song.seconds)
            case .loop: outputSeconds = song.seconds
            case .none: outputSeconds = videoSeconds
            }
            repeats = max(1, Int((outputSeconds / videoSeconds - 1e-6).rounded(.up)))
        } else {
            outputSeconds = videoSeconds
            repeats = 1
        }
    }

    /// Whether the concat demuxer can join `clips` by stream copy: same codec, size, pixel format, frame rate and
    /// timebase, and (when their sound is kept) the same audio codec, sample rate and channels.
    static func canStreamCopy(_ clips: [MediaInfo], comparingAudio: Bool) -> Bool {
        guard let first = clips.first, first.describesVideoFully else { return false }
        return clips.allSatisfy { clip in
            clip.videoCodec == first.videoCodec && clip.width == first.width && clip.height == first.height
                && clip.pixelFormat == first.pixelFormat && clip.frameRate == first.frameRate && clip.timeBase == first.timeBase
                && (!comparingAudio
                    || (clip.audioCodec == first.audioCodec && clip.audioSampleRate == first.audioSampleRate
                        && clip.audioChannels == first.audioChannels))
        }
    }

    /// `rate` when it is a positive rational made of digits (it goes into a filter graph), else `24/1`.
    static func safeRate(_ rate: String?) -> String {
        guard let rate, !rate.isEmpty, rate.utf8.allSatisfy({ (48...57).contains($0) || $0 == UInt8(ascii: "/") }) else { return "24/1" }
        let parts = rate.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let numerator = Int(parts[0]), numerator > 0,
            parts.count == 1 || (Int(parts[1]) ?? 0) > 0
        else { return "24/1" }
        return rate
    }
}

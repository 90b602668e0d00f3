/// What ffprobe says about a media file.
///
/// The service stores it in a video asset's `metadata.media` when the clip is made, so a merge can decide between
/// stream copy and re-encoding without running ffprobe again (see ``VideoMerger``).
public struct MediaInfo: Sendable, Equatable, Codable {
    /// Container format names, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `png_pipe`.
    public var formatName: String
    /// Container duration in seconds (0 for still images).
    public var durationSeconds: Double
    /// Codec of the first video stream, e.g. `h264`, `png`.
    public var videoCodec: String?
    /// Width of the first video stream.
    public var width: Int?
    /// Height of the first video stream.
    public var height: Int?
    /// Pixel format of the first video stream, e.g. `yuv420p`.
    public var pixelFormat: String?
    /// Codec of the first audio stream, e.g. `aac`.
    public var audioCodec: String?
    /// Frame rate of the first video stream as ffprobe's `r_frame_rate` rational, e.g. `24/1` or `30000/1001`.
    public var frameRate: String?
    /// Timebase of the first video stream, e.g. `1/12288`.
    public var timeBase: String?
    /// Duration of the first video stream in seconds, when the container records it.
    public var videoDurationSeconds: Double?
    /// Sample rate of the first audio stream in Hz.
    public var audioSampleRate: Int?
    /// Channel count of the first audio stream.
    public var audioChannels: Int?

    /// Creates a record.
    /// - Parameters:
    ///   - formatName: Format.
    ///   - durationSeconds: Duration.
    ///   - videoCodec: Video codec.
    ///   - width: Width.
    ///   - height: Height.
    ///   - pixelFormat: Pixel format.
    ///   - audioCodec: Audio codec.
    ///   - frameRate: Video frame rate (`num/den`).
    ///   - timeBase: Video timebase (`num/den`).
    ///   - videoDurationSeconds: Video stream duration.
    ///   - audioSampleRate: Audio sample rate.
    ///   - audioChannels: Audio channel count.
    public init(
        formatName: String,
        durationSeconds: Double,
        videoCodec: String?,
        width: Int?,
        height: Int?,
        pixelFormat: String? = nil,
        audioCodec: String? = nil,
        frameRate: String? = nil,
        timeBase: String? = nil,
        videoDurationSeconds: Double? = nil,
        audioSampleRate: Int? = nil,
        audioChannels: Int? = nil
    ) {
        self.formatName = formatName
        self.durationSeconds = durationSeconds
        self.videoCodec = videoCodec
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.audioCodec = audioCodec
        self.frameRate = frameRate
        self.timeBase = timeBase
        self.videoDurationSeconds = videoDurationSeconds
        self.audioSampleRate = audioSampleRate
        self.audioChannels = audioChannels
    }

    /// Whether the record says everything a merge needs to decide on stream copy (codec, size, pixel format, frame
    /// rate, timebase); records stored before these fields existed lack some, and are probed again.
    public var describesVideoFully: Bool {
        videoCodec != nil && width != nil && height != nil && pixelFormat != nil && frameRate != nil && timeBase != nil
    }

    /// Frames per second, from ``frameRate``; nil when missing, zero or unparsable.
    public var framesPerSecond: Double? {
        guard let frameRate else { return nil }
        let parts = frameRate.split(separator: "/")
        guard let numerator = parts.first.flatMap({ Double($0) }) else { return nil }
        let denominator = parts.count > 1 ? Double(parts[1]) ?? 0 : 1
        guard numerator > 0, denominator > 0 else { return nil }
        return numerator / denominator
    }

    /// The best known length of the picture: the video stream's duration, else the container's.
    public var pictureSeconds: Double { videoDurationSeconds ?? durationSeconds }
}

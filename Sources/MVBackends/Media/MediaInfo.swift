/// What ffprobe says about a media file.
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

    /// Creates a record.
    /// - Parameters:
    ///   - formatName: Format.
    ///   - durationSeconds: Duration.
    ///   - videoCodec: Video codec.
    ///   - width: Width.
    ///   - height: Height.
    ///   - pixelFormat: Pixel format.
    ///   - audioCodec: Audio codec.
    public init(
        formatName: String,
        durationSeconds: Double,
        videoCodec: String?,
        width: Int?,
        height: Int?,
        pixelFormat: String? = nil,
        audioCodec: String? = nil
    ) {
        self.formatName = formatName
        self.durationSeconds = durationSeconds
        self.videoCodec = videoCodec
        self.width = width
        self.height = height
        self.pixelFormat = pixelFormat
        self.audioCodec = audioCodec
    }
}

/// Settings of the offline mock provider.
public struct MockConfiguration: Sendable, Codable, Equatable {
    /// Minimum simulated latency in seconds (`MOCK_VIDEO_DELAY_MIN`).
    public var delayMin: Double = 0
    /// Maximum simulated latency in seconds (`MOCK_VIDEO_DELAY_MAX`).
    public var delayMax: Double = 0
    /// Probability 0...1 of a non-retryable `mock_failure` (`MOCK_FAILURE_RATE`); 1 = always fail.
    public var failureRate: Double = 0
    /// The ffmpeg executable (name looked up in `PATH`, or a path).
    public var ffmpegPath: String = "ffmpeg"
    /// Font used to draw prompts; `nil` = look in the usual places, draw without text if none exists.
    public var fontPath: String? = nil

    /// Creates a configuration.
    /// - Parameters:
    ///   - delayMin: Minimum delay (s).
    ///   - delayMax: Maximum delay (s).
    ///   - failureRate: Failure probability.
    ///   - ffmpegPath: ffmpeg executable.
    ///   - fontPath: Font file for drawtext.
    public init(delayMin: Double = 0, delayMax: Double = 0, failureRate: Double = 0, ffmpegPath: String = "ffmpeg", fontPath: String? = nil) {
        self.delayMin = delayMin
        self.delayMax = delayMax
        self.failureRate = failureRate
        self.ffmpegPath = ffmpegPath
        self.fontPath = fontPath
    }
}

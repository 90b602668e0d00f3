/// Units the provider reports (the service prices them).
public struct Usage: Codable, Sendable, Equatable {
    /// Seconds of generated video.
    public var videoSeconds: Double?
    /// Number of generated images.
    public var images: Int?
    /// Prompt tokens of a text model.
    public var inputTokens: Int?
    /// Output tokens (including thinking tokens) of a text model.
    public var outputTokens: Int?

    /// Creates a usage record.
    /// - Parameters:
    ///   - videoSeconds: Video seconds.
    ///   - images: Image count.
    ///   - inputTokens: Input tokens.
    ///   - outputTokens: Output tokens.
    public init(videoSeconds: Double? = nil, images: Int? = nil, inputTokens: Int? = nil, outputTokens: Int? = nil) {
        self.videoSeconds = videoSeconds
        self.images = images
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

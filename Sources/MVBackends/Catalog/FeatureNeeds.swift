/// The hard requirements of a request; a model that can't meet one of them is skipped.
///
/// Seed and negative prompt are soft: a model without them still qualifies (the value is dropped).
public struct FeatureNeeds: Sendable, Equatable {
    /// Number of reference images that must be accepted.
    public var referenceImages: Int
    /// An audio track is wanted.
    public var audio: Bool
    /// Clip duration that must be allowed.
    public var durationSeconds: Int?
    /// Resolution that must be allowed.
    public var resolution: String?
    /// Aspect ratio that must be allowed.
    public var aspectRatio: String?
    /// Images per request that must be allowed.
    public var numImages: Int?
    /// Image output format that must be allowed.
    public var outputFormat: String?

    /// Creates a set of needs; nothing required by default.
    /// - Parameters:
    ///   - referenceImages: Reference image count.
    ///   - audio: Audio wanted.
    ///   - durationSeconds: Duration.
    ///   - resolution: Resolution.
    ///   - aspectRatio: Aspect ratio.
    ///   - numImages: Image count.
    ///   - outputFormat: Output format.
    public init(
        referenceImages: Int = 0,
        audio: Bool = false,
        durationSeconds: Int? = nil,
        resolution: String? = nil,
        aspectRatio: String? = nil,
        numImages: Int? = nil,
        outputFormat: String? = nil
    ) {
        self.referenceImages = referenceImages
        self.audio = audio
        self.durationSeconds = durationSeconds
        self.resolution = resolution
        self.aspectRatio = aspectRatio
        self.numImages = numImages
        self.outputFormat = outputFormat
    }

    /// The needs of a video request.
    /// - Parameter request: The request.
    public init(video request: VideoRequest) {
        self.init(
            referenceImages: request.referenceImages.count,
            audio: request.generateAudio,
            durationSeconds: request.durationSeconds,
            resolution: request.resolution,
            aspectRatio: request.aspectRatio
        )
    }

    /// The needs of an image request.
    /// - Parameter request: The request.
    public init(image request: ImageRequest) {
        self.init(aspectRatio: request.aspectRatio, numImages: request.numImages, outputFormat: request.outputFormat)
    }

    /// No requirements.
    public static let none = FeatureNeeds()
}

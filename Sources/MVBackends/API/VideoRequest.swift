/// A request for one video clip.
public struct VideoRequest: Codable, Sendable, Equatable {
    /// The full prompt (the service has already appended its rules template).
    public var prompt: String
    /// What the clip should avoid, when the model supports it.
    public var negativePrompt: String?
    /// `"16:9"`, `"9:16"` or `"1:1"`.
    public var aspectRatio: String
    /// Clip length in whole seconds.
    public var durationSeconds: Int
    /// `"720p"` or `"1080p"`.
    public var resolution: String
    /// Whether the clip should carry an audio track.
    public var generateAudio: Bool
    /// Seed for reproducible output, when the model supports it.
    public var seed: Int?
    /// Character/style reference images (local files).
    public var referenceImages: [MediaFile]
    /// Which provider family to use.
    public var backend: BackendChoice
    /// An explicit catalog model id, optional.
    public var model: String?

    /// Creates a video request; every parameter except `prompt` has the predecessor's default.
    /// - Parameters:
    ///   - prompt: The full prompt.
    ///   - negativePrompt: Things to avoid.
    ///   - aspectRatio: Aspect ratio, default `"16:9"`.
    ///   - durationSeconds: Duration, default 8.
    ///   - resolution: Resolution, default `"720p"`.
    ///   - generateAudio: Audio track wanted, default `true`.
    ///   - seed: Optional seed.
    ///   - referenceImages: Reference images, default none.
    ///   - backend: Provider family, default `.auto`.
    ///   - model: Explicit model id, default none.
    public init(
        prompt: String,
        negativePrompt: String? = nil,
        aspectRatio: String = "16:9",
        durationSeconds: Int = 8,
        resolution: String = "720p",
        generateAudio: Bool = true,
        seed: Int? = nil,
        referenceImages: [MediaFile] = [],
        backend: BackendChoice = .auto,
        model: String? = nil
    ) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.aspectRatio = aspectRatio
        self.durationSeconds = durationSeconds
        self.resolution = resolution
        self.generateAudio = generateAudio
        self.seed = seed
        self.referenceImages = referenceImages
        self.backend = backend
        self.model = model
    }
}

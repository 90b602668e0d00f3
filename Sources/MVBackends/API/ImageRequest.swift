/// A request for one to four still images from the same prompt.
public struct ImageRequest: Codable, Sendable, Equatable {
    /// The fully rendered prompt.
    public var prompt: String
    /// Things to avoid, when the model supports it (dropped otherwise).
    public var negativePrompt: String?
    /// Number of images, 1...4.
    public var numImages: Int
    /// `"1:1"`, `"16:9"`, `"9:16"`, `"3:4"` or `"4:3"`.
    public var aspectRatio: String
    /// `"png"` or `"jpg"`.
    public var outputFormat: String
    /// Provider safety filter level, e.g. `"block_medium_and_above"`.
    public var safetyFilterLevel: String
    /// Person generation policy, e.g. `"allow_adult"`.
    public var personGeneration: String
    /// Base seed; image `i` uses `seed + i` where supported.
    public var seed: Int?
    /// Which provider family to use.
    public var backend: BackendChoice
    /// An explicit catalog model id, optional.
    public var model: String?

    /// Creates an image request with the predecessor's defaults.
    /// - Parameters:
    ///   - prompt: The rendered prompt.
    ///   - negativePrompt: Things to avoid.
    ///   - numImages: How many images (1...4), default 1.
    ///   - aspectRatio: Default `"1:1"`.
    ///   - outputFormat: Default `"png"`.
    ///   - safetyFilterLevel: Default `"block_medium_and_above"`.
    ///   - personGeneration: Default `"allow_adult"`.
    ///   - seed: Optional base seed.
    ///   - backend: Provider family, default `.auto`.
    ///   - model: Explicit model id.
    public init(
        prompt: String,
        negativePrompt: String? = nil,
        numImages: Int = 1,
        aspectRatio: String = "1:1",
        outputFormat: String = "png",
        safetyFilterLevel: String = "block_medium_and_above",
        personGeneration: String = "allow_adult",
        seed: Int? = nil,
        backend: BackendChoice = .auto,
        model: String? = nil
    ) {
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.numImages = numImages
        self.aspectRatio = aspectRatio
        self.outputFormat = outputFormat
        self.safetyFilterLevel = safetyFilterLevel
        self.personGeneration = personGeneration
        self.seed = seed
        self.backend = backend
        self.model = model
    }
}

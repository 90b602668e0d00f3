/// What a provider charges us per unit for one model, as the report multiplies it (from the model catalog's `cost`,
/// `configs/models.yaml`). A unit without a configured price costs 0.
public struct CostReportPrice: Sendable, Equatable {
    /// The job kind the model serves (`generate_video`, `generate_character_reference`, `create_scenes`).
    public var jobKind: String
    /// The provider (`jobs.provider_name`).
    public var provider: String
    /// The provider's model id (`jobs.provider_model`).
    public var model: String
    /// USD per second of video.
    public var usdPerVideoSecond: Double
    /// USD per image.
    public var usdPerImage: Double
    /// USD per million input tokens.
    public var usdPerMillionInputTokens: Double
    /// USD per million output tokens.
    public var usdPerMillionOutputTokens: Double

    /// Creates a price.
    public init(
        jobKind: String, provider: String, model: String, usdPerVideoSecond: Double = 0, usdPerImage: Double = 0,
        usdPerMillionInputTokens: Double = 0, usdPerMillionOutputTokens: Double = 0
    ) {
        self.jobKind = jobKind
        self.provider = provider
        self.model = model
        self.usdPerVideoSecond = usdPerVideoSecond
        self.usdPerImage = usdPerImage
        self.usdPerMillionInputTokens = usdPerMillionInputTokens
        self.usdPerMillionOutputTokens = usdPerMillionOutputTokens
    }
}

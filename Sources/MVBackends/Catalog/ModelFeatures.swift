/// What a catalog model can do; the router skips models lacking a requested feature.
public struct ModelFeatures: Codable, Sendable, Equatable {
    /// Maximum number of reference images (0 = none accepted).
    public var maxReferenceImages: Int = 0
    /// Durations allowed when reference images are given (empty = same as `durations`).
    public var referenceDurations: [Int] = []
    /// Aspect ratios allowed when reference images are given (empty = same as `aspectRatios`).
    public var referenceAspectRatios: [String] = []
    /// Whether the model can produce an audio track.
    public var audio: Bool = false
    /// Whether the model takes a seed (otherwise the seed is dropped and provenance shows it).
    public var seed: Bool = false
    /// Whether the model takes a negative prompt (otherwise it is dropped).
    public var negativePrompt: Bool = false
    /// Allowed clip durations in seconds (empty = any).
    public var durations: [Int] = []
    /// Allowed resolutions (empty = any).
    public var resolutions: [String] = []
    /// Allowed aspect ratios (empty = any).
    public var aspectRatios: [String] = []
    /// Maximum images per request.
    public var maxImages: Int = 1
    /// Allowed image output formats (empty = any).
    public var outputFormats: [String] = []

    /// Creates a feature set; everything off by default.
    public init() {}
}

/// The outcome of one image of an image request (images succeed or fail individually).
public struct ImageOutcome: Sendable {
    /// Position in the request, 0-based.
    public var index: Int
    /// The image file (inside the work directory) or the reason it failed.
    public var result: Result<MediaFile, ProviderError>
    /// The seed actually used for this image, when the model takes seeds.
    public var seed: Int?

    /// Creates an outcome.
    /// - Parameters:
    ///   - index: Position.
    ///   - result: File or failure.
    ///   - seed: Seed used.
    public init(index: Int, result: Result<MediaFile, ProviderError>, seed: Int?) {
        self.index = index
        self.result = result
        self.seed = seed
    }
}

/// What a provider charges us, in USD, for reports (the service prices credits separately).
public struct ModelCost: Codable, Sendable, Equatable {
    /// USD per second of generated video.
    public var usdPerVideoSecond: Double?
    /// USD per generated image.
    public var usdPerImage: Double?
    /// USD per million input tokens.
    public var usdPerMillionInputTokens: Double?
    /// USD per million output tokens (including thinking).
    public var usdPerMillionOutputTokens: Double?

    /// Creates a cost record.
    /// - Parameters:
    ///   - usdPerVideoSecond: Video price.
    ///   - usdPerImage: Image price.
    ///   - usdPerMillionInputTokens: Input token price.
    ///   - usdPerMillionOutputTokens: Output token price.
    public init(
        usdPerVideoSecond: Double? = nil, usdPerImage: Double? = nil, usdPerMillionInputTokens: Double? = nil,
        usdPerMillionOutputTokens: Double? = nil
    ) {
        self.usdPerVideoSecond = usdPerVideoSecond
        self.usdPerImage = usdPerImage
        self.usdPerMillionInputTokens = usdPerMillionInputTokens
        self.usdPerMillionOutputTokens = usdPerMillionOutputTokens
    }

    /// The provider cost of a call with the given usage.
    /// - Parameter usage: Units reported for the call.
    /// - Returns: USD.
    public func usd(for usage: Usage) -> Double {
        var total = 0.0
        if let seconds = usage.videoSeconds, let price = usdPerVideoSecond { total += seconds * price }
        if let images = usage.images, let price = usdPerImage { total += Double(images) * price }
        if let tokens = usage.inputTokens, let price = usdPerMillionInputTokens { total += Double(tokens) * price / 1_000_000 }
        if let tokens = usage.outputTokens, let price = usdPerMillionOutputTokens { total += Double(tokens) * price / 1_000_000 }
        return total
    }
}

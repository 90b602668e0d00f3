extension PriceTable {
    /// Credits for `seconds` of video from `model`, rounded up to a whole credit.
    /// - Parameters:
    ///   - model: Model id as in the catalog.
    ///   - seconds: Duration of the generated video (finite, >= 0).
    /// - Returns: The credits, or nil for an unpriced model or an invalid duration.
    public func videoCredits(model: String, seconds: Double) -> Int64? {
        guard let perSecond = video[model], seconds.isFinite, seconds >= 0 else { return nil }
        // Round up, ignoring floating-point noise (8 s × 40 must be 320, not 321).
        let credits = max(0, Double(perSecond) * seconds - 1e-9).rounded(.up)
        guard credits < 9.0e18 else { return nil }
        return Int64(credits)
    }

    /// Credits for `count` images from `model`.
    /// - Parameters:
    ///   - model: Model id as in the catalog.
    ///   - count: Number of images (>= 0).
    /// - Returns: The credits, or nil for an unpriced model, a negative count or an overflow.
    public func imageCredits(model: String, count: Int) -> Int64? {
        guard let perImage = image[model], count >= 0 else { return nil }
        let (credits, overflow) = perImage.multipliedReportingOverflow(by: Int64(count))
        return overflow ? nil : credits
    }

    /// Credits to hold before one scene-script call to `model`.
    /// - Parameter model: Model id as in the catalog.
    /// - Returns: The hold, or nil for an unpriced model.
    public func scenesHold(model: String) -> Int64? {
        scenes[model]?.hold
    }

    /// Credits for a scene-script call that used `tokens` (input + output), charged per started 1,000.
    /// - Parameters:
    ///   - model: Model id as in the catalog.
    ///   - tokens: Tokens used (>= 0).
    /// - Returns: The credits, or nil for an unpriced model, negative tokens or an overflow.
    public func scenesCredits(model: String, tokens: Int) -> Int64? {
        guard let price = scenes[model], tokens >= 0 else { return nil }
        let thousands = Int64(tokens / 1000 + (tokens % 1000 == 0 ? 0 : 1))
        let (credits, overflow) = price.perThousandTokens.multipliedReportingOverflow(by: thousands)
        return overflow ? nil : credits
    }

    /// Credits for merging clips into a video `seconds` long: ``mergePerStartedMinute`` per started minute.
    /// - Parameter seconds: Length of the merged video (finite, >= 0).
    /// - Returns: The credits, or nil for an invalid length or an overflow.
    public func mergeCredits(seconds: Double) -> Int64? {
        guard seconds.isFinite, seconds >= 0, seconds < 1e12 else { return nil }
        // Started minutes, ignoring floating-point noise (60.0000001 s is one minute, not two).
        let minutes = Int64(max(0, seconds / 60 - 1e-9).rounded(.up))
        let (credits, overflow) = mergePerStartedMinute.multipliedReportingOverflow(by: minutes)
        return overflow ? nil : credits
    }
}

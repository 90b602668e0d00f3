/// One model of the catalog: who serves it, what it can do, how its inputs are named, what it costs.
public struct ModelEntry: Codable, Sendable, Equatable {
    /// What it generates.
    public var capability: Capability
    /// `replicate`, `gemini` or `mock`.
    public var provider: ProviderName
    /// The provider's model id (`google/veo-3.1`, `veo-3.1-generate-001`, ...).
    public var model: String
    /// Disabled entries stay in the file for reference but are never chosen.
    public var enabled: Bool
    /// Feature support.
    public var features: ModelFeatures
    /// Our canonical input name → the provider's input name (e.g. `duration` → `duration_seconds`).
    public var parameters: [String: String]
    /// Provider price, for cost reports.
    public var cost: ModelCost

    /// Creates an entry.
    /// - Parameters:
    ///   - capability: Capability.
    ///   - provider: Provider name.
    ///   - model: Model id.
    ///   - enabled: Whether the router may use it.
    ///   - features: Features.
    ///   - parameters: Input name mapping.
    ///   - cost: Price.
    public init(
        capability: Capability,
        provider: ProviderName,
        model: String,
        enabled: Bool = true,
        features: ModelFeatures = ModelFeatures(),
        parameters: [String: String] = [:],
        cost: ModelCost = ModelCost()
    ) {
        self.capability = capability
        self.provider = provider
        self.model = model
        self.enabled = enabled
        self.features = features
        self.parameters = parameters
        self.cost = cost
    }

    /// The provider's name for one of our canonical inputs (the canonical name when not mapped).
    /// - Parameter canonical: Our input name, e.g. `aspect_ratio`.
    /// - Returns: The provider's input name.
    public func parameterName(_ canonical: String) -> String {
        parameters[canonical] ?? canonical
    }

    /// Why this model can't serve the needs, or `nil` when it can.
    /// - Parameter needs: The request's hard requirements.
    /// - Returns: A reason, or `nil`.
    public func unsupportedReason(for needs: FeatureNeeds) -> String? {
        let f = features
        if needs.referenceImages > f.maxReferenceImages {
            return "\(model) accepts at most \(f.maxReferenceImages) reference images"
        }
        if needs.audio && !f.audio { return "\(model) cannot generate audio" }
        let durations = needs.referenceImages > 0 && !f.referenceDurations.isEmpty ? f.referenceDurations : f.durations
        if let duration = needs.durationSeconds, !durations.isEmpty, !durations.contains(duration) {
            return "\(model) allows durations \(durations.map(String.init).joined(separator: ", ")) s, not \(duration)"
        }
        if let resolution = needs.resolution, !f.resolutions.isEmpty, !f.resolutions.contains(resolution) {
            return "\(model) does not support resolution \(resolution)"
        }
        let ratios = needs.referenceImages > 0 && !f.referenceAspectRatios.isEmpty ? f.referenceAspectRatios : f.aspectRatios
        if let ratio = needs.aspectRatio, !ratios.isEmpty, !ratios.contains(ratio) {
            return "\(model) does not support aspect ratio \(ratio)"
        }
        if let count = needs.numImages, count > f.maxImages { return "\(model) makes at most \(f.maxImages) images" }
        if let format = needs.outputFormat, !f.outputFormats.isEmpty, !f.outputFormats.contains(format) {
            return "\(model) does not support output format \(format)"
        }
        return nil
    }
}

import MVCore
import Yams

/// Turns one YAML list item of `models.yaml` into a validated ``ModelEntry``.
enum CatalogEntryParser {
    static func parse(_ item: YAMLField, capability: Capability) throws(ConfigError) -> ModelEntry {
        try item.requireMapping(allowed: ["provider", "model", "enabled", "features", "parameters", "cost"])
        guard let providerField = item.child("provider") else { throw item.fail("missing key 'provider'") }
        let name = try providerField.string()
        guard let provider = ProviderName(rawValue: name) else {
            throw providerField.fail("unknown provider '\(name)' (allowed: \(ProviderName.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let modelField = item.child("model") else { throw item.fail("missing key 'model'") }
        let model = try modelField.string()
        if provider == .replicate && model.split(separator: "/").count != 2 {
            throw modelField.fail("a Replicate model id must look like owner/name")
        }
        var entry = ModelEntry(capability: capability, provider: provider, model: model)
        if let enabled = item.child("enabled") { entry.enabled = try enabled.bool() }
        if let features = item.child("features") { entry.features = try parseFeatures(features) }
        if let parameters = item.child("parameters") {
            guard let mapping = parameters.node.mapping else { throw parameters.fail("expected a mapping") }
            for (key, value) in mapping {
                guard let name = key.string, let mapped = value.string, !mapped.isEmpty else {
                    throw parameters.fail("parameter names must be non-empty strings")
                }
                entry.parameters[name] = mapped
            }
        }
        if let cost = item.child("cost") { entry.cost = try parseCost(cost) }
        return entry
    }

    private static func parseFeatures(_ field: YAMLField) throws(ConfigError) -> ModelFeatures {
        try field.requireMapping(allowed: [
            "reference_images", "reference_durations", "reference_aspect_ratios", "audio", "seed", "negative_prompt",
            "durations", "resolutions", "aspect_ratios", "max_images", "output_formats",
        ])
        var features = ModelFeatures()
        if let f = field.child("reference_images") { features.maxReferenceImages = try nonNegative(f) }
        if let f = field.child("reference_durations") { features.referenceDurations = try f.ints() }
        if let f = field.child("reference_aspect_ratios") { features.referenceAspectRatios = try f.strings() }
        if let f = field.child("audio") { features.audio = try f.bool() }
        if let f = field.child("seed") { features.seed = try f.bool() }
        if let f = field.child("negative_prompt") { features.negativePrompt = try f.bool() }
        if let f = field.child("durations") {
            features.durations = try f.ints()
            if features.durations.contains(where: { $0 <= 0 }) { throw f.fail("durations must be positive") }
        }
        if let f = field.child("resolutions") { features.resolutions = try f.strings() }
        if let f = field.child("aspect_ratios") { features.aspectRatios = try f.strings() }
        if let f = field.child("max_images") {
            features.maxImages = try f.int()
            if features.maxImages < 1 { throw f.fail("max_images must be at least 1") }
        }
        if let f = field.child("output_formats") { features.outputFormats = try f.strings() }
        return features
    }

    private static func parseCost(_ field: YAMLField) throws(ConfigError) -> ModelCost {
        try field.requireMapping(allowed: ["usd_per_video_second", "usd_per_image", "usd_per_million_input_tokens", "usd_per_million_output_tokens"])
        var cost = ModelCost()
        if let f = field.child("usd_per_video_second") { cost.usdPerVideoSecond = try price(f) }
        if let f = field.child("usd_per_image") { cost.usdPerImage = try price(f) }
        if let f = field.child("usd_per_million_input_tokens") { cost.usdPerMillionInputTokens = try price(f) }
        if let f = field.child("usd_per_million_output_tokens") { cost.usdPerMillionOutputTokens = try price(f) }
        return cost
    }

    private static func nonNegative(_ field: YAMLField) throws(ConfigError) -> Int {
        let value = try field.int()
        guard value >= 0 else { throw field.fail("must not be negative") }
        return value
    }

    private static func price(_ field: YAMLField) throws(ConfigError) -> Double {
        let value = try field.double()
        guard value >= 0 else { throw field.fail("a price must not be negative") }
        return value
    }
}

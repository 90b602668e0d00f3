import Foundation
import MVBackends
import MVCore

/// Body of `POST /api/mv/generate_video` (the predecessor's fields plus ours). Unknown fields are ignored.
struct GenerateVideoInput: Codable, Sendable, Equatable {
    var prompt: String?
    var negativePrompt: String?
    var aspectRatio: String?
    var duration: Int?
    var resolution: String?
    var generateAudio: Bool?
    var seed: Int?
    var referenceImageIds: [UUID]?
    var backend: String?
    var model: String?
    var projectId: UUID?
    var sceneIndex: Int?
    var videoRulesTemplate: String?
}

/// A validated video request with every default filled in: what is stored on the job and replayed on retry.
struct VideoJobSpec: Codable, Sendable, Equatable {
    /// The caller's prompt, without the rules.
    var prompt: String
    /// The prompt sent to the provider: prompt + rules.
    var fullPrompt: String
    var negativePrompt: String?
    var aspectRatio: String
    var durationSeconds: Int
    var resolution: String
    var generateAudio: Bool
    var seed: Int?
    var referenceImageIds: [UUID]
    var backend: BackendChoice
    var model: String?
    var projectId: UUID?
    var sceneIndex: Int?

    static let aspectRatios = ["16:9", "9:16", "1:1"]
    /// ``defaultRules`` with `{aspect_ratio}` filled in, per aspect ratio.
    static let filledDefaultRules = Dictionary(uniqueKeysWithValues: aspectRatios.map {
        ($0, defaultRules.replacing("{aspect_ratio}", with: $0))
    })
    static let resolutions = ["720p", "1080p"]
    static let defaultRules = """
        - No subtitles or camera directions.
        - The video should be in {aspect_ratio} aspect ratio.
        - Keep it short, visual, simple, cinematic.
        """

    /// Validates `input`, collecting every field error. Lengths count Unicode scalars before trimming, as JSON
    /// Schema's `maxLength` does.
    /// - Throws: ``ValidationError`` listing each bad field.
    init(validating input: GenerateVideoInput) throws(ValidationError) {
        var errors: [FieldError] = []
        let prompt = input.prompt?.trimmingWhitespaceAndNewlines() ?? ""
        if prompt.isEmpty { errors.append(.init(field: "prompt", message: "is required and must not be blank")) }
        if (input.prompt ?? "").unicodeScalars.count > 4000 { errors.append(.init(field: "prompt", message: "must be at most 4000 characters")) }
        let negative = input.negativePrompt?.trimmingWhitespaceAndNewlines()
        if (input.negativePrompt ?? "").unicodeScalars.count > 2000 { errors.append(.init(field: "negative_prompt", message: "must be at most 2000 characters")) }
        let aspectRatio = input.aspectRatio ?? "16:9"
        if !Self.aspectRatios.contains(aspectRatio) {
            errors.append(.init(field: "aspect_ratio", message: "must be one of \(Self.aspectRatios.joined(separator: ", "))"))
        }
        let duration = input.duration ?? 8
        if !(1...60).contains(duration) { errors.append(.init(field: "duration", message: "must be 1...60 seconds")) }
        let resolution = input.resolution ?? "720p"
        if !Self.resolutions.contains(resolution) {
            errors.append(.init(field: "resolution", message: "must be one of \(Self.resolutions.joined(separator: ", "))"))
        }
        if let seed = input.seed, !(0...Int(UInt32.max)).contains(seed) {
            errors.append(.init(field: "seed", message: "must be 0...4294967295"))
        }
        let references = input.referenceImageIds ?? []
        if references.count > 3 { errors.append(.init(field: "reference_image_ids", message: "at most 3 images")) }
        let backendName = input.backend?.lowercased() ?? "auto"
        let backend = BackendChoice(rawValue: backendName)
        if backend == nil {
            errors.append(.init(field: "backend", message: "must be one of auto, replicate, gemini, mock"))
        }
        if let model = input.model, model.isEmpty || model.unicodeScalars.count > 200 {
            errors.append(.init(field: "model", message: "must be 1...200 characters"))
        }
        if let index = input.sceneIndex, index < 0 { errors.append(.init(field: "scene_index", message: "must be >= 0")) }
        let rules = input.videoRulesTemplate ?? Self.defaultRules
        if rules.unicodeScalars.count > 4000 { errors.append(.init(field: "video_rules_template", message: "must be at most 4000 characters")) }
        guard errors.isEmpty, let backend else { throw ValidationError(errors) }

        self.prompt = prompt
        // The default rules are filled once per aspect ratio; Foundation's replacingOccurrences (bridged through
        // NSString) cost every admission a few percent of its CPU.
        let filledRules = input.videoRulesTemplate == nil
            ? Self.filledDefaultRules[aspectRatio] ?? Self.defaultRules
            : rules.replacing("{aspect_ratio}", with: aspectRatio)
        self.fullPrompt = filledRules.isEmpty ? prompt : prompt + "\n\n" + filledRules
        self.negativePrompt = negative?.isEmpty == true ? nil : negative
        self.aspectRatio = aspectRatio
        self.durationSeconds = duration
        self.resolution = resolution
        self.generateAudio = input.generateAudio ?? true
        self.seed = input.seed
        self.referenceImageIds = references
        self.backend = backend
        self.model = input.model
        self.projectId = input.projectId
        self.sceneIndex = input.sceneIndex
    }

    /// The provider request, with reference images resolved to local files.
    func videoRequest(references: [MediaFile]) -> VideoRequest {
        VideoRequest(
            prompt: fullPrompt, negativePrompt: negativePrompt, aspectRatio: aspectRatio, durationSeconds: durationSeconds,
            resolution: resolution, generateAudio: generateAudio, seed: seed, referenceImages: references, backend: backend,
            model: model)
    }

    /// What the router needs to know to pick candidates.
    var featureNeeds: FeatureNeeds {
        FeatureNeeds(
            referenceImages: referenceImageIds.count, audio: generateAudio, durationSeconds: durationSeconds,
            resolution: resolution, aspectRatio: aspectRatio)
    }
}

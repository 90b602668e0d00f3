import Foundation
import MVBackends
import MVCore

/// Body of `POST /api/mv/generate_character_reference` (the predecessor's fields).
struct CharacterReferenceInput: Codable, Sendable {
    var characterDescription: String?
    var numImages: Int?
    var aspectRatio: String?
    var safetyFilterLevel: String?
    var personGeneration: String?
    var outputFormat: String?
    var negativePrompt: String?
    var seed: Int?
    var projectId: UUID?
    var configFlavor: String?
    var backend: String?
    var model: String?
}

/// A validated character-reference request.
struct ImageJobSpec: Codable, Sendable, Equatable {
    var characterDescription: String
    var request: ImageRequest
    var projectId: UUID?

    static let aspectRatios = ["1:1", "9:16", "16:9", "3:4", "4:3"]
    static let safetyLevels = ["block_low_and_above", "block_medium_and_above", "block_only_high", "block_high_and_above", "block_none"]
    static let personModes = ["allow_adult", "dont_allow", "allow_all"]
    static let formats = ["png", "jpg", "webp"]

    /// Validates `input`, filling defaults from `templates`. Lengths count Unicode scalars before trimming.
    init(validating input: CharacterReferenceInput, templates: PromptTemplates) throws(ValidationError) {
        let templates = try templates.flavor(input.configFlavor)
        var errors: [FieldError] = []
        let description = input.characterDescription?.trimmingWhitespaceAndNewlines() ?? ""
        if description.isEmpty { errors.append(.init(field: "character_description", message: "is required and must not be blank")) }
        if (input.characterDescription ?? "").unicodeScalars.count > 4000 { errors.append(.init(field: "character_description", message: "must be at most 4000 characters")) }
        let count = input.numImages ?? 4
        if !(1...4).contains(count) { errors.append(.init(field: "num_images", message: "must be 1...4")) }
        func pick(_ value: String?, _ key: String, _ allowed: [String], fallback: String) -> String {
            let chosen = value.flatMap { $0.isEmpty ? nil : $0 } ?? templates.imageDefaults[key] ?? fallback
            if !allowed.contains(chosen) { errors.append(.init(field: key, message: "must be one of \(allowed.joined(separator: ", "))")) }
            return chosen
        }
        let aspect = pick(input.aspectRatio, "aspect_ratio", Self.aspectRatios, fallback: "1:1")
        let safety = pick(input.safetyFilterLevel, "safety_filter_level", Self.safetyLevels, fallback: "block_medium_and_above")
        let person = pick(input.personGeneration, "person_generation", Self.personModes, fallback: "allow_adult")
        let format = pick(input.outputFormat, "output_format", Self.formats, fallback: "png")
        if let seed = input.seed, !(0...Int(UInt32.max) - 4).contains(seed) { errors.append(.init(field: "seed", message: "must be 0...4294967291")) }
        let negative = input.negativePrompt?.trimmingWhitespaceAndNewlines()
        if (input.negativePrompt ?? "").unicodeScalars.count > 2000 { errors.append(.init(field: "negative_prompt", message: "must be at most 2000 characters")) }
        let backend = BackendChoice(rawValue: input.backend?.lowercased() ?? "auto")
        if backend == nil { errors.append(.init(field: "backend", message: "must be one of auto, replicate, gemini, mock")) }
        if let model = input.model, model.isEmpty || model.unicodeScalars.count > 200 {
            errors.append(.init(field: "model", message: "must be 1...200 characters"))
        }
        guard errors.isEmpty, let backend else { throw ValidationError(errors) }
        let prompt = PromptTemplates.fill(templates.characterReferenceTemplate, ["character_description": description])
            .trimmingWhitespaceAndNewlines()
        self.characterDescription = description
        self.request = ImageRequest(
            prompt: prompt, negativePrompt: negative?.isEmpty == true ? nil : negative, numImages: count, aspectRatio: aspect,
            outputFormat: format, safetyFilterLevel: safety, personGeneration: person, seed: input.seed, backend: backend,
            model: input.model)
        self.projectId = input.projectId
    }
}

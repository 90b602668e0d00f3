import Foundation
import MVBackends
import MVCore

/// Body of `POST /api/mv/create_scenes` (the predecessor's fields).
struct CreateScenesInput: Codable, Sendable {
    var idea: String?
    var characterDescription: String?
    var characterCharacteristics: String?
    var numberOfScenes: Int?
    var videoType: String?
    var videoCharacteristics: String?
    var cameraAngle: String?
    var configFlavor: String?
    var director: String?
    var projectId: UUID?
    var backend: String?
    var model: String?
}

/// A validated scene request: the rendered prompt plus what was used to render it.
struct ScenesJobSpec: Codable, Sendable, Equatable {
    var idea: String
    var characterDescription: String
    var numberOfScenes: Int
    var parametersUsed: [String: String]
    var director: String?
    var configFlavor: String?
    var prompt: String
    var backend: BackendChoice
    var model: String?
    var projectId: UUID?

    /// Validates and renders `input` with `templates`. Lengths count Unicode scalars before trimming.
    init(validating input: CreateScenesInput, templates: PromptTemplates) throws(ValidationError) {
        let templates = try templates.flavor(input.configFlavor)
        var errors: [FieldError] = []
        let idea = input.idea?.trimmingWhitespaceAndNewlines() ?? ""
        if idea.isEmpty { errors.append(.init(field: "idea", message: "is required and must not be blank")) }
        if (input.idea ?? "").unicodeScalars.count > 4000 { errors.append(.init(field: "idea", message: "must be at most 4000 characters")) }
        let character = input.characterDescription?.trimmingWhitespaceAndNewlines() ?? ""
        if character.isEmpty { errors.append(.init(field: "character_description", message: "is required and must not be blank")) }
        if (input.characterDescription ?? "").unicodeScalars.count > 4000 { errors.append(.init(field: "character_description", message: "must be at most 4000 characters")) }
        let count = input.numberOfScenes ?? templates.defaultNumberOfScenes
        if !(1...12).contains(count) { errors.append(.init(field: "number_of_scenes", message: "must be 1...12")) }
        var directorStyle: String?
        if let director = input.director, !director.isEmpty {
            if let style = templates.directorStyles[director] {
                directorStyle = style
            } else {
                errors.append(.init(field: "director", message: "unknown director; available: \(templates.directorStyles.keys.sorted().joined(separator: ", "))"))
            }
        }
        let backend = BackendChoice(rawValue: input.backend?.lowercased() ?? "auto")
        if backend == nil { errors.append(.init(field: "backend", message: "must be one of auto, replicate, gemini, mock")) }
        var used: [String: String] = [:]
        for (field, value) in [
            ("character_characteristics", input.characterCharacteristics), ("video_type", input.videoType),
            ("video_characteristics", input.videoCharacteristics), ("camera_angle", input.cameraAngle),
        ] {
            let trimmed = value?.trimmingWhitespaceAndNewlines() ?? ""
            if (value ?? "").unicodeScalars.count > 1000 { errors.append(.init(field: field, message: "must be at most 1000 characters")) }
            used[field] = trimmed.isEmpty ? (templates.sceneDefaults[field] ?? "") : trimmed
        }
        if let model = input.model, model.isEmpty || model.unicodeScalars.count > 200 {
            errors.append(.init(field: "model", message: "must be 1...200 characters"))
        }
        guard errors.isEmpty, let backend else { throw ValidationError(errors) }
        var values = used
        values["idea"] = idea
        values["character_description"] = character
        values["number_of_scenes"] = String(count)
        var prompt = PromptTemplates.fill(templates.sceneTemplate, values)
        if let directorStyle {
            prompt += "\n\nCREATIVE DIRECTION - Director's Signature Style: \(directorStyle)\n"
                + "Ensure ALL generated scenes reflect this aesthetic in composition, palette, camera movement, lighting and overall feel."
        }
        self.idea = idea
        self.characterDescription = character
        self.numberOfScenes = count
        self.parametersUsed = used
        self.director = input.director
        self.configFlavor = input.configFlavor
        self.prompt = prompt
        self.backend = backend
        self.model = input.model
        self.projectId = input.projectId
    }
}

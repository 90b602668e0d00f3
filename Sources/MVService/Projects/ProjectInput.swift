import Foundation
import MVBackends
import MVCore

/// Body of `POST /api/mv/projects` and `PATCH /api/mv/projects/{id}` (every field optional on PATCH). Unknown
/// fields are ignored.
struct ProjectInput: Codable, Sendable, Equatable {
    var title: String?
    var idea: String?
    var characterDescription: String?
    var audioId: UUID?
    var director: String?
    var numberOfScenes: Int?
    var aspectRatio: String?
    var clipDuration: Int?
    var backend: String?
    var tags: [String]?
}

/// A project's validated fields with every default filled in: stored as the project asset's metadata, and what each
/// render builds its scene, image and clip requests from (validated by the same rules as those routes).
struct ProjectSpec: Codable, Sendable, Equatable {
    var title: String
    var idea: String
    var characterDescription: String
    var audioId: UUID?
    var director: String?
    var numberOfScenes: Int
    var aspectRatio: String
    var clipDuration: Int
    var backend: BackendChoice

    /// Longest title, in Unicode scalars.
    static let maxTitle = 200
    /// Default length of each clip, in seconds.
    static let defaultClipDuration = 4

    /// Validates `input` (a whole project), collecting every field error; the scene, image and clip rules are the
    /// generation routes' own (``ScenesJobSpec``, ``ImageJobSpec``, ``VideoJobSpec``).
    /// - Throws: ``ValidationError`` listing each bad field.
    init(validating input: ProjectInput, templates: PromptTemplates) throws(ValidationError) {
        var errors: [FieldError] = []
        let title = input.title?.trimmingWhitespaceAndNewlines() ?? ""
        if title.isEmpty { errors.append(.init(field: "title", message: "is required and must not be blank")) }
        if (input.title ?? "").unicodeScalars.count > Self.maxTitle {
            errors.append(.init(field: "title", message: "must be at most \(Self.maxTitle) characters"))
        }
        let aspectRatio = input.aspectRatio ?? "16:9"
        let clipDuration = input.clipDuration ?? Self.defaultClipDuration
        let backend = input.backend ?? "auto"
        let scenes = CreateScenesInput(
            idea: input.idea, characterDescription: input.characterDescription, numberOfScenes: input.numberOfScenes,
            director: input.director, backend: backend)
        let video = GenerateVideoInput(prompt: "scene", aspectRatio: aspectRatio, duration: clipDuration, backend: backend)
        var sceneSpec: ScenesJobSpec?
        var videoSpec: VideoJobSpec?
        do {
            sceneSpec = try ScenesJobSpec(validating: scenes, templates: templates)
        } catch {
            errors += error.errors
        }
        do {
            videoSpec = try VideoJobSpec(validating: video)
        } catch {
            // The clip rules speak of `duration`; a project calls it `clip_duration`.
            errors += error.errors.map { $0.field == "duration" ? FieldError(field: "clip_duration", message: $0.message) : $0 }
        }
        guard errors.isEmpty, let sceneSpec, let videoSpec else { throw ValidationError(Self.unique(errors)) }
        self.title = title
        self.idea = sceneSpec.idea
        self.characterDescription = sceneSpec.characterDescription
        self.audioId = input.audioId
        self.director = input.director.flatMap { $0.isEmpty ? nil : $0 }
        self.numberOfScenes = sceneSpec.numberOfScenes
        self.aspectRatio = videoSpec.aspectRatio
        self.clipDuration = videoSpec.durationSeconds
        self.backend = videoSpec.backend
    }

    /// The fields of this spec as an input, for a PATCH to change some of them and validate the whole again.
    var input: ProjectInput {
        ProjectInput(
            title: title, idea: idea, characterDescription: characterDescription, audioId: audioId, director: director,
            numberOfScenes: numberOfScenes, aspectRatio: aspectRatio, clipDuration: clipDuration, backend: backend.rawValue)
    }

    /// The scene request of a render.
    func scenesSpec(projectID: UUID, templates: PromptTemplates) throws(ValidationError) -> ScenesJobSpec {
        try ScenesJobSpec(
            validating: CreateScenesInput(
                idea: idea, characterDescription: characterDescription, numberOfScenes: numberOfScenes, director: director,
                projectId: projectID, backend: backend.rawValue),
            templates: templates)
    }

    /// The character reference request of a render: one image in the project's aspect ratio.
    func imageSpec(projectID: UUID, templates: PromptTemplates) throws(ValidationError) -> ImageJobSpec {
        try ImageJobSpec(
            validating: CharacterReferenceInput(
                characterDescription: characterDescription, numImages: 1, aspectRatio: aspectRatio, projectId: projectID,
                backend: backend.rawValue),
            templates: templates)
    }

    /// The clip request of scene `index` (its description as the prompt, the character reference images as references).
    func clipSpec(projectID: UUID, index: Int, scene: Scene?, references: [UUID]) throws(ValidationError) -> VideoJobSpec {
        let prompt = scene.map { String($0.description.unicodeScalars.prefix(4000)) } ?? "scene \(index)"
        let negative = scene.map { String($0.negativeDescription.unicodeScalars.prefix(2000)) }
        return try VideoJobSpec(
            validating: GenerateVideoInput(
                prompt: prompt.isEmpty ? "scene \(index)" : prompt, negativePrompt: negative, aspectRatio: aspectRatio,
                duration: clipDuration, generateAudio: false, referenceImageIds: Array(references.prefix(3)), backend: backend.rawValue,
                projectId: projectID, sceneIndex: index))
    }

    private static func unique(_ errors: [FieldError]) -> [FieldError] {
        var seen: [FieldError] = []
        for error in errors where !seen.contains(error) { seen.append(error) }
        return seen
    }
}

import MVCore
import PostgresNIO

/// What an asset row holds; stored in `assets.kind`.
enum AssetKind: String, Codable, Sendable, CaseIterable, PostgresStringEnum {
    /// A generated clip (MP4).
    case video
    /// A generated image (character reference).
    case image
    /// A generated scene script (JSON metadata, no blob).
    case sceneSet = "scene_set"
    /// A user upload (image or audio).
    case upload
    /// A music video project (its fields in metadata, its render state in `projects`; no blob).
    case project

    /// How the kind reads in messages (`No scene set with that id ...`).
    var noun: String {
        switch self {
        case .video: "video"
        case .image: "image"
        case .sceneSet: "scene set"
        case .upload: "upload"
        case .project: "project"
        }
    }
}

/// A kind of generation a model in the catalog can perform.
public enum Capability: String, Codable, Sendable, CaseIterable {
    /// Structured JSON scene scripts from a text model.
    case scenes
    /// Still images.
    case image
    /// Video clips.
    case video
}

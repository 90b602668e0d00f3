/// A generated scene script.
public struct ScenesResult: Sendable {
    /// The scenes, ordered by index.
    public var scenes: [Scene]
    /// Who made them.
    public var provenance: Provenance
    /// Billable units (tokens).
    public var usage: Usage

    /// Creates a result.
    /// - Parameters:
    ///   - scenes: Scenes.
    ///   - provenance: Provenance.
    ///   - usage: Usage.
    public init(scenes: [Scene], provenance: Provenance, usage: Usage) {
        self.scenes = scenes
        self.provenance = provenance
        self.usage = usage
    }
}

/// Images produced for one request; at least one outcome succeeded.
public struct ImageResult: Sendable {
    /// One outcome per requested image, ordered by index.
    public var images: [ImageOutcome]
    /// Who made them.
    public var provenance: Provenance
    /// Billable units (`images` counts successful images only).
    public var usage: Usage

    /// Creates a result.
    /// - Parameters:
    ///   - images: Outcomes.
    ///   - provenance: Provenance.
    ///   - usage: Usage.
    public init(images: [ImageOutcome], provenance: Provenance, usage: Usage) {
        self.images = images
        self.provenance = provenance
        self.usage = usage
    }
}

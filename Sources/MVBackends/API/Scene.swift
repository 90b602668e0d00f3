/// One scene of a scene script.
public struct Scene: Codable, Sendable, Equatable {
    /// Position, 0-based.
    public var index: Int
    /// What the clip shows (sent to the video model as its prompt).
    public var description: String
    /// What the clip should avoid.
    public var negativeDescription: String

    /// Creates a scene.
    /// - Parameters:
    ///   - index: Position.
    ///   - description: Description.
    ///   - negativeDescription: Negative description.
    public init(index: Int, description: String, negativeDescription: String) {
        self.index = index
        self.description = description
        self.negativeDescription = negativeDescription
    }
}

/// A request for a scene script from a text model.
public struct ScenesRequest: Codable, Sendable, Equatable {
    /// The fully rendered meta-prompt (the service fills the templates).
    public var prompt: String
    /// How many scenes the script must contain (at least 1).
    public var numberOfScenes: Int
    /// Which provider family to use.
    public var backend: BackendChoice
    /// An explicit catalog model id, optional.
    public var model: String?

    /// Creates a scenes request.
    /// - Parameters:
    ///   - prompt: The rendered prompt.
    ///   - numberOfScenes: Scene count.
    ///   - backend: Provider family, default `.auto`.
    ///   - model: Explicit model id.
    public init(prompt: String, numberOfScenes: Int, backend: BackendChoice = .auto, model: String? = nil) {
        self.prompt = prompt
        self.numberOfScenes = numberOfScenes
        self.backend = backend
        self.model = model
    }
}

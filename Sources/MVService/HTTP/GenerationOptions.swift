import MVBackends

/// What the generation routes accept in this deployment, for the OpenAPI document: the validators' ranges narrowed
/// by the models the configured providers serve (a duration no model offers is a 422), the directors and flavors of
/// the prompt templates. A combination must still be served by one model of the chosen backend.
struct GenerationOptions: Sendable {
    var backends: [String] = BackendChoice.allCases.map(\.rawValue)
    var videoDurations: [Int] = Array(1...60)
    var videoResolutions: [String] = VideoJobSpec.resolutions
    var videoAspectRatios: [String] = VideoJobSpec.aspectRatios
    var imageAspectRatios: [String] = ImageJobSpec.aspectRatios
    var imageFormats: [String] = ImageJobSpec.formats
    var directors: [String] = []
    var flavors: [String] = ["default"]

    /// Options without a catalog: the validators' own ranges.
    init() {}

    /// The options the router and the templates of this deployment allow.
    init(router: GenerationRouter, templates: PromptTemplates) {
        func entries(_ capability: Capability) -> [ModelEntry] {
            BackendChoice.allCases.flatMap { router.candidates(for: capability, backend: $0, model: nil, needs: .none) }
        }
        backends = BackendChoice.allCases.filter { !router.candidates(for: .video, backend: $0, model: nil, needs: .none).isEmpty }.map(\.rawValue)
        let video = entries(.video)
        func union<T: Hashable>(_ values: [[T]], within allowed: [T]) -> [T] {
            if values.contains(where: \.isEmpty) { return allowed }
            let offered = Set(values.flatMap { $0 })
            return allowed.filter(offered.contains)
        }
        videoDurations = union(video.map(\.features.durations), within: Array(1...60))
        videoResolutions = union(video.map(\.features.resolutions), within: VideoJobSpec.resolutions)
        videoAspectRatios = union(video.map(\.features.aspectRatios), within: VideoJobSpec.aspectRatios)
        let images = entries(.image)
        imageAspectRatios = union(images.map(\.features.aspectRatios), within: ImageJobSpec.aspectRatios)
        imageFormats = union(images.map(\.features.outputFormats), within: ImageJobSpec.formats)
        directors = templates.directorStyles.keys.sorted()
        flavors = ["default"] + templates.flavors.keys.sorted()
    }
}

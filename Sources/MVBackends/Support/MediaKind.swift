/// What a downloaded output must be.
enum MediaKind: Sendable {
    case video
    case image

    var fileExtension: String { self == .video ? "mp4" : "png" }
}

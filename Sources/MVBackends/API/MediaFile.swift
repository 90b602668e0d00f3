/// A local file handed to or produced by a provider.
public struct MediaFile: Codable, Sendable, Equatable {
    /// Absolute (or working-directory relative) path of the file on local disk.
    public var path: String
    /// MIME type, for example `video/mp4` or `image/png`.
    public var contentType: String

    /// Creates a media file reference.
    /// - Parameters:
    ///   - path: Path of the file on local disk.
    ///   - contentType: MIME type of the file.
    public init(path: String, contentType: String) {
        self.path = path
        self.contentType = contentType
    }
}

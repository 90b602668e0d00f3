import Foundation

/// Small, valid media the fakes serve: an H.264 MP4 and a PNG, made once per process with ffmpeg.
public enum FakeMedia {
    /// Media bytes.
    public struct Files: Sendable {
        /// A 1-second 320x180 H.264 MP4 with `+faststart`.
        public var mp4: Data
        /// A 64x64 PNG.
        public var png: Data
    }

    private static let cache = FakeMediaCache()

    /// The media, generated on first use.
    /// - Returns: The bytes.
    /// - Throws: When ffmpeg is missing or fails.
    public static func files() async throws -> Files {
        try await cache.files()
    }
}

private actor FakeMediaCache {
    private var made: FakeMedia.Files?

    func files() throws -> FakeMedia.Files {
        if let made { return made }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mv-fake-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try ffmpeg(
            [
                "-f", "lavfi", "-i", "color=c=blue:s=320x180:r=24:d=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-movflags", "+faststart", "-f", "mp4", "clip.mp4",
            ], in: dir)
        try ffmpeg(
            ["-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", "-update", "1", "-c:v", "png", "-f", "image2", "image.png"], in: dir)
        let files = FakeMedia.Files(
            mp4: try Data(contentsOf: dir.appendingPathComponent("clip.mp4")), png: try Data(contentsOf: dir.appendingPathComponent("image.png")))
        made = files
        return files
    }

    private func ffmpeg(_ arguments: [String], in dir: URL) throws {
        let process = Process()
        let candidates = ["/usr/bin/ffmpeg", "/usr/local/bin/ffmpeg", "/opt/homebrew/bin/ffmpeg"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw FakeServerError.ffmpegMissing
        }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-nostdin", "-y", "-hide_banner", "-loglevel", "error"] + arguments
        process.currentDirectoryURL = dir
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw FakeServerError.ffmpegFailed }
    }
}

/// Failures of the fake servers themselves.
public enum FakeServerError: Error, Sendable {
    /// ffmpeg is not installed.
    case ffmpegMissing
    /// ffmpeg failed to make the media.
    case ffmpegFailed
    /// The server did not report its port.
    case noPort
}

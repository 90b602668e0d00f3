import Foundation
import MVCore

/// ffprobe as a JSON helper: codec, size and duration of a local file.
public enum MediaProbe {
    private struct ProbeJSON: Decodable {
        struct Stream: Decodable {
            var codec_type: String?
            var codec_name: String?
            var width: Int?
            var height: Int?
            var pix_fmt: String?
        }
        struct Format: Decodable {
            var format_name: String?
            var duration: String?
        }
        var streams: [Stream]?
        var format: Format?
    }

    /// Probes a local file with ffprobe (file protocol only).
    /// - Parameters:
    ///   - path: The file.
    ///   - format: The demuxer to force (`-f`, e.g. `wav`, `png_pipe`), so ffprobe never guesses; nil lets it probe.
    ///   - ffprobePath: ffprobe executable, default `ffprobe` from `PATH`.
    ///   - timeout: Timeout, default 30 s.
    /// - Returns: The media description.
    /// - Throws: ``FFmpegError``.
    public static func probe(
        path: String, format: String? = nil, ffprobePath: String = "ffprobe", timeout: Duration = .seconds(30)
    ) async throws(FFmpegError) -> MediaInfo {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let forced = format.map { ["-f", $0] } ?? []
        let output: ProcessOutput
        do {
            output = try await ProcessRunner.run(
                ffprobePath,
                ["-v", "error", "-protocol_whitelist", "file"] + forced
                    + ["-print_format", "json", "-show_format", "-show_streams", "file:" + absolute],
                timeout: timeout)
        } catch {
            throw FFmpegError(error)
        }
        guard output.exitCode == 0 else {
            throw FFmpegError(kind: .failed, message: "ffprobe exited with \(output.exitCode): \(String(output.stderr.suffix(300)))")
        }
        guard let json = try? JSONDecoder().decode(ProbeJSON.self, from: output.stdout) else {
            throw FFmpegError(kind: .badOutput, message: "ffprobe printed no usable JSON")
        }
        let streams = json.streams ?? []
        let video = streams.first { $0.codec_type == "video" }
        let audio = streams.first { $0.codec_type == "audio" }
        return MediaInfo(
            formatName: json.format?.format_name ?? "",
            durationSeconds: json.format?.duration.flatMap(Double.init) ?? 0,
            videoCodec: video?.codec_name,
            width: video?.width,
            height: video?.height,
            pixelFormat: video?.pix_fmt,
            audioCodec: audio?.codec_name
        )
    }
}

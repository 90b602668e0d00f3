import Foundation
import MVCore

/// ffprobe as a JSON helper: codec, size, frame rate, timebase and duration of a local file.
public enum MediaProbe {
    private struct ProbeJSON: Decodable {
        struct Stream: Decodable {
            var codec_type: String?
            var codec_name: String?
            var width: Int?
            var height: Int?
            var pix_fmt: String?
            var r_frame_rate: String?
            var time_base: String?
            var duration: String?
            var sample_rate: String?
            var channels: Int?
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
    ///   - format: A demuxer to force (`-f`, e.g. `mov` for an MP4 clip), so the file is never read as anything else;
    ///     nil lets ffprobe detect it.
    ///   - allowedFormats: When detecting, the only demuxers ffprobe may pick (`-format_whitelist`, e.g.
    ///     `["mp3", "wav"]`); anything else (a playlist, say) fails to open.
    /// - Returns: The media description.
    /// - Throws: ``FFmpegError``.
    public static func probe(
        path: String, ffprobePath: String = "ffprobe", timeout: Duration = .seconds(30), format: String? = nil,
        allowedFormats: [String]? = nil
    ) async throws(FFmpegError) -> MediaInfo {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var arguments = ["-v", "error", "-protocol_whitelist", "file"]
        if let format { arguments += ["-f", format] }
        if let allowedFormats { arguments += ["-format_whitelist", allowedFormats.joined(separator: ",")] }
        arguments += ["-print_format", "json", "-show_format", "-show_streams", "file:" + absolute]
        let output: ProcessOutput
        do {
            output = try await ProcessRunner.run(ffprobePath, arguments, timeout: timeout)
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
            audioCodec: audio?.codec_name,
            frameRate: video?.r_frame_rate,
            timeBase: video?.time_base,
            videoDurationSeconds: video?.duration.flatMap(Double.init),
            audioSampleRate: audio?.sample_rate.flatMap { Int($0) },
            audioChannels: audio?.channels
        )
    }
}

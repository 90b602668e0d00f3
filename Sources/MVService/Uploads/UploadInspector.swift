import Foundation
import MVBackends
import MVCore
import NIOPosix

/// Decides what an uploaded file is, from its bytes only: ``UploadSniffer`` (magic bytes, declared image size) picks
/// the ONE demuxer that may read it, then ffprobe (that demuxer forced, `-protocol_whitelist file`) must find the
/// expected stream and codec, and ffmpeg must decode the whole file without an error (`-xerror`), which catches
/// truncated and corrupt files. An audio file's duration is what the decode reached, so a truncated song reports what
/// it really holds. Every process runs through ``FFmpegRunner``/``MediaProbe`` (``ProcessRunner``: off the event loop,
/// with a timeout); the file is read by a path the service built, never a client string.
struct UploadInspector: Sendable {
    /// The ffmpeg that decodes (its sibling ffprobe probes).
    let ffmpeg: FFmpegRunner

    /// What an accepted upload is.
    struct Inspected: Sendable, Equatable {
        var format: UploadFormat
        /// Image width and height (from the header, confirmed by ffprobe).
        var width: Int?
        var height: Int?
        /// Audio length in seconds (> 0).
        var durationSeconds: Double?
    }

    /// Video codecs an audio file may carry as its cover picture (an attached picture stream).
    static let coverArtCodecs: Set<String> = ["mjpeg", "png"]

    /// Inspects the file at `path` (`size` bytes).
    /// - Throws: ``UploadError`` (415 unknown type, 422 broken or too large); ffmpeg failures that are not the file's
    ///   fault (missing executable, timeout) are rethrown as they are (500).
    func inspect(path: String, size: Int64) async throws -> Inspected {
        let sniffed = try await NIOThreadPool.singleton.runIfActive { try UploadSniffer.sniff(path: path, size: size) }
        let format = sniffed.format
        let info: MediaInfo
        do {
            info = try await MediaProbe.probe(path: path, ffprobePath: ffmpeg.siblingProbe, timeout: .seconds(30), format: format.demuxer)
        } catch {
            guard error.kind == .failed || error.kind == .badOutput else { throw error }
            throw UploadError.invalidMedia("The file looks like \(format.rawValue.uppercased()) but cannot be read as one.")
        }
        switch format.media {
        case .image:
            guard let codec = info.videoCodec, codec == format.imageCodec, let width = info.width, let height = info.height else {
                throw UploadError.invalidMedia("The file looks like \(format.rawValue.uppercased()) but holds no such image.")
            }
            if let declared = sniffed.dimensions, declared.width != width || declared.height != height {
                throw UploadError.invalidMedia("The \(format.rawValue.uppercased()) file is truncated or corrupt (its header and its data disagree).")
            }
            _ = try await decode(path: path, format: format, audio: false)
            return Inspected(format: format, width: width, height: height)
        case .audio:
            guard let codec = info.audioCodec, format.audioCodecs.contains(codec) else {
                throw UploadError.invalidMedia("The file looks like \(format.rawValue.uppercased()) but holds no audio stream it may carry.")
            }
            if let video = info.videoCodec, !Self.coverArtCodecs.contains(video) {
                throw UploadError.unsupportedType("Video files are not uploads; upload images or audio.")
            }
            let seconds = try await decode(path: path, format: format, audio: true)
            guard let seconds, seconds > 0 else { throw UploadError.invalidMedia("The audio has no length.") }
            return Inspected(format: format, durationSeconds: (seconds * 1000).rounded() / 1000)
        }
    }

    /// Decodes the whole file to the null muxer, stopping at the first decoding error. For audio, decodes the first
    /// audio stream and returns how far it got (`out_time_us` of `-progress`), in seconds.
    private func decode(path: String, format: UploadFormat, audio: Bool) async throws -> Double? {
        var arguments = ["-xerror", "-protocol_whitelist", "file", "-f", format.demuxer, "-i", "file:" + path]
        if audio { arguments += ["-map", "0:a:0", "-vn"] }
        arguments += ["-f", "null", "-", "-progress", "pipe:1", "-nostats"]
        let output: ProcessOutput
        do {
            output = try await ffmpeg.run(arguments, timeout: .seconds(120))
        } catch {
            guard error.kind == .failed else { throw error }
            throw UploadError.invalidMedia("The \(format.rawValue.uppercased()) file is truncated or corrupt.")
        }
        guard audio else { return nil }
        let progress = String(decoding: output.stdout, as: UTF8.self)
        let micros = progress.split(separator: "\n").reversed().lazy
            .compactMap { line -> Double? in
                guard line.hasPrefix("out_time_us=") else { return nil }
                return Double(line.dropFirst("out_time_us=".count))
            }
            .first
        return micros.map { $0 / 1_000_000 }
    }
}

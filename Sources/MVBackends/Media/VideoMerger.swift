import Foundation
import MVCore

#if canImport(Glibc)
import Glibc
#endif

/// How consecutive clips meet in a merged video.
public enum MergeTransition: String, Codable, Sendable, CaseIterable {
    /// Hard cuts.
    case none
    /// `xfade` for the picture and `acrossfade` for the sound, `transitionSeconds` long.
    case crossfade
}

/// How the song is laid under the merged clips.
public enum AudioFit: String, Codable, Sendable, CaseIterable {
    /// The result is as long as the shorter of the video and the song.
    case trim
    /// The result is exactly as long as the song: clips repeat when shorter, and are cut when longer.
    case loop
    /// The result is as long as the video; the song is cut or ends early.
    case none
}

/// How the merge was done.
public enum MergeMethod: String, Codable, Sendable {
    /// The concat demuxer with `-c copy`: every clip had the same codec, size, pixel format, frame rate and timebase.
    case streamCopy = "stream_copy"
    /// Decoded and encoded again to the first clip's geometry.
    case reencode
}

/// One clip to merge: a file in the media store, by a path the service built.
public struct MergeInput: Sendable, Equatable {
    /// Absolute path of the file.
    public var path: String
    /// What ffprobe said of it when it was stored, if known; the merger probes it when nil.
    public var info: MediaInfo?

    /// Creates an input.
    public init(path: String, info: MediaInfo? = nil) {
        self.path = path
        self.info = info
    }
}

/// One merge: files the service built paths for (never a client string), and how to join them.
public struct MergeSpec: Sendable, Equatable {
    /// The clips, in order (at least one).
    public var clips: [MergeInput]
    /// Absolute path of the song, if any.
    public var audio: String?
    /// How clips meet.
    public var transition: MergeTransition
    /// Length of each crossfade in seconds (ignored for `.none`).
    public var transitionSeconds: Double
    /// How the song is fitted (ignored without a song).
    public var fit: AudioFit
    /// Where the finished MP4 goes; written atomically (a temporary sibling renamed at the end).
    public var output: String

    /// Creates a spec.
    public init(
        clips: [MergeInput], audio: String? = nil, transition: MergeTransition = .none, transitionSeconds: Double = 0.5,
        fit: AudioFit = .trim, output: String
    ) {
        self.clips = clips
        self.audio = audio
        self.transition = transition
        self.transitionSeconds = transitionSeconds
        self.fit = fit
        self.output = output
    }
}

/// What a merge produced.
public struct MergeOutcome: Sendable, Equatable, Codable {
    /// How it was done.
    public var method: MergeMethod
    /// Length of the result, as ffprobe reads it.
    public var durationSeconds: Double

    /// Creates an outcome.
    public init(method: MergeMethod, durationSeconds: Double) {
        self.method = method
        self.durationSeconds = durationSeconds
    }
}

/// Joins clips (and a song) into one MP4 with ffmpeg, off the event loop, reading only files by paths we built.
///
/// The method is decided by ``MergePlan``: stream copy through the concat demuxer when the clips allow it, else a
/// re-encode to the first clip's geometry (a crossfade always re-encodes). With a song the clips' own sound is
/// **dropped**, and the song, loudness-normalised (EBU R128), is the only audio, fitted per ``AudioFit``; a loop
/// repeats the joined clips in a concat list, so a stream-copy merge stays stream copy (only the audio is encoded).
///
/// Runs: one ffmpeg for a merge without song (stream copy or re-encode); with a song, one ffmpeg for stream copy,
/// two for a re-encode (picture first, then the song laid under it by copy). ffprobe runs only for clips whose
/// ``MergeInput/info`` is missing or incomplete, and once for the song. Everything is written in a work folder next
/// to `spec.output`, which is removed afterwards, and the result is renamed onto `spec.output` (atomic).
public struct VideoMerger: Sendable {
    /// The ffmpeg runner (its timeout bounds each ffmpeg run).
    public var ffmpeg: FFmpegRunner
    /// The ffprobe executable.
    public var ffprobePath: String

    /// Creates a merger.
    public init(ffmpeg: FFmpegRunner = FFmpegRunner(), ffprobePath: String? = nil) {
        self.ffmpeg = ffmpeg
        self.ffprobePath = ffprobePath ?? ffmpeg.siblingProbe
    }

    /// Merges `spec.clips` into `spec.output`.
    ///
    /// ``MergeOutcome/durationSeconds`` is read from the output's movie header (``MP4Duration``, the value ffprobe
    /// prints as the format duration), or by ffprobe when the header cannot be read.
    /// - Throws: ``FFmpegError`` when a clip or the song cannot be read or ffmpeg fails; kind `invalidInput` when an
    ///   input is not usable at all (not a video, no sound in the song, an unsafe path, a crossfade too long).
    public func merge(_ spec: MergeSpec) async throws(FFmpegError) -> MergeOutcome {
        guard spec.output.hasPrefix("/") else { throw FFmpegError(kind: .invalidInput, message: "the output path must be absolute") }
        var clips: [MediaInfo] = []
        for (index, clip) in spec.clips.enumerated() {
            _ = try ConcatList.escape(clip.path)
            clips.append(try await describe(clip, number: index + 1))
        }
        var song: MergePlan.Song?
        if let audio = spec.audio {
            _ = try ConcatList.escape(audio)
            song = try await describeSong(audio)
        }
        let plan = try MergePlan(
            clips: clips, song: song, transition: spec.transition, transitionSeconds: spec.transitionSeconds, fit: spec.fit)

        let work = URL(fileURLWithPath: spec.output).deletingLastPathComponent().path + "/.merge-" + UUID().uuidString.lowercased()
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: false)
        } catch {
            throw FFmpegError(kind: .launchFailed, message: "cannot create the merge's work folder next to the output")
        }
        defer { try? FileManager.default.removeItem(atPath: work) }
        let result = work + "/merged.mp4"
        try await run(plan, clips: spec.clips.map(\.path), work: work, result: result)
        guard rename(result, spec.output) == 0 else {
            throw FFmpegError(kind: .failed, message: "cannot move the merged file into place")
        }
        let seconds: Double
        if let read = MP4Duration.read(path: spec.output) {
            seconds = read
        } else {
            seconds = try await MediaProbe.probe(path: spec.output, ffprobePath: ffprobePath, format: "mov").durationSeconds
        }
        return MergeOutcome(method: plan.method, durationSeconds: seconds)
    }

    /// Runs the plan's ffmpeg commands, leaving the finished MP4 at `result`.
    private func run(_ plan: MergePlan, clips: [String], work: String, result: String) async throws(FFmpegError) {
        let list = work + "/clips.ffconcat"
        switch (plan.method, plan.song) {
        case (.streamCopy, nil):
            try ConcatList.write(clips, to: list)
            try await ffmpeg.run(MergeCommand.streamCopy(list: list, output: result), workingDirectory: work)
        case (.streamCopy, let song?):
            try ConcatList.write(Array(repeating: clips, count: plan.repeats).flatMap { $0 }, to: list)
            try await ffmpeg.run(MergeCommand.withSong(list: list, song: song, seconds: plan.outputSeconds, output: result), workingDirectory: work)
        case (.reencode, nil):
            let graph = MergeFilterGraph.build(plan)
            try await ffmpeg.run(
                MergeCommand.reencode(clips: clips, graph: graph, seconds: plan.videoSeconds, output: result), workingDirectory: work)
        case (.reencode, let song?):
            let picture = work + "/picture.mp4"
            let graph = MergeFilterGraph.build(plan)
            try await ffmpeg.run(
                MergeCommand.reencode(clips: clips, graph: graph, seconds: plan.videoSeconds, output: picture), workingDirectory: work)
            try ConcatList.write(Array(repeating: picture, count: plan.repeats), to: list)
            try await ffmpeg.run(MergeCommand.withSong(list: list, song: song, seconds: plan.outputSeconds, output: result), workingDirectory: work)
        }
    }

    /// The clip's stored probe when it is complete, else a fresh one (read as MP4 only).
    private func describe(_ clip: MergeInput, number: Int) async throws(FFmpegError) -> MediaInfo {
        let info: MediaInfo
        if let known = clip.info, known.describesVideoFully {
            info = known
        } else {
            do throws(FFmpegError) {
                info = try await MediaProbe.probe(path: clip.path, ffprobePath: ffprobePath, format: "mov")
            } catch where error.kind == .failed || error.kind == .badOutput {
                throw FFmpegError(kind: .invalidInput, message: "clip \(number) is not a readable MP4 video")
            }
        }
        guard info.videoCodec != nil, (info.width ?? 0) > 0, (info.height ?? 0) > 0 else {
            throw FFmpegError(kind: .invalidInput, message: "clip \(number) has no video stream")
        }
        return info
    }

    /// The song's demuxer and length, probed with only the allowed demuxers (a playlist or anything else fails).
    private func describeSong(_ path: String) async throws(FFmpegError) -> MergePlan.Song {
        let info: MediaInfo
        do throws(FFmpegError) {
            info = try await MediaProbe.probe(path: path, ffprobePath: ffprobePath, allowedFormats: MergePlan.songFormats)
        } catch where error.kind == .failed || error.kind == .badOutput {
            throw FFmpegError(kind: .invalidInput, message: "the song is not a readable audio file")
        }
        guard let demuxer = MergePlan.songDemuxers[info.formatName], info.audioCodec != nil, info.durationSeconds > 0 else {
            throw FFmpegError(kind: .invalidInput, message: "the song is not an mp3, wav, m4a or ogg file with sound")
        }
        return MergePlan.Song(path: path, demuxer: demuxer, seconds: info.durationSeconds)
    }
}

import Foundation
import Logging
import MVBackends
import MVCore

/// Merges stored clips (and a stored song) into a new blob in the media store: the piece `merge_videos` runs, and
/// that a project render calls for its final cut.
///
/// The inputs are assets already read under the submitter's access rules; their files are found by hash in the media
/// store (never by a client's path), and their stored probes (`metadata.media`) spare an ffprobe per clip. The
/// result is probed once, so the new video's `metadata.media` lets it be merged again without a probe.
///
/// ```swift
/// let step = MergeStep(media: media, merger: VideoMerger(ffmpeg: FFmpegRunner(timeout: .seconds(900))), logger: logger)
/// let merged = try await step.run(clips: clips, audio: song, transition: .none, transitionSeconds: 0.5, fit: .loop)
/// // merged.blob → AssetStore.NewAsset(blob:), merged.outcome.method / .durationSeconds → the result
/// ```
struct MergeStep: Sendable {
    /// Where the inputs are and the result goes.
    let media: any MediaStore
    /// The engine.
    let merger: VideoMerger
    let logger: Logger

    /// A finished merge.
    struct Output: Sendable {
        /// The merged MP4, stored.
        var blob: StoredBlob
        /// Method and length.
        var outcome: MergeOutcome
        /// The probe of the result (to store as the new video's `metadata.media`), nil if ffprobe failed on it.
        var media: MediaInfo?
    }

    /// Merges `clips` (with `audio` under them) and stores the result.
    /// - Parameters:
    ///   - clips: Video assets with blobs, in order.
    ///   - audio: An audio upload with a blob, or nil.
    ///   - transition: How clips meet.
    ///   - transitionSeconds: Crossfade length.
    ///   - fit: How the song is fitted.
    /// - Throws: ``AttemptFailure``: final (`invalid_input`) when an input is unusable, retryable when ffmpeg fails or
    ///   times out. Messages never carry paths or ffmpeg's output (that is logged).
    func run(
        clips: [AssetStore.Asset], audio: AssetStore.Asset?, transition: MergeTransition, transitionSeconds: Double, fit: AudioFit
    ) async throws(AttemptFailure) -> Output {
        var inputs: [MergeInput] = []
        for clip in clips {
            guard let sha = clip.sha256 else { throw Self.unavailable }
            inputs.append(MergeInput(path: media.path(of: sha), info: clip.mediaInfo))
        }
        var song: String?
        if let audio {
            guard let sha = audio.sha256 else { throw Self.unavailable }
            song = media.path(of: sha)
        }
        let output = media.temporaryDirectory + "/merge-\(UUID().lowercased).mp4"
        let spec = MergeSpec(clips: inputs, audio: song, transition: transition, transitionSeconds: transitionSeconds, fit: fit, output: output)
        let outcome: MergeOutcome
        do throws(FFmpegError) {
            outcome = try await merger.merge(spec)
        } catch {
            try? FileManager.default.removeItem(atPath: output)
            throw Self.failure(error, logger: logger)
        }
        let info = try? await MediaProbe.probe(path: output, ffprobePath: merger.ffprobePath, format: "mov")
        do {
            let blob = try await media.ingest(temporaryFile: output, contentType: "video/mp4")
            return Output(blob: blob, outcome: outcome, media: info)
        } catch {
            try? FileManager.default.removeItem(atPath: output)
            logger.error("could not store a merged video", metadata: ["error": "\(error)"])
            throw AttemptFailure(JobFailure(.internalError, "The merged video could not be stored."), retry: true)
        }
    }

    private static let unavailable = AttemptFailure(JobFailure(.invalidInput, "An input of the merge is no longer available."), retry: false)

    /// An engine error as a job failure: unusable inputs are final; ffmpeg failures and timeouts may pass on retry.
    static func failure(_ error: FFmpegError, logger: Logger) -> AttemptFailure {
        switch error.kind {
        case .invalidInput:
            return AttemptFailure(JobFailure(.invalidInput, "The clips cannot be merged: \(error.message)."), retry: false)
        case .timedOut:
            logger.warning("merge timed out", metadata: ["error": "\(error)"])
            return AttemptFailure(JobFailure(.internalError, "Merging took too long."), retry: true)
        default:
            logger.error("merge failed", metadata: ["error": "\(error)"])
            return AttemptFailure(JobFailure(.internalError, "ffmpeg could not merge the clips."), retry: true)
        }
    }
}

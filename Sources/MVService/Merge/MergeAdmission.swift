import MVCore
import Foundation
import MVAuth
import MVBackends
import MVCore

/// The inputs of a merge as the caller may read them, and the longest result they can make (what is quoted and
/// held). Used at admission (by the caller's viewer) and for `POST /api/mv/quote`.
struct MergeAdmission: Sendable {
    /// The clips, in the request's order.
    var clips: [AssetStore.Asset]
    /// The song, if one was given.
    var audio: AssetStore.Asset?
    /// The longest result: the song's length under `fit_to_audio: loop`, else the clips' total.
    var maximumSeconds: Double

    /// Why the inputs cannot be merged.
    enum Refusal: Error, Sendable, Equatable {
        /// Some video is missing, deleted or not readable by the caller (which one is not said).
        case videoNotFound
        /// The audio is missing, not an audio upload, or not readable by the caller.
        case audioNotFound
        /// A field that depends on the inputs is wrong (a crossfade as long as a clip, a length not recorded).
        case invalid(ValidationError)
    }

    /// Reads and checks the inputs of `spec` as `viewer`.
    /// - Throws: ``Refusal``, or a database error.
    static func load(_ spec: MergeJobSpec, viewer: AssetViewer, assets: AssetStore) async throws -> MergeAdmission {
        guard let clips = try await assets.readableVideos(ids: spec.videoIds, viewer: viewer) else { throw Refusal.videoNotFound }
        var audio: AssetStore.Asset?
        if let audioID = spec.audioId {
            guard let found = try await assets.readableAudio(id: audioID, viewer: viewer) else { throw Refusal.audioNotFound }
            audio = found
        }
        var lengths: [Double] = []
        for (index, clip) in clips.enumerated() {
            guard let seconds = clip.mediaSeconds, seconds > 0 else {
                throw Refusal.invalid(.invalid("video_ids[\(index)]", "the video's length is not recorded; it cannot be merged"))
            }
            lengths.append(seconds)
        }
        if spec.transition == .crossfade, let shortest = lengths.min(), spec.transitionSeconds >= shortest {
            throw Refusal.invalid(.invalid("transition_seconds", "must be shorter than the shortest clip (\(shortest) s)"))
        }
        var maximum = lengths.reduce(0, +)
        if let audio, spec.fitToAudio == .loop {
            guard let song = audio.mediaSeconds, song > 0 else {
                throw Refusal.invalid(.invalid("audio_id", "the upload's length is not recorded; it cannot be used as a song"))
            }
            maximum = song
        }
        return MergeAdmission(clips: clips, audio: audio, maximumSeconds: maximum)
    }
}

extension AssetStore.Asset {
    /// The length recorded at creation: `metadata.media.duration_seconds` (the probe), else
    /// `metadata.duration_seconds`.
    var mediaSeconds: Double? {
        if case JSONValue.object(let fields) = metadata {
            if case JSONValue.object(let media)? = fields["media"], case JSONValue.number(let seconds)? = media["duration_seconds"] {
                return seconds
            }
            if case JSONValue.number(let seconds)? = fields["duration_seconds"] { return seconds }
        }
        return nil
    }

    /// The probe stored at creation (`metadata.media`), if any.
    var mediaInfo: MediaInfo? {
        guard case JSONValue.object(let fields) = metadata, let media = fields["media"] else { return nil }
        return try? media.decode(as: MediaInfo.self)
    }
}

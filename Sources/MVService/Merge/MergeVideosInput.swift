import Foundation
import MVBackends

/// Body of `POST /api/mv/merge_videos`. Unknown fields are ignored.
struct MergeVideosInput: Codable, Sendable, Equatable {
    var videoIds: [UUID]?
    var audioId: UUID?
    var transition: String?
    var transitionSeconds: Double?
    var fitToAudio: String?
    var projectId: UUID?
}

/// A validated merge request with every default filled in: what is stored on the job and replayed on retry.
///
/// Checked here (no database): 2–50 unique video ids, `transition` none|crossfade (default none),
/// `transition_seconds` 0.1…2 (default 0.5), `fit_to_audio` trim|loop|none (default trim). What needs the inputs
/// themselves (readable, a crossfade shorter than the shortest clip, an audio upload) is checked by
/// ``MergeAdmission``.
struct MergeJobSpec: Codable, Sendable, Equatable {
    var videoIds: [UUID]
    var audioId: UUID?
    var transition: MergeTransition
    var transitionSeconds: Double
    var fitToAudio: AudioFit
    var projectId: UUID?

    /// Fewest and most clips in one merge.
    static let clipCount = 2...50
    /// Allowed crossfade lengths in seconds.
    static let transitionRange = 0.1...2.0

    /// Validates `input`, collecting every field error.
    /// - Throws: ``ValidationError`` listing each bad field.
    init(validating input: MergeVideosInput) throws(ValidationError) {
        var errors: [FieldError] = []
        let ids = input.videoIds ?? []
        if !Self.clipCount.contains(ids.count) {
            errors.append(.init(field: "video_ids", message: "must list 2...50 videos"))
        } else if Set(ids).count != ids.count {
            errors.append(.init(field: "video_ids", message: "must not list a video twice"))
        }
        let transition = MergeTransition(rawValue: input.transition ?? MergeTransition.none.rawValue)
        if transition == nil { errors.append(.init(field: "transition", message: "must be one of none, crossfade")) }
        let seconds = input.transitionSeconds ?? 0.5
        if !(seconds.isFinite && Self.transitionRange.contains(seconds)) {
            errors.append(.init(field: "transition_seconds", message: "must be 0.1...2 seconds"))
        }
        let fit = AudioFit(rawValue: input.fitToAudio ?? AudioFit.trim.rawValue)
        if fit == nil { errors.append(.init(field: "fit_to_audio", message: "must be one of trim, loop, none")) }
        guard errors.isEmpty, let transition, let fit else { throw ValidationError(errors) }
        self.videoIds = ids
        self.audioId = input.audioId
        self.transition = transition
        self.transitionSeconds = seconds
        self.fitToAudio = fit
        self.projectId = input.projectId
    }
}

import Foundation

/// Credits held for each piece of a render: the quoted maximum over the candidate models (failover may land on any
/// of them). A piece's capture never exceeds its line, so the parts never exceed the one hold.
struct RenderQuote: Codable, Sendable, Equatable {
    /// The scene script (0 when the project has one already).
    var scenes: Int64
    /// The character reference (0 when the project has one already).
    var character: Int64
    /// Each clip still to make.
    var clip: Int64
    /// How many clips are still to make.
    var clips: Int
    /// The merge with the song (free: no provider is paid).
    var merge: Int64

    /// The hold: every line added up.
    var total: Int64 { scenes + character + clip * Int64(clips) + merge }
}

/// What a `render_project` job stores at admission and replays on every attempt.
struct RenderJobSpec: Codable, Sendable, Equatable {
    var projectId: UUID
    /// The project's fields when the render was asked for.
    var project: ProjectSpec
    var quote: RenderQuote
}

/// What a `regenerate_scene` job stores at admission.
struct RegenerateJobSpec: Codable, Sendable, Equatable {
    var projectId: UUID
    /// The scene whose clip is made again (0-based).
    var index: Int
    var project: ProjectSpec
    /// Credits held for the clip (0 when free).
    var quote: Int64
    /// Why the re-roll is free (`reroll_free: previous clip failed`), nil when it is charged.
    var freeReason: String?
}

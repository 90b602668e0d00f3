import Foundation
import MVBackends
import MVCore

/// The stages of a render, in order.
enum ProjectStageName: String, Codable, Sendable, CaseIterable {
    case scenes, character, clips, merge
}

/// Where a stage or clip is.
enum PieceStatus: String, Codable, Sendable, CaseIterable {
    case pending, running, succeeded, failed
    /// A clip the provider refused to make (content policy): re-rolling it is free.
    case blocked
}

/// What a stage event says (`event: stage` on the job's SSE stream).
enum StageEventStatus: String, Codable, Sendable, CaseIterable {
    case running, succeeded, failed
    /// Finished by an earlier attempt or render: resumed past, nothing paid again.
    case skipped
}

/// What a project's render has produced so far, as the render job resumes from it (`projects`, `project_stages`,
/// `project_clips`).
struct ProjectRenderState: Sendable {
    /// One clip row.
    struct Clip: Sendable, Codable {
        var index: Int
        var status: PieceStatus
        var videoId: UUID?
        var credits: Int64
        /// The job that last worked on the clip.
        var jobId: UUID?
        /// The provider job an interrupted attempt started for this clip.
        var providerCheckpoint: ProviderCheckpoint?
    }

    /// One stage row.
    struct Stage: Sendable, Codable {
        var name: ProjectStageName
        var status: PieceStatus
        var credits: Int64
        var startedAt: Date?
        var finishedAt: Date?
        var providerCheckpoint: ProviderCheckpoint?
    }

    var projectID: UUID
    var renderJobID: UUID?
    /// State of the latest render or re-roll job.
    var jobState: JobState?
    var sceneSetID: UUID?
    var imageIDs: [UUID]
    var finalVideoID: UUID?
    var stages: [Stage]
    var clips: [Clip]

    /// Whether a render or re-roll is queued or running.
    var isBusy: Bool { jobState.map { !$0.isFinal } ?? false }

    /// Whether every piece is done and the final cut exists.
    var isRendered: Bool { finalVideoID != nil && !clips.isEmpty && clips.allSatisfy { $0.status == .succeeded } }

    /// The status clients see: `draft` before any render, `rendering` while one runs, `rendered` with a final cut,
    /// else `failed`.
    var status: String {
        if isBusy { return "rendering" }
        if isRendered { return "rendered" }
        return renderJobID == nil ? "draft" : "failed"
    }

    /// The stage row `name`, if written.
    func stage(_ name: ProjectStageName) -> Stage? { stages.first { $0.name == name } }

    /// The clip row `index`, if written.
    func clip(_ index: Int) -> Clip? { clips.first { $0.index == index } }
}

import Foundation
import MVAuth
import MVBackends
import MVCore
import PostgresNIO

/// Kinds of generation job.
enum JobKind: String, Codable, Sendable, CaseIterable, PostgresStringEnum {
    case generateVideo = "generate_video"
    case createScenes = "create_scenes"
    case generateCharacterReference = "generate_character_reference"
    /// Clips (and a song) joined into one video.
    case mergeVideos = "merge_videos"
    /// A project's whole render: scenes, character reference, clips, merge with the song.
    case renderProject = "render_project"
    /// A re-roll of one clip of a project, then a new merge.
    case regenerateScene = "regenerate_scene"
}

/// Lifecycle states; the last three are final.
enum JobState: String, Codable, Sendable, CaseIterable, PostgresStringEnum {
    case queued, running, succeeded, failed, canceled

    /// Whether the job can no longer change.
    var isFinal: Bool { self == .succeeded || self == .failed || self == .canceled }
}

/// A job as stored, joined with its hold.
struct JobRecord: Sendable {
    var id: UUID
    var kind: JobKind
    var state: JobState
    var userID: UUID
    var teamID: UUID
    var projectID: UUID?
    var attempts: Int
    var maxAttempts: Int
    var progress: Double
    var stage: String
    var quoted: Int64
    var held: Int64
    var charged: Int64
    var released: Int64
    /// What a succeeded job produced.
    var result: JSONValue?
    /// Why the last attempt failed (kept while retrying, for diagnosis).
    var failure: JobFailure?
    var providerName: String?
    var providerModel: String?
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
}

/// A job claimed by a worker, with the fencing token every write must present.
struct ClaimedJob: Sendable {
    var id: UUID
    var kind: JobKind
    var userID: UUID
    var teamID: UUID
    /// The validated request stored at admission.
    var request: JSONValue
    var attempts: Int
    var maxAttempts: Int
    var leaseToken: Int64
    var quoted: Int64
    /// The provider job an earlier attempt started, if any.
    var checkpoint: ProviderCheckpoint?
    /// The API key the job was submitted with; its inputs are then read in the key's team only.
    var apiKeyID: UUID? = nil

    /// Whose view of the assets the job has while it runs: the submitter's, narrowed like their request was.
    var viewer: AssetViewer { AssetViewer(userID: userID, scopeTeamID: apiKeyID == nil ? nil : teamID) }
}

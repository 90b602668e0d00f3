import Foundation
import MVBackends
import MVCore
import PostgresNIO

/// Kinds of generation job.
public enum JobKind: String, Codable, Sendable, CaseIterable, PostgresStringEnum {
    case generateVideo = "generate_video"
    case createScenes = "create_scenes"
    case generateCharacterReference = "generate_character_reference"
}

/// Lifecycle states; the last three are final.
public enum JobState: String, Codable, Sendable, PostgresStringEnum {
    case queued, running, succeeded, failed, canceled

    /// Whether the job can no longer change.
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .canceled }
}

/// A job as stored, joined with its hold.
public struct JobRecord: Sendable {
    public var id: UUID
    public var kind: JobKind
    public var state: JobState
    public var userID: UUID
    public var teamID: UUID
    public var projectID: UUID?
    public var attempts: Int
    public var maxAttempts: Int
    public var progress: Double
    public var stage: String
    public var quoted: Int64
    public var held: Int64
    public var charged: Int64
    public var released: Int64
    /// What a succeeded job produced.
    public var result: JSONValue?
    /// Why the last attempt failed (kept while retrying, for diagnosis).
    public var failure: JobFailure?
    public var providerName: String?
    public var providerModel: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
}

/// A job claimed by a worker, with the fencing token every write must present.
public struct ClaimedJob: Sendable {
    public var id: UUID
    public var kind: JobKind
    public var userID: UUID
    public var teamID: UUID
    /// The validated request stored at admission.
    public var request: JSONValue
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseToken: Int64
    public var quoted: Int64
    /// The provider job an earlier attempt started, if any.
    public var checkpoint: ProviderCheckpoint?
}

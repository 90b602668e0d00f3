import Foundation

/// Kinds of generation job.
public enum JobKind: String, Codable, Sendable, CaseIterable {
    case generateVideo = "generate_video"
    case createScenes = "create_scenes"
    case generateCharacterReference = "generate_character_reference"
}

/// Lifecycle states; the last three are final.
public enum JobState: String, Codable, Sendable {
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
    public var resultJSON: String?
    public var errorJSON: String?
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
    public var requestJSON: String
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseToken: Int64
    public var quoted: Int64
    public var checkpointJSON: String?
}

/// The API representation of a job (`GET /api/jobs/{id}`).
public struct JobResponse: Codable, Sendable {
    public struct Cost: Codable, Sendable {
        public var quoted: Int64
        public var held: Int64
        public var charged: Int64
        public var released: Int64
    }
    public struct Provider: Codable, Sendable {
        public var name: String
        public var model: String
    }
    public var id: UUID
    public var kind: JobKind
    public var status: JobState
    public var progress: Double
    public var stage: String
    public var attempts: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var cost: Cost
    public var result: JSONValue?
    public var error: JSONValue?
    public var provider: Provider?

    init(_ record: JobRecord) {
        id = record.id
        kind = record.kind
        status = record.state
        progress = record.progress
        stage = record.stage
        attempts = record.attempts
        createdAt = record.createdAt
        startedAt = record.startedAt
        finishedAt = record.finishedAt
        cost = Cost(quoted: record.quoted, held: record.held, charged: record.charged, released: record.released)
        result = record.resultJSON.flatMap { JSONValue(json: $0) }
        // Retry errors are kept for diagnosis but only final failures show one.
        error = record.state == .failed || record.state == .canceled ? record.errorJSON.flatMap { JSONValue(json: $0) } : nil
        if let name = record.providerName { provider = Provider(name: name, model: record.providerModel ?? name) }
    }
}

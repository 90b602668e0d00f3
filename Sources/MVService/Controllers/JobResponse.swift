import Foundation
import MVCore

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
        result = record.result
        // Retry errors are kept for diagnosis but only final failures show one, as a problem document.
        if record.state == .failed || record.state == .canceled, let failure = record.failure {
            error = try? JSONValue.encoding(Problem(failure).body(requestID: nil))
        }
        if let name = record.providerName { provider = Provider(name: name, model: record.providerModel ?? name) }
    }
}

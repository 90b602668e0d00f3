import Foundation
import MVCore

/// The API representation of a job (`GET /api/jobs/{id}`).
struct JobResponse: Codable, Sendable {
    struct Cost: Codable, Sendable {
        var quoted: Int64
        var held: Int64
        var charged: Int64
        var released: Int64
    }
    struct Provider: Codable, Sendable {
        var name: String
        var model: String
    }
    var id: UUID
    var kind: JobKind
    var status: JobState
    var progress: Double
    var stage: String
    var attempts: Int
    var createdAt: Date
    var startedAt: Date?
    var finishedAt: Date?
    var cost: Cost
    var result: JSONValue?
    var error: JSONValue?
    var provider: Provider?

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

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

extension JobResponse {
    /// The job as JSON text, byte for byte what ``JSONCoding/encode(_:)`` writes for it, by ``JSONWriter``: job reads
    /// are the hottest answer, and `JSONEncoder` cost them more CPU than their query. Keys in sorted order; absent
    /// optionals are left out, as the synthesized `Encodable` does.
    var jsonBytes: [UInt8] {
        var json = JSONWriter(capacity: 640)
        json.beginObject()
        json.key("attempts")
        json.int(Int64(attempts))
        json.key("cost")
        json.beginObject()
        json.key("charged")
        json.int(cost.charged)
        json.key("held")
        json.int(cost.held)
        json.key("quoted")
        json.int(cost.quoted)
        json.key("released")
        json.int(cost.released)
        json.endObject()
        json.key("created_at")
        json.date(createdAt)
        if let error {
            json.key("error")
            json.value(error)
        }
        if let finishedAt {
            json.key("finished_at")
            json.date(finishedAt)
        }
        json.key("id")
        json.uuid(id)
        json.key("kind")
        json.string(kind.rawValue)
        json.key("progress")
        json.double(progress)
        if let provider {
            json.key("provider")
            json.beginObject()
            json.key("model")
            json.string(provider.model)
            json.key("name")
            json.string(provider.name)
            json.endObject()
        }
        if let result {
            json.key("result")
            json.value(result)
        }
        json.key("stage")
        json.string(stage)
        if let startedAt {
            json.key("started_at")
            json.date(startedAt)
        }
        json.key("status")
        json.string(status.rawValue)
        json.endObject()
        return json.bytes
    }
}

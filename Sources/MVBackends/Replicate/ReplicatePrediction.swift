import Foundation
import MVCore

/// The prediction object of the Replicate API (only the fields we use; unknown keys are ignored).
struct ReplicatePrediction: Decodable, Sendable {
    struct URLs: Decodable, Sendable {
        var get: String?
        var cancel: String?
    }

    struct Metrics: Decodable, Sendable {
        var predict_time: Double?
        var input_token_count: Int?
        var output_token_count: Int?
    }

    var id: String
    var status: String
    var output: JSONValue?
    var error: JSONValue?
    var urls: URLs?
    var created_at: String?
    var started_at: String?
    var completed_at: String?
    var data_removed: Bool?
    var metrics: Metrics?

    /// `created_at` parsed (3, 6 or 7 fractional digits, `Z` or offset).
    var createdAt: Date? { created_at.flatMap(ProviderDate.parse) }
    /// `completed_at` parsed.
    var completedAt: Date? { completed_at.flatMap(ProviderDate.parse) }

    static let terminal: Set<String> = ["succeeded", "failed", "canceled", "aborted"]
}

/// Replicate's problem+json error body.
struct ReplicateProblem: Decodable, Sendable {
    var title: String?
    var detail: String?
    var status: Int?
}

/// The file object returned by `POST /v1/files`.
struct ReplicateFile: Decodable, Sendable {
    struct URLs: Decodable, Sendable {
        var get: String?
    }

    var id: String
    var urls: URLs?
}

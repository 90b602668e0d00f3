/// Gemini API response shapes (only the fields we read; unknown keys are ignored).
enum GeminiWire {
    struct ErrorBody: Decodable, Sendable {
        struct Status: Decodable, Sendable {
            var code: Int?
            var message: String?
            var status: String?
            var details: [Detail]?
        }
        struct Detail: Decodable, Sendable {
            var type: String?
            var reason: String?
            var retryDelay: String?
            var violations: [Violation]?

            enum CodingKeys: String, CodingKey {
                case type = "@type"
                case reason, retryDelay, violations
            }
        }
        struct Violation: Decodable, Sendable {
            var quotaId: String?
        }
        var error: Status
    }

    struct GenerateContentResponse: Decodable, Sendable {
        struct Candidate: Decodable, Sendable {
            var content: Content?
            var finishReason: String?
        }
        struct Content: Decodable, Sendable {
            var parts: [Part]?
        }
        struct Part: Decodable, Sendable {
            var text: String?
            var thought: Bool?
        }
        struct PromptFeedback: Decodable, Sendable {
            var blockReason: String?
            var blockReasonMessage: String?
        }
        struct UsageMetadata: Decodable, Sendable {
            var promptTokenCount: Int?
            var candidatesTokenCount: Int?
            var thoughtsTokenCount: Int?
        }
        var candidates: [Candidate]?
        var promptFeedback: PromptFeedback?
        var usageMetadata: UsageMetadata?
        var modelVersion: String?
        var responseId: String?
    }

    struct Operation: Decodable, Sendable {
        struct OpError: Decodable, Sendable {
            var code: Int?
            var message: String?
        }
        struct Response: Decodable, Sendable {
            var generateVideoResponse: VideoResponse?
        }
        struct VideoResponse: Decodable, Sendable {
            var generatedSamples: [Sample]?
            var raiMediaFilteredCount: Int?
            var raiMediaFilteredReasons: [String]?
        }
        struct Sample: Decodable, Sendable {
            var video: Video?
        }
        struct Video: Decodable, Sendable {
            var uri: String?
            var encodedVideo: String?
            var encoding: String?
        }
        var name: String
        var done: Bool?
        var error: OpError?
        var response: Response?
    }

    struct PredictResponse: Decodable, Sendable {
        struct Prediction: Decodable, Sendable {
            var bytesBase64Encoded: String?
            var mimeType: String?
            var raiFilteredReason: String?
        }
        var predictions: [Prediction]?
    }
}

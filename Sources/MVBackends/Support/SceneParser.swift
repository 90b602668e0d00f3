import Foundation
import MVCore

/// Parses and checks the scene JSON a text model returns: `{"scenes":[{"description","negative_description"}]}`.
///
/// Truncated or malformed JSON, empty fields, over-long fields or too few scenes are failures (never
/// partial success); extra scenes beyond the requested count are dropped.
enum SceneParser {
    private struct Payload: Decodable {
        struct Item: Decodable {
            var description: String
            var negative_description: String
        }
        var scenes: [Item]
    }

    static func parse(_ text: String, expected: Int, provider: ProviderName) throws(ProviderError) -> [Scene] {
        var body = text.trimmingWhitespaceAndNewlines()
        if body.hasPrefix("```") {
            body = body.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
            if body.hasSuffix("```") { body.removeLast(3) }
        }
        if !body.hasPrefix("{"), let start = body.firstIndex(of: "{"), let end = body.lastIndex(of: "}"), start < end {
            body = String(body[start...end])
        }
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(body.utf8)) else {
            throw .invalidOutput("scene JSON is malformed or truncated", provider: provider)
        }
        guard payload.scenes.count >= expected else {
            throw .invalidOutput("model returned \(payload.scenes.count) scenes, \(expected) requested", provider: provider)
        }
        var scenes: [Scene] = []
        for (index, item) in payload.scenes.prefix(expected).enumerated() {
            let description = item.description.trimmingWhitespaceAndNewlines()
            let negative = item.negative_description.trimmingWhitespaceAndNewlines()
            guard !description.isEmpty, description.count <= 5000, negative.count <= 1000 else {
                throw .invalidOutput("scene \(index + 1) is empty or too long", provider: provider)
            }
            scenes.append(Scene(index: index, description: description, negativeDescription: negative))
        }
        return scenes
    }
}

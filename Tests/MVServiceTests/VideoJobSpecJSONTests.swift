import Foundation
import MVBackends
import MVCore
import Testing
@testable import MVService

/// The video spec's hand-written JSON is what `JSONCoding.encode` writes for it, byte for byte: it is stored on the job
/// and hashed for idempotency, so a different byte would turn a retry of the same body into a 422.
struct VideoJobSpecJSONTests {
    /// Specs of every shape (each optional present and absent, 0 to 3 reference images, every backend) with texts full
    /// of what JSON escapes, non-ASCII and uppercase UUID-shaped strings.
    @Test func videoSpecJSONMatchesTheEncoder() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["plain words", "quote \" and backslash \\", "slash / and {aspect_ratio}", "new\nline\ttab\r", "\u{01}\u{08}\u{0C}\u{1F}\u{7F}",
                      "é 雪 🎬 \u{2028}\u{2029}", "7F0C3B8E-2D1A-4C5B-9E6F-0A1B2C3D4E5F", "  padded  ", "</script>", "\u{FEFF}zero width\u{200B}"]
        func text(_ count: Int) -> String {
            (0..<count).map { _ in pieces.randomElement(using: &generator) ?? "" }.joined(separator: " ")
        }
        var specs: [VideoJobSpec] = []
        for index in 0..<500 {
            let input = GenerateVideoInput(
                prompt: text(Int.random(in: 1...4, using: &generator)),
                negativePrompt: Bool.random(using: &generator) ? nil : (index % 7 == 0 ? "   " : text(2)),
                aspectRatio: Bool.random(using: &generator) ? nil : VideoJobSpec.aspectRatios.randomElement(using: &generator),
                duration: Bool.random(using: &generator) ? nil : Int.random(in: 1...60, using: &generator),
                resolution: Bool.random(using: &generator) ? nil : VideoJobSpec.resolutions.randomElement(using: &generator),
                generateAudio: [nil, true, false].randomElement(using: &generator) ?? nil,
                seed: Bool.random(using: &generator) ? nil : Int.random(in: 0...Int(UInt32.max), using: &generator),
                referenceImageIds: Bool.random(using: &generator) ? nil : (0..<Int.random(in: 0...3, using: &generator)).map { _ in UUID() },
                backend: Bool.random(using: &generator) ? nil : BackendChoice.allCases.randomElement(using: &generator)?.rawValue.uppercased(),
                model: Bool.random(using: &generator) ? nil : text(1),
                projectId: Bool.random(using: &generator) ? nil : UUID(),
                sceneIndex: Bool.random(using: &generator) ? nil : Int.random(in: 0...500, using: &generator),
                videoRulesTemplate: [nil, "", text(3)].randomElement(using: &generator) ?? nil)
            specs.append(try VideoJobSpec(validating: input))
        }
        #expect(specs.contains { $0.negativePrompt == nil } && specs.contains { $0.negativePrompt != nil })
        #expect(specs.contains { $0.referenceImageIds.count == 3 } && specs.contains { $0.referenceImageIds.isEmpty })
        for spec in specs {
            let encoded = try JSONCoding.encode(spec)
            #expect(String(decoding: spec.jsonBytes, as: UTF8.self) == String(decoding: encoded, as: UTF8.self))
            #expect(try GenerationController.storedJSON(spec) == encoded, "admission stores the hand-written bytes")
        }
    }
}

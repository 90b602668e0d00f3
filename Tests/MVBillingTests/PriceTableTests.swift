import Foundation
import MVBilling
import MVCore
import MVTestSupport
import Testing

/// Loading `pricing.yaml`: the shipped file loads with the figures it states, credit arithmetic rounds as
/// documented, and every kind of bad file stops with an error naming the file, the dotted key and the reason.
struct PriceTableTests {
    @Test func shippedPricingFileLoads() throws {
        let table = try PriceTable.load(path: RepoPaths.configs + "/pricing.yaml")
        #expect(table.video["google/veo-3.1"] == 40)
        #expect(table.video["veo-3.1-fast-generate-001"] == 15)
        #expect(table.image["google/imagen-4-ultra"] == 6)
        #expect(table.scenes["gemini-2.5-pro"] == PriceTable.ScenesPrice(perThousandTokens: 4, hold: 40))
        #expect(table.scenes["mock-scenes"] == PriceTable.ScenesPrice(perThousandTokens: 1, hold: 2))
    }

    @Test func creditArithmetic() throws {
        let table = try PriceTable.parse(yaml: """
            video: { v: 40 }
            image: { i: 4 }
            scenes: { s: { per_1k_tokens: 3, hold: 9 } }
            """)
        #expect(table.videoCredits(model: "v", seconds: 8) == 320)
        #expect(table.videoCredits(model: "v", seconds: 0.01) == 1)
        #expect(table.videoCredits(model: "v", seconds: -1) == nil)
        #expect(table.videoCredits(model: "v", seconds: .infinity) == nil)
        #expect(table.videoCredits(model: "unknown", seconds: 8) == nil)
        #expect(table.imageCredits(model: "i", count: 3) == 12)
        #expect(table.imageCredits(model: "i", count: -1) == nil)
        #expect(table.scenesHold(model: "s") == 9)
        #expect(table.scenesCredits(model: "s", tokens: 1000) == 3)
        #expect(table.scenesCredits(model: "s", tokens: 1001) == 6)
        #expect(table.scenesCredits(model: "s", tokens: 0) == 0)
        #expect(table.scenesCredits(model: "unknown", tokens: 10) == nil)
    }

    /// A bad file, and the key and reason its error must name.
    struct BadFile: Sendable, CustomTestStringConvertible {
        var yaml: String
        var key: String
        var reason: String
        var testDescription: String { key.isEmpty ? reason : key }
    }

    static let badFiles: [BadFile] = [
        BadFile(yaml: "video:\n  mock: -1\n", key: "video.mock", reason: "must be a non-negative integer, got -1"),
        BadFile(yaml: "video:\n  mock: 1.5\n", key: "video.mock", reason: #"must be a non-negative integer, got "1.5""#),
        BadFile(yaml: "image:\n  mock: \"3\"\n", key: "image.mock", reason: #"must be a non-negative integer, got "3""#),
        BadFile(yaml: "audio:\n  x: 1\n", key: "audio", reason: "unknown key (expected video, image, scenes or merge)"),
        BadFile(yaml: "video: [1, 2]\n", key: "video", reason: "expected a mapping"),
        BadFile(yaml: "scenes:\n  m: { hold: 2 }\n", key: "scenes.m.per_1k_tokens", reason: "missing"),
        BadFile(yaml: "scenes:\n  m: { per_1k_tokens: 1 }\n", key: "scenes.m.hold", reason: "missing"),
        BadFile(
            yaml: "scenes:\n  m: { per_1k_tokens: 1, hold: 2, cap: 3 }\n", key: "scenes.m.cap",
            reason: "unknown key (expected per_1k_tokens and hold)"),
        BadFile(yaml: "- video\n- image\n", key: "", reason: "expected a mapping at the top level"),
    ]

    @Test(arguments: badFiles)
    func badFileNamesFileKeyAndReason(_ bad: BadFile) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pricing-\(UUID().uuidString).yaml").path
        try bad.yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: ConfigError.self) { try PriceTable.load(path: path) }
        #expect(error.file == path && error.key == bad.key && error.reason.hasPrefix(bad.reason), "\(error)")
        #expect(error.description.hasPrefix(path + ": "))
    }

    @Test func missingFileNamesTheFile() throws {
        let path = "/nonexistent/pricing.yaml"
        let error = try #require(throws: ConfigError.self) { try PriceTable.load(path: path) }
        #expect(error.file == path && error.key == "")
        #expect(error.reason.hasPrefix("cannot read the file"))
        #expect(error.description.hasPrefix("/nonexistent/pricing.yaml: cannot read the file"))
    }

    @Test func invalidYAMLNamesTheFile() throws {
        let error = try #require(throws: ConfigError.self) { try PriceTable.parse(yaml: "video: {", file: "p.yaml") }
        #expect(error.file == "p.yaml" && error.key == "")
        #expect(error.reason.hasPrefix("not valid YAML"))
    }

    @Test func mergeIsPricedPerStartedMinute() throws {
        #expect(try PriceTable.load(path: RepoPaths.configs + "/pricing.yaml").mergePerStartedMinute == 1)
        let table = try PriceTable.parse(yaml: "merge: { per_started_minute: 3 }")
        #expect(table.mergeCredits(seconds: 0) == 0)
        #expect(table.mergeCredits(seconds: 4) == 3)
        #expect(table.mergeCredits(seconds: 60) == 3)
        #expect(table.mergeCredits(seconds: 60.5) == 6)
        #expect(table.mergeCredits(seconds: -1) == nil)
        #expect(table.mergeCredits(seconds: .nan) == nil)
        #expect(PriceTable().mergeCredits(seconds: 3600) == 0, "no merge section: merging is free")
        let unknown = try #require(throws: ConfigError.self) { try PriceTable.parse(yaml: "merge: { per_minute: 1 }", file: "p.yaml") }
        #expect(unknown.key == "merge.per_minute")
        let missing = try #require(throws: ConfigError.self) { try PriceTable.parse(yaml: "merge: {}", file: "p.yaml") }
        #expect(missing.key == "merge.per_started_minute")
    }
}

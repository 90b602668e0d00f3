import MVTestSupport
import Testing
@testable import MVService

/// RFC 9110 single-range parsing: every malformed or unsatisfiable range is a 416, never a crash.
struct ByteRangeTests {
    @Test(arguments: [
        ("bytes=0-99", ByteRange.partial(0...99)),
        ("bytes=900-", .partial(900...999)),
        ("bytes=-100", .partial(900...999)),
        ("bytes=-5000", .partial(0...999)),
        ("bytes=990-2000", .partial(990...999)),
        ("bytes=1000-", .unsatisfiable),
        ("bytes=5-1", .unsatisfiable),
        ("bytes=-0", .unsatisfiable),
        ("bytes=abc", .unsatisfiable),
        ("bytes=-", .unsatisfiable),
        ("bytes=", .unsatisfiable),
        ("bytes=99999999999999999999999-", .unsatisfiable),
        ("items=0-5", .full),
        ("bytes=0-1,5-6", .full),
    ])
    func parses(header: String, expected: ByteRange) {
        #expect(ByteRange(header: header, size: 1000) == expected)
    }

    @Test func absentHeaderIsFull() {
        #expect(ByteRange(header: nil, size: 10) == .full)
    }

    @Test func emptyFileHasNoSatisfiableRange() {
        #expect(ByteRange(header: "bytes=0-", size: 0) == .unsatisfiable)
    }
}

/// `{name}` templates as the predecessor's YAML uses them.
struct PromptTemplateFillTests {
    @Test func fillsKnownPlaceholdersAndKeepsLiteralBraces() {
        let filled = PromptTemplates.fill(#"Idea: {idea}; JSON {{"scenes": []}}; unknown {nope}"#, ["idea": "koi"])
        #expect(filled == #"Idea: koi; JSON {"scenes": []}; unknown {nope}"#)
    }

    @Test func loadsTheShippedTemplates() throws {
        let templates = try PromptTemplates.load(directory: RepoPaths.configs)
        #expect(templates.defaultNumberOfScenes == 4)
        #expect(templates.sceneTemplate.contains("{idea}"))
        #expect(!templates.directorStyles.isEmpty)
        #expect(templates.directorStyles["Wes-Anderson"] != nil)
    }

    @Test func flavorOverridesDefaultsAndUnknownFlavorIs422() throws {
        let templates = try PromptTemplates.load(directory: RepoPaths.configs)
        var input = CreateScenesInput()
        input.idea = "a heist"
        input.characterDescription = "a tall detective"
        let plain = try ScenesJobSpec(validating: input, templates: templates)
        #expect(plain.parametersUsed["camera_angle"] == "front")
        input.configFlavor = "noir"
        let noir = try ScenesJobSpec(validating: input, templates: templates)
        #expect(noir.parametersUsed["camera_angle"] == "low angle")
        #expect(noir.parametersUsed["video_type"] == plain.parametersUsed["video_type"])
        #expect(noir.prompt.contains("low angle"))
        input.configFlavor = "vaporwave"
        #expect(throws: ValidationError.invalid("config_flavor", "unknown flavor vaporwave; available: default, noir")) {
            try ScenesJobSpec(validating: input, templates: templates)
        }
    }
}

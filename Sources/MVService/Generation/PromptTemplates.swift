import Foundation
import MVCore

/// The prompt configuration a product person tunes (`configs/parameters.yaml`, `scene_prompts.yaml`,
/// `image_params.yaml`, `image_prompts.yaml`, `directors/*.yaml`), loaded once at start.
struct PromptTemplates: Sendable {
    /// Scene defaults (`parameters.yaml`).
    var sceneDefaults: [String: String]
    /// Default number of scenes.
    var defaultNumberOfScenes: Int
    /// The meta-prompt for scene scripts (`scene_prompts.yaml` `scene_generation_prompt`).
    var sceneTemplate: String
    /// Image defaults (`image_params.yaml`).
    var imageDefaults: [String: String]
    /// Character reference prompt (`image_prompts.yaml`).
    var characterReferenceTemplate: String
    /// Director signature styles by config name (line 2 of each `directors/*.yaml`).
    var directorStyles: [String: String]
    /// Named variants (`configs/flavors/<name>/*.yaml`, each key overriding the default), chosen by `config_flavor`.
    var flavors: [String: PromptTemplates] = [:]

    /// The templates of `flavor` (`nil`, empty or `default` = these).
    /// - Throws: ``ValidationError`` naming `config_flavor` when there is no such flavor.
    func flavor(_ name: String?) throws(ValidationError) -> PromptTemplates {
        guard let name, !name.isEmpty, name != "default" else { return self }
        guard let flavor = flavors[name] else {
            throw ValidationError.invalid("config_flavor", "unknown flavor \(name); available: \((["default"] + flavors.keys.sorted()).joined(separator: ", "))")
        }
        return flavor
    }

    /// Loads the templates from `directory`.
    /// - Throws: ``ConfigError`` naming the file and key.
    static func load(directory: String) throws(ConfigError) -> PromptTemplates {
        var templates = try load(directory: directory, base: nil)
        let flavorsFolder = directory + "/flavors"
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: flavorsFolder)) ?? []).sorted() {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: flavorsFolder + "/" + name, isDirectory: &isFolder), isFolder.boolValue else { continue }
            templates.flavors[name] = try load(directory: flavorsFolder + "/" + name, base: templates)
        }
        return templates
    }

    /// Loads one folder; with a `base`, every file is optional and its keys override the base's.
    private static func load(directory: String, base: PromptTemplates?) throws(ConfigError) -> PromptTemplates {
        func map(_ file: String, _ fallback: [String: String]) throws(ConfigError) -> [String: String] {
            let path = directory + "/" + file
            guard base == nil || FileManager.default.fileExists(atPath: path) else { return fallback }
            return fallback.merging(try yamlMap(path)) { _, new in new }
        }
        let parameters = try map("parameters.yaml", base?.sceneDefaults ?? [:])
        let scenes = try map("scene_prompts.yaml", base.map { ["scene_generation_prompt": $0.sceneTemplate] } ?? [:])
        let images = try map("image_params.yaml", base?.imageDefaults ?? [:])
        let imagePrompts = try map("image_prompts.yaml", base.map { ["character_reference_prompt": $0.characterReferenceTemplate] } ?? [:])
        guard let sceneTemplate = scenes["scene_generation_prompt"] else {
            throw ConfigError(file: directory + "/scene_prompts.yaml", key: "scene_generation_prompt", reason: "required")
        }
        guard let characterTemplate = imagePrompts["character_reference_prompt"] else {
            throw ConfigError(file: directory + "/image_prompts.yaml", key: "character_reference_prompt", reason: "required")
        }
        guard let scenesCount = Int(parameters["number_of_scenes"] ?? "4"), (1...12).contains(scenesCount) else {
            throw ConfigError(file: directory + "/parameters.yaml", key: "number_of_scenes", reason: "must be 1...12")
        }
        var styles: [String: String] = base?.directorStyles ?? [:]
        let folder = directory + "/directors"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasSuffix(".yaml") {
            let text = (try? String(contentsOfFile: folder + "/" + name, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            guard lines.count > 1, lines[1].hasPrefix("# Signature Style:") else {
                throw ConfigError(file: folder + "/" + name, key: "line 2", reason: "must be '# Signature Style: <text>'")
            }
            styles[String(name.dropLast(".yaml".count))] = lines[1].dropFirst("# Signature Style:".count).trimmingCharacters(in: .whitespaces)
        }
        return PromptTemplates(
            sceneDefaults: parameters, defaultNumberOfScenes: scenesCount, sceneTemplate: sceneTemplate, imageDefaults: images,
            characterReferenceTemplate: characterTemplate, directorStyles: styles)
    }

    /// Fills `{name}` placeholders; `{{` and `}}` are literal braces.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        var output = ""
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            let next = template.index(after: index)
            if character == "{", next < template.endIndex, template[next] == "{" {
                output.append("{")
                index = template.index(after: next)
            } else if character == "}", next < template.endIndex, template[next] == "}" {
                output.append("}")
                index = template.index(after: next)
            } else if character == "{", let close = template[next...].firstIndex(of: "}"),
                let value = values[String(template[next..<close])]
            {
                output += value
                index = template.index(after: close)
            } else {
                output.append(character)
                index = next
            }
        }
        return output
    }

    private static func yamlMap(_ path: String) throws(ConfigError) -> [String: String] {
        guard case .object(let object) = try YAMLField.load(path: path).json else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case .string(let text): map[key] = text
            case .number(let number): map[key] = number.rounded() == number ? String(Int(number)) : String(number)
            case .bool(let flag): map[key] = String(flag)
            default: continue
            }
        }
        return map
    }
}

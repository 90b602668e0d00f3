import Foundation

/// The prompt configuration a product person tunes (`configs/parameters.yaml`, `scene_prompts.yaml`,
/// `image_params.yaml`, `image_prompts.yaml`, `directors/*.yaml`), loaded once at start.
public struct PromptTemplates: Sendable {
    /// Scene defaults (`parameters.yaml`).
    public var sceneDefaults: [String: String]
    /// Default number of scenes.
    public var defaultNumberOfScenes: Int
    /// The meta-prompt for scene scripts (`scene_prompts.yaml` `scene_generation_prompt`).
    public var sceneTemplate: String
    /// Image defaults (`image_params.yaml`).
    public var imageDefaults: [String: String]
    /// Character reference prompt (`image_prompts.yaml`).
    public var characterReferenceTemplate: String
    /// Director signature styles by config name (line 2 of each `directors/*.yaml`).
    public var directorStyles: [String: String]

    /// Loads the templates from `directory`.
    /// - Throws: ``ConfigError`` naming the file and key.
    public static func load(directory: String) throws(ConfigError) -> PromptTemplates {
        let parameters = try yamlMap(directory + "/parameters.yaml")
        let scenes = try yamlMap(directory + "/scene_prompts.yaml")
        let images = try yamlMap(directory + "/image_params.yaml")
        let imagePrompts = try yamlMap(directory + "/image_prompts.yaml")
        guard let sceneTemplate = scenes["scene_generation_prompt"] else {
            throw ConfigError(file: directory + "/scene_prompts.yaml", key: "scene_generation_prompt", reason: "required")
        }
        guard let characterTemplate = imagePrompts["character_reference_prompt"] else {
            throw ConfigError(file: directory + "/image_prompts.yaml", key: "character_reference_prompt", reason: "required")
        }
        guard let scenesCount = Int(parameters["number_of_scenes"] ?? "4"), (1...12).contains(scenesCount) else {
            throw ConfigError(file: directory + "/parameters.yaml", key: "number_of_scenes", reason: "must be 1...12")
        }
        var styles: [String: String] = [:]
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
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "-", reason: "cannot read the file")
        }
        let object: [String: JSONValue]
        do {
            object = try YAMLDocument.decode([String: JSONValue].self, from: text)
        } catch {
            throw ConfigError(file: path, key: "-", reason: "not a YAML mapping: \(error)")
        }
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

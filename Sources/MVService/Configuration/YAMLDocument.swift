import Foundation
import Yams

/// Decodes YAML with snake_case keys into Swift types (Yams' decoder has no key strategy, so the document goes
/// through JSON with `convertFromSnakeCase`).
enum YAMLDocument {
    static func decode<T: Decodable>(_ type: T.Type, from text: String) throws -> T {
        let object = try Yams.load(yaml: text) ?? [String: Any]()
        let data = try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(T.self, from: data)
    }
}

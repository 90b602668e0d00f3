import Foundation

/// The JSON conventions of the whole service: snake_case keys, RFC 3339 times (any form in, UTC with milliseconds
/// out), lowercase UUIDs out (``LowercaseUUIDs``), slashes unescaped, keys sorted.
public enum JSONCoding {
    /// The encoder for responses, stored JSON (jsonb) and webhooks: one configured instance, shared (encoding does not
    /// mutate it, and building one per response cost the job read a few percent of its CPU).
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.string(from: date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The decoder for request bodies and stored JSON (one shared instance, like ``encoder``).
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = RFC3339.date(from: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "must be an RFC 3339 time such as 2026-12-01T10:00:00.000Z")
            }
            return date
        }
        return decoder
    }()
}

import Hummingbird

extension HTTPFields {
    /// Sets a field given by a runtime name; invalid names are ignored.
    mutating func set(_ name: String, _ value: String) {
        if let field = HTTPFields.Element.Name(name) { self[field] = value }
    }
}

/// Header names the API uses beyond the standard ones.
enum MVHeader {
    static let idempotencyKey = HTTPFields.Element.Name("Idempotency-Key") ?? .contentType
    static let idempotentReplayed = HTTPFields.Element.Name("Idempotent-Replayed") ?? .contentType
    static let requestID = HTTPFields.Element.Name("X-Request-ID") ?? .contentType
    static let team = HTTPFields.Element.Name("X-MV-Team") ?? .contentType
    static let rateLimitPolicy = HTTPFields.Element.Name("RateLimit-Policy") ?? .contentType
    static let prefer = HTTPFields.Element.Name("Prefer") ?? .contentType
    static let lastEventID = HTTPFields.Element.Name("Last-Event-ID") ?? .contentType
    static let preferenceApplied = HTTPFields.Element.Name("Preference-Applied") ?? .contentType
}

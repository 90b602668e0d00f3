import Hummingbird
import MVBilling

extension HTTPFields {
    /// The rate-limit fields of a decision (`RateLimit-Policy`, `RateLimit`, `X-RateLimit-*`, `Retry-After`).
    init(_ headers: RateLimitHeaders) {
        self.init()
        setRateLimitFields(headers)
    }

    /// Sets the rate-limit fields of a decision here, replacing fields of the same names (the others stay). Written
    /// into the response's own fields: building them apart and merging them by name cost every authenticated answer
    /// about 1 % of the server's CPU.
    mutating func setRateLimitFields(_ headers: RateLimitHeaders) {
        self[MVHeader.rateLimitPolicy] = headers.policy
        self[MVHeader.rateLimit] = headers.rateLimit
        self[MVHeader.rateLimitLimit] = String(headers.limit)
        self[MVHeader.rateLimitRemaining] = String(headers.remaining)
        self[MVHeader.rateLimitReset] = String(headers.reset)
        if let retryAfter = headers.retryAfter { self[.retryAfter] = String(retryAfter) }
    }
}

extension RateLimitDecision {
    /// This decision's response fields.
    var httpFields: HTTPFields { HTTPFields(headers) }
}

/// Header names the API uses beyond the standard ones.
enum MVHeader {
    static let idempotencyKey = HTTPFields.Element.Name("Idempotency-Key") ?? .contentType
    static let referrerPolicy = HTTPFields.Element.Name("Referrer-Policy") ?? .contentType
    static let idempotentReplayed = HTTPFields.Element.Name("Idempotent-Replayed") ?? .contentType
    static let requestID = HTTPFields.Element.Name("X-Request-ID") ?? .contentType
    static let team = HTTPFields.Element.Name("X-MV-Team") ?? .contentType
    static let rateLimitPolicy = HTTPFields.Element.Name("RateLimit-Policy") ?? .contentType
    static let rateLimit = HTTPFields.Element.Name("RateLimit") ?? .contentType
    static let rateLimitLimit = HTTPFields.Element.Name("X-RateLimit-Limit") ?? .contentType
    static let rateLimitRemaining = HTTPFields.Element.Name("X-RateLimit-Remaining") ?? .contentType
    static let rateLimitReset = HTTPFields.Element.Name("X-RateLimit-Reset") ?? .contentType
    static let prefer = HTTPFields.Element.Name("Prefer") ?? .contentType
    static let lastEventID = HTTPFields.Element.Name("Last-Event-ID") ?? .contentType
    static let preferenceApplied = HTTPFields.Element.Name("Preference-Applied") ?? .contentType
}

/// The rate-limit response fields of one decision, as typed values; the HTTP layer writes them.
///
/// `policy` and `rateLimit` are the IETF httpapi rate-limit draft's `RateLimit-Policy` and `RateLimit` structured
/// fields (`"generate";q=10;w=60` and `"generate";r=3;t=12`); `limit`, `remaining` and `reset` (seconds until full)
/// are the de-facto legacy `X-RateLimit-*` fields; `retryAfter` (seconds) is set when the request was refused.
public struct RateLimitHeaders: Sendable, Equatable {
    /// `RateLimit-Policy`.
    public var policy: String
    /// `RateLimit`.
    public var rateLimit: String
    /// `X-RateLimit-Limit`.
    public var limit: Int
    /// `X-RateLimit-Remaining`.
    public var remaining: Int
    /// `X-RateLimit-Reset`, seconds.
    public var reset: Int
    /// `Retry-After`, seconds, when refused.
    public var retryAfter: Int?
}

extension RateLimitDecision {
    /// The response fields for this decision.
    public var headers: RateLimitHeaders {
        let name = Self.quoted(policy.name)
        return RateLimitHeaders(
            policy: "\(name);q=\(policy.capacity);w=\(policy.windowSeconds)", rateLimit: "\(name);r=\(remaining);t=\(resetSeconds)",
            limit: policy.capacity, remaining: remaining, reset: resetSeconds, retryAfter: allowed ? nil : retryAfterSeconds)
    }

    /// A structured-field string: quotes, with `"` and `\` escaped and non-printable ASCII dropped.
    static func quoted(_ value: String) -> String {
        var result = "\""
        for scalar in value.unicodeScalars where scalar.value >= 0x20 && scalar.value < 0x7F {
            if scalar == "\"" || scalar == "\\" {
                result.append("\\")
            }
            result.unicodeScalars.append(scalar)
        }
        return result + "\""
    }
}

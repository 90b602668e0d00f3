extension RateLimitDecision {
    /// Response header fields for this decision.
    ///
    /// `RateLimit-Policy` and `RateLimit` follow the IETF httpapi rate-limit draft
    /// (`"generate";q=10;w=60` and `"generate";r=3;t=12`); `X-RateLimit-Limit`, `X-RateLimit-Remaining`
    /// and `X-RateLimit-Reset` (seconds until full) are the de-facto legacy fields; `Retry-After`
    /// (seconds) is added when the request was refused.
    public var headerFields: [(name: String, value: String)] {
        let name = Self.quoted(policy.name)
        var fields: [(name: String, value: String)] = [
            ("RateLimit-Policy", "\(name);q=\(policy.capacity);w=\(policy.windowSeconds)"),
            ("RateLimit", "\(name);r=\(remaining);t=\(resetSeconds)"),
            ("X-RateLimit-Limit", String(policy.capacity)),
            ("X-RateLimit-Remaining", String(remaining)),
            ("X-RateLimit-Reset", String(resetSeconds)),
        ]
        if !allowed {
            fields.append(("Retry-After", String(retryAfterSeconds)))
        }
        return fields
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

import MVCore
/// The rate-limit policies in force, by name, loaded from `configs/ratelimits.yaml`.
///
/// ```yaml
/// generate:           # policy name
///   capacity: 10      # burst size (tokens)
///   refill: 10        # tokens added ...
///   per_seconds: 60   # ... per this many seconds, continuously
/// api:
///   capacity: 600
///   refill: 10
///   per_seconds: 1
///   lease_batch: 20   # leased: an instance takes up to 20 tokens at once (omit for exact)
/// ```
/// `generate` must be exact: it is taken inside the admission transaction.
public struct RateLimitPolicies: Sendable, Equatable {
    /// Policy names the service relies on; loading fails if one is missing.
    public static let requiredNames = ["generate", "api"]

    /// All policies, by name.
    public var byName: [String: RateLimitPolicy]

    /// Creates a set of policies.
    /// - Parameter policies: The policies; later duplicates of a name win.
    public init(_ policies: [RateLimitPolicy]) {
        var byName: [String: RateLimitPolicy] = [:]
        for policy in policies {
            byName[policy.name] = policy
        }
        self.byName = byName
    }

    /// The policy called `name`, if configured.
    public subscript(name: String) -> RateLimitPolicy? {
        byName[name]
    }

    /// Loads and validates a rate-limit file.
    /// - Parameter path: Path of the YAML file.
    /// - Returns: The policies; `generate` and `api` are guaranteed to exist.
    /// - Throws: `ConfigError` naming the file, the dotted key and the reason.
    public static func load(path: String) throws(ConfigError) -> RateLimitPolicies {
        try decode(YAMLField.load(path: path))
    }

    /// Parses and validates rate-limit YAML text.
    /// - Parameters:
    ///   - yaml: The YAML text.
    ///   - file: Name used in errors.
    /// - Returns: The policies.
    /// - Throws: `ConfigError` naming `file`, the dotted key and the reason.
    public static func parse(yaml: String, file: String = "ratelimits.yaml") throws(ConfigError) -> RateLimitPolicies {
        try decode(YAMLField.parse(yaml, file: file))
    }

    private static func decode(_ root: YAMLField) throws(ConfigError) -> RateLimitPolicies {
        var policies: [RateLimitPolicy] = []
        for (name, policy) in try root.entries() {
            var capacity: Int64?
            var refill: Double?
            var perSeconds: Double?
            var leaseBatch: Int64?
            for (field, value) in try policy.entries() {
                switch field {
                case "capacity":
                    let tokens = try value.nonNegativeInteger()
                    guard tokens >= 1, tokens <= Int64(Int32.max) else {
                        throw value.fail("must be between 1 and \(Int32.max), got \(tokens)")
                    }
                    capacity = tokens
                case "refill":
                    refill = try value.positiveNumber()
                case "per_seconds":
                    perSeconds = try value.positiveNumber()
                case "lease_batch":
                    let batch = try value.nonNegativeInteger()
                    guard batch >= 1, batch <= 10_000 else { throw value.fail("must be between 1 and 10000, got \(batch)") }
                    guard name != "generate" else {
                        throw value.fail("the generate policy is exact (taken inside the admission transaction); remove lease_batch")
                    }
                    leaseBatch = batch
                default:
                    throw value.fail("unknown key (expected capacity, refill, per_seconds and lease_batch)")
                }
            }
            guard let capacity else { throw ConfigError(file: root.file, key: "\(name).capacity", reason: "missing") }
            guard let refill else { throw ConfigError(file: root.file, key: "\(name).refill", reason: "missing") }
            guard let perSeconds else { throw ConfigError(file: root.file, key: "\(name).per_seconds", reason: "missing") }
            policies.append(RateLimitPolicy(
                name: name, capacity: Int(capacity), refillPerSecond: refill / perSeconds, leaseBatch: leaseBatch.map { Int($0) }))
        }
        let result = RateLimitPolicies(policies)
        for required in requiredNames where result[required] == nil {
            throw ConfigError(file: root.file, key: required, reason: "missing (required policy)")
        }
        return result
    }
}

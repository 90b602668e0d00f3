import MVBilling
import MVCore
import MVTestSupport
import Testing

/// Loading `ratelimits.yaml`: the shipped file gives the two required policies with their rates; bad files name
/// the file, key and reason.
struct RateLimitPoliciesTests {
    @Test func shippedFileLoads() throws {
        let policies = try RateLimitPolicies.load(path: RepoPaths.configs + "/ratelimits.yaml")
        #expect(policies["generate"] == RateLimitPolicy(name: "generate", capacity: 10, refillPerSecond: 10.0 / 60))
        #expect(policies["api"] == RateLimitPolicy(name: "api", capacity: 600, refillPerSecond: 10, leaseBatch: 20))
    }

    @Test(arguments: [
        ("api: { capacity: 1, refill: 1, per_seconds: 1 }", "generate", "missing (required policy)"),
        ("generate: { capacity: 0, refill: 1, per_seconds: 1 }", "generate.capacity", "must be between 1 and 2147483647, got 0"),
        ("generate: { capacity: 1, refill: 0, per_seconds: 1 }", "generate.refill", #"must be a positive number, got "0""#),
        ("generate: { capacity: 1, per_seconds: 1 }", "generate.refill", "missing"),
        ("generate: { capacity: 1, refill: 1, per_seconds: 1, burst: 2 }", "generate.burst",
         "unknown key (expected capacity, refill, per_seconds and lease_batch)"),
        ("generate: { capacity: 1, refill: 1, per_seconds: 1, lease_batch: 5 }", "generate.lease_batch",
         "the generate policy is exact"),
        ("api: { capacity: 1, refill: 1, per_seconds: 1, lease_batch: 0 }", "api.lease_batch", "must be between 1 and 10000"),
    ])
    func badFileNamesKeyAndReason(yaml: String, key: String, reason: String) throws {
        let error = try #require(throws: ConfigError.self) { try RateLimitPolicies.parse(yaml: yaml, file: "rl.yaml") }
        #expect(error.file == "rl.yaml" && error.key == key && error.reason.hasPrefix(reason), "\(error)")
    }
}

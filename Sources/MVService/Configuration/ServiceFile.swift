/// The shape of `configs/service.yaml`. Every field is optional: absent keys keep the defaults.
struct ServiceFile: Decodable {
    struct Server: Decodable {
        var host: String?
        var port: Int?
    }
    struct Database: Decodable {
        var url: String?
        var maxConnections: Int?
        var minConnections: Int?
    }
    struct Auth: Decodable {
        var issuer: String?
        var audience: String?
        var accessTokenTtlSeconds: Int?
        var refreshTokenTtlDays: Int?
        var registration: String?
        var bcryptCost: Int?
        var standingCacheSeconds: Double?
        var signingKeyPem: String?
        var serverSecret: String?
        var issuers: [Issuer]?
    }
    /// One entry of `auth.issuers`: an external identity provider.
    struct Issuer: Decodable {
        var issuer: String?
        var jwksUrl: String?
        var audience: String?
        var algorithms: [String]?
        var claims: Claims?
    }
    /// Claim names of an issuer.
    struct Claims: Decodable {
        var subject: String?
        var email: String?
        var name: String?
        var team: String?
        var teamName: String?
        var role: String?
    }
    struct Jobs: Decodable {
        var concurrency: Int?
        var leaseSeconds: Double?
        var heartbeatSeconds: Double?
        var pollIntervalSeconds: Double?
        var maxAttempts: Int?
        var retryBaseSeconds: Double?
        var retryCapSeconds: Double?
        var drainTimeoutSeconds: Double?
    }
    struct Billing: Decodable {
        var expirySweepSeconds: Double?
    }
    struct Media: Decodable {
        var restoreWindowHours: Double?
        var sweepSeconds: Double?
        var mergeTimeoutSeconds: Double?
    }
    struct Limits: Decodable {
        var maxJsonBodyBytes: Int?
        var maxUploadBytes: Int64?
    }
    struct Projects: Decodable {
        var clipConcurrency: Int?
        var slotPollSeconds: Double?
    }
    struct Mock: Decodable {
        var delayMinSeconds: Double?
        var delayMaxSeconds: Double?
        var failureRate: Double?
    }

    var server: Server?
    var dataDir: String?
    var database: Database?
    var auth: Auth?
    var jobs: Jobs?
    var billing: Billing?
    var limits: Limits?
    var media: Media?
    var mock: Mock?
    var webhooks: Webhooks?
    var projects: Projects?
    var logLevel: String?
}

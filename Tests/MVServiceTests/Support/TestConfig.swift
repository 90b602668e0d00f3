import Foundation
import Logging
import MVBackends
import MVBilling
import MVTestSupport
@testable import MVService

extension AppConfig {
    /// A configuration for one suite: its own database and data folder, fast jobs, mock providers, cheap bcrypt.
    static func test(database: DatabaseURL, mockDelay: ClosedRange<Double> = 0...0, mockFailureRate: Double = 0) throws -> AppConfig {
        var config = AppConfig()
        config.port = 0
        config.databaseURL = database.urlString
        config.dataDirectory = NSTemporaryDirectory() + "mvtest-data-\(UUID().uuidString.prefix(8))"
        config.sqlDirectory = RepoPaths.sql
        config.configDirectory = RepoPaths.configs
        config.logLevel = .warning
        config.auth.bcryptCost = 10
        config.databaseMaxConnections = 6
        config.jobs.concurrency = 4
        config.jobs.lease = .seconds(3)
        // Tests that age deleted assets by hand call the asset sweeper themselves; the background one stays out of the way.
        config.assetSweepInterval = .seconds(3600)
        config.jobs.heartbeat = .milliseconds(500)
        config.jobs.pollInterval = .milliseconds(200)
        config.jobs.retryBase = .milliseconds(50)
        config.jobs.retryCap = .milliseconds(200)
        config.jobs.drainTimeout = .seconds(30)
        // Webhook receivers in tests listen on 127.0.0.1 over http; retries come fast.
        config.webhooks.allowedHosts = ["127.0.0.1"]
        config.webhooks.retryBase = .milliseconds(50)
        config.webhooks.retryCap = .milliseconds(200)
        config.webhooks.pollInterval = .milliseconds(200)
        config.webhooks.timeout = .seconds(3)
        config.rateLimits["generate"] = RateLimitPolicy(name: "generate", capacity: 100, refillPerSecond: 10)
        config.rateLimits["api"] = RateLimitPolicy(name: "api", capacity: 10_000, refillPerSecond: 1000)
        try config.loadSiblingFiles()
        config.rateLimits["generate"] = RateLimitPolicy(name: "generate", capacity: 100, refillPerSecond: 10)
        config.rateLimits["api"] = RateLimitPolicy(name: "api", capacity: 10_000, refillPerSecond: 1000)
        config.backends = BackendsConfiguration.fromEnvironment([:])
        config.backends.catalogPath = RepoPaths.configs + "/models.yaml"
        config.backends.mock.delayMin = mockDelay.lowerBound
        config.backends.mock.delayMax = mockDelay.upperBound
        config.backends.mock.failureRate = mockFailureRate
        return config
    }
}

import Foundation
import HTTPTypes
import MVBackends
import MVFakeProviders
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// The fake Replicate and Gemini servers of one test, and how to point an app at them.
struct FakeProviders: Sendable {
    let replicate: FakeReplicateServer
    let gemini: FakeGeminiServer

    /// Starts both fakes on loopback ports.
    static func start() async throws -> FakeProviders {
        let replicate = try await FakeReplicateServer.start()
        do {
            return FakeProviders(replicate: replicate, gemini: try await FakeGeminiServer.start())
        } catch {
            await replicate.stop()
            throw error
        }
    }

    /// Stops both fakes.
    func stop() async {
        await replicate.stop()
        await gemini.stop()
    }

    /// Points `config.backends` at the fakes (keys, base URLs, loopback delivery) with fast polls, short retries and
    /// short timeouts.
    func configure(_ config: inout AppConfig) {
        config.backends.replicateToken = FakeReplicateServer.token
        config.backends.replicateBaseURL = replicate.baseURL
        config.backends.replicateDeliveryHosts = ["127.0.0.1"]
        config.backends.geminiKey = FakeGeminiServer.apiKey
        config.backends.geminiBaseURL = gemini.baseURL
        config.backends.pollInitialInterval = .milliseconds(5)
        config.backends.pollMaxInterval = .milliseconds(20)
        config.backends.retryBaseDelay = .milliseconds(5)
        config.backends.retryMaxDelay = .milliseconds(20)
        config.backends.requestTimeout = .seconds(15)
        config.backends.downloadTimeout = .seconds(30)
        config.backends.replicatePreferWaitSeconds = 1
        config.backends.maxRetryAfter = .seconds(5)
    }
}

/// Starts the fakes, runs ``withTestApp`` with the app pointed at them (then `configure`), and always stops the fakes.
func withFakeProvidersApp(
    configure: (inout AppConfig) -> Void = { _ in },
    checkInvariants: Bool = true,
    _ body: @Sendable (TestClient, TestContext, FakeProviders) async throws -> Void
) async throws {
    let fakes = try await FakeProviders.start()
    do {
        try await withTestApp(
            { config in
                fakes.configure(&config)
                configure(&config)
            }, checkInvariants: checkInvariants
        ) { client, context in
            try await body(client, context, fakes)
        }
    } catch {
        await fakes.stop()
        throw error
    }
    await fakes.stop()
}

extension TestClient {
    /// `POST path` with `body`, `token` and a fresh Idempotency-Key.
    func submit(_ path: String, _ body: [String: Any], token: String) async throws -> Reply {
        try await request(.post, path, token: token, json: body, headers: ["Idempotency-Key": UUID().uuidString])
    }

    /// Submits a job, requires 202 and waits for its final state; returns the job JSON.
    func runJob(_ path: String, _ body: [String: Any], token: String, timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let reply = try await submit(path, body, token: token)
        guard reply.status == .accepted, let id = reply.json["id"] as? String else {
            throw TestFailure("submit \(path) failed: \(reply.status) \(reply.text)")
        }
        return try await waitForJob(id, token: token, timeout: timeout)
    }

    /// A registered user whose team holds `credits`.
    func fundedUser(_ credits: Int, admin: Account) async throws -> Account {
        let user = try await register()
        try await grant(credits, to: user.teamID, admin: admin)
        return user
    }
}

extension TestContext {
    /// Polls `condition` every 50 ms until it holds or `timeout` passes (then throws).
    func pollUntil(
        _ what: String, timeout: Duration = .seconds(20), _ condition: @Sendable () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for \(what)")
    }

    /// `jobs.provider_checkpoint` as text (nil while none is saved).
    func providerCheckpoint(jobID: String) async throws -> String? {
        let id = try #require(UUID(uuidString: jobID))
        return try await scalar("SELECT provider_checkpoint::text FROM jobs WHERE id = \(id)", as: String?.self) ?? nil
    }

    /// Runs one statement and discards its rows.
    func runSQL(_ query: PostgresQuery) async throws {
        try await withPostgres { client in
            _ = try await client.query(query, logger: TestCluster.logger)
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The nested object at `key` (empty when missing).
    func nested(_ key: String) -> [String: Any] { self[key] as? [String: Any] ?? [:] }
}

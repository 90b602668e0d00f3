import AsyncHTTPClient
import Foundation
import MVBilling
import MVTestSupport
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import PostgresNIO
import Testing
@testable import MVService

/// Scale-out on one PostgreSQL: two `mvservice serve --no-workers` and two `mvservice worker` processes sharing a
/// database and a media directory. Admissions driven through both APIs at once are exact: funded for N jobs, 4N
/// concurrent submits (every idempotency key sent to both instances) admit exactly N; a generation bucket and a quota
/// hold across instances; every job runs once; SSE is served by an API instance that ran nothing; the ledger checks clean.
@Suite(.serialized)
struct ScaleOutTests {
    /// One running API instance.
    struct API: Sendable {
        let base: String

        func call(_ method: HTTPMethod, _ path: String, token: String? = nil, json: [String: Any]? = nil, headers: [String: String] = [:])
            async throws -> (status: Int, json: [String: Any], text: String)
        {
            var request = HTTPClientRequest(url: base + path)
            request.method = method
            if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            if let json {
                request.headers.add(name: "content-type", value: "application/json")
                request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: json)))
            }
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 4 << 20)
            let text = String(buffer: body)
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            return (Int(response.status.code), object, text)
        }
    }

    /// Starts the four processes on a fresh database and runs `body` with the two APIs and a database client.
    static func withCluster(_ body: ([API], PostgresClient) async throws -> Void) async throws {
        let database = try await TestCluster.shared.freshDatabase()
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("mvscale-\(UUID().uuidString.prefix(8))").path
        let environment = ["DATABASE_URL": database.urlString, "MOCK_VIDEO_DELAY_MIN": "0.2", "MOCK_VIDEO_DELAY_MAX": "0.4"]
        let config = ["--config", RepoPaths.configs + "/service.yaml", "--data-dir", data]
        var processes: [ServeProcess] = []
        defer {
            for process in processes where process.process.isRunning { kill(process.pid, SIGKILL) }
        }
        // The first instance migrates and writes the signing key and server secret the others then read.
        let first = try ServeProcess(arguments: ["serve", "--no-workers", "--port", "0"] + config, dataDirectory: data, name: "api1",
                                     environment: environment)
        processes.append(first)
        try await first.waitUntilReady()
        let second = try ServeProcess(arguments: ["serve", "--no-workers", "--port", "0"] + config, dataDirectory: data, name: "api2",
                                      environment: environment)
        processes.append(second)
        for name in ["worker1", "worker2"] {
            processes.append(try ServeProcess(arguments: ["worker"] + config, dataDirectory: data, name: name, environment: environment))
        }
        try await second.waitUntilReady()
        let apis = try [first, second].map { process in
            API(base: "http://127.0.0.1:\(try #require(process.port, "no port in \(process.log)"))")
        }
        let postgres = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: TestCluster.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            try await body(apis, postgres)
            group.cancelAll()
        }
        for process in processes { _ = try await process.stop(with: SIGTERM) }
    }

    /// Registers a user through `api`; returns (token, team id).
    static func register(_ api: API) async throws -> (token: String, team: String, user: String) {
        let reply = try await api.call(
            .POST, "/api/auth/register", json: ["email": "s\(UUID().uuidString.prefix(10))@example.com", "password": "scale-out-password"])
        #expect(reply.status == 201, "\(reply.text)")
        let team = try #require((reply.json["team"] as? [String: Any])?["id"] as? String)
        let user = try #require((reply.json["user"] as? [String: Any])?["id"] as? String)
        return (try #require(reply.json["access_token"] as? String), team, user)
    }

    static var clip: [String: Any] { ["prompt": "a neon koi", "duration": 4, "backend": "mock"] }

    @Test func twoAPIsAndTwoWorkersOnOneDatabaseStayExact() async throws {
        try await Self.withCluster { apis, postgres in
            let (a, b) = (apis[0], apis[1])
            let admin = try await Self.register(a)
            _ = try await postgres.query("UPDATE users SET is_platform_admin = true WHERE id = \(UUID(uuidString: admin.user)!)", logger: TestCluster.logger)
            let quote = try await a.call(.POST, "/api/mv/quote", token: admin.token, json: Self.clip.merging(["kind": "generate_video"]) { $1 })
            let price = try #require(quote.json["credits"] as? Int, "\(quote.text)")

            // 1. Credits: funded for exactly N jobs; 4N submits, each of 2N keys sent once to each instance.
            let n = 6
            let funded = try await Self.register(b)
            let granted = try await a.call(.POST, "/api/admin/teams/\(funded.team)/credits", token: admin.token, json: ["amount": n * price, "reason": "scale-out"])
            #expect(granted.status == 201, "\(granted.text)")
            let roomy = ["generate": ["capacity": 1000, "refill": 1000, "per_seconds": 1]]
            #expect(try await a.call(.PUT, "/api/admin/teams/\(funded.team)/rate_limits", token: admin.token, json: roomy).status == 200)
            let replies = try await withThrowingTaskGroup(of: (String, Int, String?).self) { group in
                for key in 0..<(2 * n) {
                    for api in [a, b] {
                        group.addTask {
                            let reply = try await api.call(
                                .POST, "/api/mv/generate_video", token: funded.token, json: Self.clip, headers: ["Idempotency-Key": "scale-\(key)"])
                            return ("scale-\(key)", reply.status, reply.json["id"] as? String)
                        }
                    }
                }
                var all: [(String, Int, String?)] = []
                for try await reply in group { all.append(reply) }
                return all
            }
            let admittedIDs = Set(replies.filter { $0.1 == 202 || $0.1 == 200 }.compactMap(\.2))
            #expect(admittedIDs.count == n, "admitted \(admittedIDs.count) of \(n) funded: \(replies.map(\.1))")
            #expect(replies.allSatisfy { [200, 202, 402, 409].contains($0.1) }, "\(replies.map(\.1))")
            // The same key on both instances never made two jobs.
            for key in Set(replies.map(\.0)) {
                #expect(Set(replies.filter { $0.0 == key }.compactMap(\.2)).count <= 1, "key \(key) made two jobs")
            }
            let jobsInDatabase = try await Self.scalar("SELECT count(*)::int FROM jobs WHERE team_id = \(UUID(uuidString: funded.team)!)", postgres)
            #expect(jobsInDatabase == n)

            // 2. SSE through an API instance (neither API runs jobs: the workers do): the stream ends with `done`.
            let watched = try #require(admittedIDs.first)
            let events = try await b.call(.GET, "/api/jobs/\(watched)/events", token: funded.token)
            #expect(events.status == 200 && events.text.contains("event: done"), "\(events.text.prefix(500))")

            // 3. Every job runs once, by one of the two workers.
            let deadline = ContinuousClock.now + .seconds(120)
            while try await Self.scalar("SELECT count(*)::int FROM jobs WHERE state <> 'succeeded' AND team_id = \(UUID(uuidString: funded.team)!)", postgres) > 0 {
                #expect(ContinuousClock.now < deadline, "jobs did not finish")
                guard ContinuousClock.now < deadline else { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await Self.scalar("SELECT count(*)::int FROM jobs WHERE attempts <> 1", postgres) == 0)
            #expect(try await Self.scalar("SELECT count(*)::int FROM assets WHERE kind = 'video'", postgres) == n)

            // 4. A generation bucket of 4 holds across both instances: 16 concurrent submits admit exactly 4.
            let limited = try await Self.register(a)
            _ = try await a.call(.POST, "/api/admin/teams/\(limited.team)/credits", token: admin.token, json: ["amount": 100 * price, "reason": "scale-out"])
            let tight = ["generate": ["capacity": 4, "refill": 1, "per_seconds": 86_400]]
            #expect(try await a.call(.PUT, "/api/admin/teams/\(limited.team)/rate_limits", token: admin.token, json: tight).status == 200)
            let bucketStatuses = try await Self.submitConcurrently(16, token: limited.token, apis: apis)
            #expect(bucketStatuses.filter { $0 == 202 }.count == 4, "\(bucketStatuses)")
            #expect(bucketStatuses.filter { $0 == 429 }.count == 12, "\(bucketStatuses)")

            // 5. A blocking daily quota of 3 jobs' worth of credits (set by a platform admin) holds across both instances.
            let quoted = try await Self.register(b)
            _ = try await a.call(.POST, "/api/admin/teams/\(quoted.team)/credits", token: admin.token, json: ["amount": 100 * price, "reason": "scale-out"])
            #expect(try await a.call(.PUT, "/api/admin/teams/\(quoted.team)/rate_limits", token: admin.token, json: roomy).status == 200)
            let quota = try await b.call(
                .POST, "/api/teams/\(quoted.team)/quotas", token: admin.token,
                json: ["subject": ["type": "team"], "period": "day", "limit": 3 * price, "action": "block"])
            #expect(quota.status == 201, "\(quota.text)")
            let quotaStatuses = try await Self.submitConcurrently(12, token: quoted.token, apis: apis)
            #expect(quotaStatuses.filter { $0 == 202 }.count == 3, "\(quotaStatuses)")

            // 6. The ledger's invariants hold after all of it.
            let violations = try await LedgerInvariants().violations(client: postgres, logger: TestCluster.logger)
            #expect(violations.isEmpty, "\(violations)")
        }
    }

    /// `count` concurrent submits without idempotency keys, alternating between the instances; their statuses.
    static func submitConcurrently(_ count: Int, token: String, apis: [API]) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<count {
                let api = apis[index % apis.count]
                group.addTask { try await api.call(.POST, "/api/mv/generate_video", token: token, json: Self.clip).status }
            }
            var statuses: [Int] = []
            for try await status in group { statuses.append(status) }
            return statuses
        }
    }

    static func scalar(_ query: PostgresQuery, _ postgres: PostgresClient) async throws -> Int {
        let rows = try await postgres.query(query, logger: TestCluster.logger)
        for try await value in rows.decode(Int.self) { return value }
        return -1
    }
}

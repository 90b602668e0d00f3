import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MVBilling
import MVTestSupport
import NIOCore
import NIOFoundationEssentialsCompat
import PostgresNIO
@testable import MVService

/// Runs `body` against a fully built application on a fresh database, then checks the ledger invariants. `transport`
/// `.live` serves on a real loopback socket (peer addresses exist); `.router` (the default) calls the router directly.
func withTestApp(
    _ configure: (inout AppConfig) -> Void = { _ in },
    checkInvariants: Bool = true,
    transport: TestingSetup = .router,
    _ body: @Sendable (TestClient, TestContext) async throws -> Void
) async throws {
    let database = try await TestCluster.shared.freshDatabase()
    var config = try AppConfig.test(database: database)
    configure(&config)
    let app = try await buildApplication(config)
    let context = TestContext(config: config, database: database)
    try await app.test(transport) { client in
        try await body(TestClient(client: client), context)
    }
    if checkInvariants {
        let violations = try await context.withPostgres { postgres in
            try await LedgerInvariants().violations(client: postgres, logger: TestCluster.logger)
        }
        if !violations.isEmpty {
            throw InvariantViolation(violations: violations)
        }
    }
}

struct InvariantViolation: Error, CustomStringConvertible {
    var violations: [String]
    var description: String { "ledger invariants violated:\n" + violations.joined(separator: "\n") }
}

/// Direct database access for assertions the API does not expose.
struct TestContext: Sendable {
    let config: AppConfig
    let database: DatabaseURL

    func withPostgres<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: database.clientConfiguration, backgroundLogger: TestCluster.logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            let value = try await body(client)
            group.cancelAll()
            return value
        }
    }

    func scalar<T: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: T.Type) async throws -> T? {
        try await withPostgres { client in
            let rows = try await client.query(query, logger: TestCluster.logger)
            for try await value in rows.decode(T.self) { return value }
            return nil
        }
    }
}

/// A JSON-speaking wrapper around the test client.
struct TestClient: Sendable {
    let client: any TestClientProtocol

    struct Reply: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: ByteBuffer

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
        }
        var text: String { String(buffer: body) }
        func header(_ name: String) -> String? { headers[HTTPFields.Element.Name(name)!] }
    }

    @discardableResult
    func request(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: [String: Any]? = nil,
        headers extra: [String: String] = [:], rawBody: ByteBuffer? = nil
    ) async throws -> Reply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer? = rawBody
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        }
        for (name, value) in extra { headers[HTTPFields.Element.Name(name)!] = value }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, body: response.body)
        }
    }

    /// A signed-up user with tokens and their personal team.
    struct Account: Sendable {
        var userID: String
        var teamID: String
        var accessToken: String
        var refreshToken: String
        var email: String
    }

    func register(_ email: String = "user-\(UUID().uuidString.prefix(8))@example.com", password: String = "correct horse battery") async throws -> Account {
        let reply = try await request(.post, "/api/auth/register", json: ["email": email, "password": password])
        guard reply.status == .created else { throw TestFailure("register failed: \(reply.status) \(reply.text)") }
        let json = reply.json
        let user = json["user"] as? [String: Any] ?? [:]
        let team = json["team"] as? [String: Any] ?? [:]
        return Account(
            userID: user["id"] as? String ?? "", teamID: team["id"] as? String ?? "",
            accessToken: json["access_token"] as? String ?? "", refreshToken: json["refresh_token"] as? String ?? "", email: email)
    }

    /// Grants credits to `teamID` through the admin API, as `admin`.
    func grant(_ amount: Int, to teamID: String, admin: Account) async throws {
        let reply = try await request(.post, "/api/admin/teams/\(teamID)/credits", token: admin.accessToken, json: ["amount": amount, "reason": "test"])
        guard reply.status == .created else { throw TestFailure("grant failed: \(reply.status) \(reply.text)") }
    }

    /// Polls a job until it reaches a final state (bounded).
    func waitForJob(_ id: String, token: String, timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let reply = try await request(.get, "/api/jobs/\(id)", token: token)
            let status = reply.json["status"] as? String ?? ""
            if ["succeeded", "failed", "canceled"].contains(status) { return reply.json }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("job \(id) did not finish within \(timeout)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension TestContext {
    /// Makes a platform admin directly in the database (as `mvservice admin create-user --platform-admin` would) and logs in.
    func makeAdmin(_ client: TestClient) async throws -> TestClient.Account {
        let account = try await client.register("admin-\(UUID().uuidString.prefix(8))@example.com")
        _ = try await withPostgres { postgres in
            try await postgres.query("UPDATE users SET is_platform_admin = true WHERE id = \(UUID(uuidString: account.userID)!)", logger: TestCluster.logger)
        }
        return account
    }
}

import Foundation
import MVAuth
import MVTestSupport
import PostgresNIO

/// The identity and refresh-token stores on one fresh database, with raw reads for assertions.
struct AuthFixture: Sendable {
    let postgres: PostgresClient
    var identities: PostgresIdentityStore { PostgresIdentityStore(client: postgres, logger: TestCluster.logger) }
    var refreshTokens: PostgresRefreshTokenStore { PostgresRefreshTokenStore(client: postgres, logger: TestCluster.logger) }

    /// A new user (with a placeholder hash) and their personal team.
    func makeUser(_ email: String = "user-\(UUID().uuidString.prefix(8))@example.com", name: String = "") async throws -> (User, Team) {
        try await identities.createUser(email: email, passwordHash: "$2b$10$placeholder", name: name, teamName: nil, isPlatformAdmin: false)
    }

    /// The single `bigint` a query returns.
    func count(_ query: PostgresQuery) async throws -> Int64 {
        let rows = try await postgres.query(query, logger: TestCluster.logger)
        for try await value in rows.decode(Int64.self) { return value }
        return -1
    }

    func execute(_ query: PostgresQuery) async throws {
        try await postgres.query(query, logger: TestCluster.logger)
    }
}

extension TestDatabase {
    /// Runs `body` with the auth stores on a fresh, migrated database.
    static func withAuth<T: Sendable>(_ body: (AuthFixture) async throws -> T) async throws -> T {
        try await withClient { postgres in try await body(AuthFixture(postgres: postgres)) }
    }
}

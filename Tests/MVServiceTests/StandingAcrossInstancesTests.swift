import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// Two service instances on one PostgreSQL, each caching standing in process: a change made through instance A
/// (demotion, removal, a disabled account, a revoked key) refuses the very next read through instance B, whose cache
/// had the old standing warm. Writes never reuse a cached standing at all.
struct StandingAcrossInstancesTests {
    /// Runs `body` with clients of two instances of the same configuration and database (a long TTL, so only the
    /// NOTIFY invalidation can make B forget).
    static func withTwoInstances(_ body: @escaping @Sendable (TestClient, TestClient, TestContext) async throws -> Void) async throws {
        try await withTestApp({ $0.auth.standingCacheTTL = .seconds(60) }) { a, context in
            let other = try await buildApplication(context.config)
            try await other.test(.router) { b in
                try await body(a, TestClient(client: b), context)
            }
        }
    }

    @Test func demotionThroughOneInstanceRefusesTheNextReadThroughTheOther() async throws {
        try await Self.withTwoInstances { a, b, _ in
            let crew = try await TeamsTests.crew(a)
            let audit = "/api/teams/\(crew.teamID)/audit"
            // B learns the admin's standing and caches it.
            for _ in 0..<2 { #expect(try await b.request(.get, audit, token: crew.admin.accessToken).status == .ok) }
            let demoted = try await a.request(
                .patch, "/api/teams/\(crew.teamID)/members/\(crew.admin.userID)", token: crew.owner.accessToken, json: ["role": "member"])
            #expect(demoted.status == .ok, "\(demoted.text)")
            #expect(try await b.request(.get, audit, token: crew.admin.accessToken).status == .forbidden)

            // Removal: the member's next read in the team through B is 404.
            let inTeam = ["X-MV-Team": crew.teamID]
            for _ in 0..<2 { #expect(try await b.request(.get, "/api/me", token: crew.member.accessToken, headers: inTeam).status == .ok) }
            let removed = try await a.request(
                .delete, "/api/teams/\(crew.teamID)/members/\(crew.member.userID)", token: crew.owner.accessToken)
            #expect(removed.status == .noContent, "\(removed.text)")
            #expect(try await b.request(.get, "/api/me", token: crew.member.accessToken, headers: inTeam).status == .notFound)
        }
    }

    @Test func aDisabledAccountIsRefusedOnTheNextReadThroughTheOtherInstance() async throws {
        try await Self.withTwoInstances { a, b, context in
            let platform = try await context.makeAdmin(a)
            let user = try await a.register()
            for _ in 0..<2 { #expect(try await b.request(.get, "/api/me", token: user.accessToken).status == .ok) }
            let disabled = try await a.request(.patch, "/api/admin/users/\(user.userID)", token: platform.accessToken, json: ["disabled": true])
            #expect(disabled.status == .ok, "\(disabled.text)")
            #expect(try await b.request(.get, "/api/me", token: user.accessToken).status == .unauthorized)
        }
    }

    @Test func aRevokedKeyIsRefusedOnTheNextReadThroughTheOtherInstance() async throws {
        try await Self.withTwoInstances { a, b, _ in
            let user = try await a.register()
            let created = try await a.request(.post, "/api/keys", token: user.accessToken, json: ["name": "ci", "scopes": ["read"]])
            #expect(created.status == .created, "\(created.text)")
            let key = try #require(created.json["key"] as? String)
            let keyID = try #require(created.json["id"] as? String)
            for _ in 0..<2 { #expect(try await b.request(.get, "/api/me", token: key).status == .ok) }
            #expect(try await a.request(.delete, "/api/keys/\(keyID)", token: user.accessToken).status == .noContent)
            #expect(try await b.request(.get, "/api/me", token: key).status == .unauthorized)
        }
    }
}

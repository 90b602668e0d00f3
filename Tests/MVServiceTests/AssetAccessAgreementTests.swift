import Foundation
import HTTPTypes
import MVAuth
import MVCore
import MVTestSupport
import PostgresNIO
import Testing
@testable import MVService

/// The Swift rule (``AssetAccess``) and the SQL rule (`asset_permission`, sql/011 + sql/012) decide the same, for
/// every viewer (token, or an API key of each of their teams) × every asset, over seeded random worlds of users,
/// roles, assets and grants. Lists and id routes use the SQL rule; routes reason with the Swift one: a disagreement
/// would be a leak or a wrong 403.
struct AssetAccessAgreementTests {
    /// A small deterministic generator (SplitMix64), so a failing world can be replayed from its seed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    struct World {
        var users: [UUID]
        var teams: [UUID]
        var memberships: [UUID: [UUID: TeamRole]] = [:]
        var assets: [(id: UUID, facts: AssetAccess.Facts)] = []
    }

    static func world(seed: UInt64) -> World {
        var random = Seeded(state: seed)
        var world = World(users: (0..<6).map { _ in UUID() }, teams: (0..<3).map { _ in UUID() })
        let roles: [TeamRole] = [.owner, .admin, .member, .viewer]
        for user in world.users {
            for team in world.teams where Int.random(in: 0..<3, using: &random) > 0 {
                world.memberships[user, default: [:]][team] = roles.randomElement(using: &random)
            }
        }
        for team in world.teams {
            let members = world.users.filter { world.memberships[$0]?[team] != nil }
            if let first = members.first, !members.contains(where: { world.memberships[$0]?[team] == .owner }) {
                world.memberships[first]?[team] = .owner  // a team keeps an owner (trigger of sql/008)
            }
        }
        for _ in 0..<14 {
            let owner = world.users.randomElement(using: &random)!
            let team = world.teams.randomElement(using: &random)!
            var grants: [AssetGrant] = []
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                let toTeam = Bool.random(using: &random)
                let id = toTeam ? world.teams.randomElement(using: &random)! : world.users.randomElement(using: &random)!
                guard !grants.contains(where: { $0.id == id }) else { continue }
                grants.append(AssetGrant(principal: toTeam ? .team : .user, id: id, permission: Bool.random(using: &random) ? .view : .edit))
            }
            world.assets.append((UUID(), AssetAccess.Facts(ownerID: owner, teamID: team, grants: grants)))
        }
        return world
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func swiftAndSQLDecideTheSame(seed: UInt64) async throws {
        let world = Self.world(seed: seed)
        try await withTestApp { _, context in
            try await context.withPostgres { postgres in
                let log = TestCluster.logger
                for user in world.users {
                    try await postgres.query(
                        "INSERT INTO users (id, email, password_hash) VALUES (\(user), \(user.uuidString + "@example.com"), 'x')", logger: log)
                }
                for team in world.teams {
                    try await postgres.query("INSERT INTO teams (id, name) VALUES (\(team), 'team')", logger: log)
                }
                let rows = world.memberships.flatMap { user, teams in teams.map { (team: $0.key, user: user, role: $0.value.rawValue) } }
                try await postgres.query("""
                    INSERT INTO memberships (team_id, user_id, role)
                    SELECT * FROM unnest(\(rows.map(\.team))::uuid[], \(rows.map(\.user))::uuid[], \(rows.map(\.role))::text[])
                    """, logger: log)
                for (id, facts) in world.assets {
                    try await postgres.query(
                        "INSERT INTO assets (id, kind, owner_id, team_id) VALUES (\(id), 'video', \(facts.ownerID), \(facts.teamID))", logger: log)
                    for grant in facts.grants {
                        try await postgres.query("""
                            INSERT INTO asset_grants (asset_id, principal_type, principal_id, permission)
                            VALUES (\(id), \(grant.principal.rawValue), \(grant.id), \(grant.permission.rawValue))
                            """, logger: log)
                    }
                }
                var compared = 0
                for user in world.users {
                    let memberships = world.memberships[user] ?? [:]
                    let viewers = [AssetViewer(userID: user)] + memberships.keys.map { AssetViewer(userID: user, scopeTeamID: $0) }
                    for viewer in viewers {
                        let rows = try await postgres.query("""
                            SELECT a.id, \(permissionOf: viewer) FROM assets a
                            """, logger: log)
                        var sql: [UUID: AssetPermission] = [:]
                        for try await (id, permission) in rows.decode((UUID, AssetPermission).self) { sql[id] = permission }
                        for (id, facts) in world.assets {
                            let swift = AssetAccess.permission(of: viewer, memberships: memberships, asset: facts)
                            #expect(sql[id] == swift, "seed \(seed): viewer \(viewer) on asset \(facts): SQL \(String(describing: sql[id])), Swift \(swift)")
                            compared += 1
                        }
                    }
                }
                #expect(compared > 100)
            }
        }
    }
}

import Foundation
import Testing
@testable import MVAuth

/// The role matrix of API.md, written out here cell by cell, against the one decision function.
struct AuthorizationMatrixTests {
    /// Expected: the roles that may perform each action (viewer, member, admin, owner).
    static let expected: [TeamAction: Set<TeamRole>] = [
        .readTeam: [.viewer, .member, .admin, .owner],
        .readBalance: [.viewer, .member, .admin, .owner],
        .generate: [.member, .admin, .owner],
        .manageOwnAssets: [.member, .admin, .owner],
        .manageOwnKeys: [.member, .admin, .owner],
        .manageTeamKeys: [.admin, .owner],
        .updateTeam: [.admin, .owner],
        .manageMembers: [.admin, .owner],
        .manageQuotas: [.admin, .owner],
        .manageWebhooks: [.admin, .owner],
        .readLedger: [.admin, .owner],
        .readAudit: [.admin, .owner],
        .manageOwners: [.owner],
    ]

    @Test func everyActionIsInTheMatrix() {
        #expect(Set(TeamAction.allCases) == Set(Self.expected.keys))
    }

    @Test(arguments: TeamAction.allCases, TeamRole.allCases)
    func roleCell(action: TeamAction, role: TeamRole) {
        #expect(Authorization.allows(role, action) == Self.expected[action]?.contains(role), "\(role) \(action)")
    }

    /// A key narrows, never widens: the cell is allowed only when the role allows it AND a scope covers it.
    @Test(arguments: TeamAction.allCases, KeyScope.allCases)
    func keyScopeCellForAnOwner(action: TeamAction, scope: KeyScope) {
        let principal = Principal(
            userID: .init(), email: "o@example.com", isPlatformAdmin: false, teamID: .init(), role: .owner, apiKeyID: .init(),
            keyScopes: [scope])
        let needed: KeyScope? = switch action {
        case .readTeam, .readBalance: .read
        case .generate, .manageOwnAssets: .generate
        case .manageOwnKeys: nil
        default: .admin
        }
        let allowed = needed.map { scope >= $0 } ?? false
        #expect(Authorization.allows(principal, action) == allowed, "\(scope) key, \(action)")
    }

    @Test(arguments: KeyScope.allCases)
    func aKeyNeverWidensItsCreatorsRole(scope: KeyScope) {
        let viewer = Principal(
            userID: .init(), email: "v@example.com", isPlatformAdmin: false, teamID: .init(), role: .viewer, apiKeyID: .init(),
            keyScopes: Set(KeyScope.allCases))
        #expect(!Authorization.allows(viewer, .generate))
        #expect(!Authorization.allows(viewer, .readLedger))
        #expect(Authorization.allows(viewer, .readTeam))
    }

    /// Member management: admins manage admins, members and viewers; only owners touch owners or make new ones.
    @Test(arguments: TeamRole.allCases)
    func memberManagementCells(actor: TeamRole) {
        let targets: [TeamRole?] = [nil] + TeamRole.allCases.map { $0 }
        let outcomes: [TeamRole?] = [nil] + TeamRole.allCases.map { $0 }
        for target in targets {
            for outcome in outcomes where !(target == nil && outcome == nil) {
                let touchesOwner = target == .owner || outcome == .owner
                let expected = actor == .owner || (actor == .admin && !touchesOwner)
                #expect(
                    Authorization.canManage(actor: actor, target: target, to: outcome) == expected,
                    "\(actor) changing \(target?.rawValue ?? "new") to \(outcome?.rawValue ?? "removed")")
            }
        }
    }
}

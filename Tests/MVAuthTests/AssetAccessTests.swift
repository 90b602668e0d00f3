import Foundation
import MVAuth
import Testing

/// ``AssetAccess`` as a table: who gets which permission, and what each permission (and key scope) allows.
struct AssetAccessTests {
    let owner = UUID()
    let team = UUID()
    let friends = UUID()
    let user = UUID()

    private func permission(_ memberships: [UUID: TeamRole], grants: [AssetGrant] = [], as caller: UUID? = nil) -> AssetPermission {
        AssetAccess.permission(of: caller ?? user, memberships: memberships, asset: .init(ownerID: owner, teamID: team, grants: grants))
    }

    @Test func permissionFollowsOwnershipTeamRoleAndGrants() {
        #expect(permission([:], as: owner) == .manage)
        #expect(permission([team: .owner]) == .manage)
        #expect(permission([team: .admin]) == .manage)
        #expect(permission([team: .member]) == .none)
        #expect(permission([team: .viewer]) == .none)
        #expect(permission([:]) == .none)
        #expect(permission([:], grants: [AssetGrant(principal: .user, id: user, permission: .view)]) == .view)
        #expect(permission([:], grants: [AssetGrant(principal: .user, id: user, permission: .edit)]) == .edit)
        #expect(permission([:], grants: [AssetGrant(principal: .user, id: UUID(), permission: .edit)]) == .none)
        #expect(permission([friends: .viewer], grants: [AssetGrant(principal: .team, id: friends, permission: .edit)]) == .edit)
        #expect(permission([:], grants: [AssetGrant(principal: .team, id: friends, permission: .edit)]) == .none, "left the team")
        #expect(
            permission(
                [friends: .member],
                grants: [AssetGrant(principal: .user, id: user, permission: .view), AssetGrant(principal: .team, id: friends, permission: .edit)])
                == .edit, "the best grant wins")
    }

    @Test func actionsNeedTheirPermissionAndKeyScope() {
        let token = Principal(userID: user, email: "a@example.com", isPlatformAdmin: false, teamID: team, role: .member)
        var readKey = token
        readKey.apiKeyID = UUID()
        readKey.keyScopes = [.read]
        let table: [(AssetPermission, [AssetAction: Bool])] = [
            (.none, [.read: false, .edit: false, .share: false, .changeGrants: false, .delete: false]),
            (.view, [.read: true, .edit: false, .share: false, .changeGrants: false, .delete: false]),
            (.edit, [.read: true, .edit: true, .share: true, .changeGrants: true, .delete: true]),
            (.manage, [.read: true, .edit: true, .share: true, .changeGrants: true, .delete: true]),
        ]
        for (permission, expected) in table {
            for (action, allowed) in expected {
                #expect(AssetAccess.allows(token, action, permission: permission) == allowed, "\(permission) \(action)")
                #expect(AssetAccess.allows(readKey, action, permission: permission) == (allowed && action == .read), "read key \(permission) \(action)")
            }
        }
        #expect(AssetAccess.canRead(token, permission: .view) && !AssetAccess.canEdit(token, permission: .view))
        #expect(AssetAccess.canShare(token, permission: .edit) && AssetAccess.canDelete(token, permission: .edit))
    }
}

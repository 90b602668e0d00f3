import Foundation

/// The one access decision for assets (videos, images, uploads, scene sets), as data like ``Authorization``.
///
/// | who | permission |
/// |---|---|
/// | the asset's owner | manage |
/// | owners and admins of the asset's team (their role now) | manage |
/// | a user with an `edit` grant, or a current member of a team with one | edit |
/// | a user with a `view` grant, or a current member of a team with one | view |
/// | anyone else | none (404) |
///
/// | action | needs | API-key scope |
/// |---|---|---|
/// | read | view | read |
/// | edit (title, tags), share, change grants, delete/restore | edit | generate |
///
/// Through an API key the view narrows to the key's team (``AssetViewer``): that team's assets, and others only
/// through a grant to that team.
///
/// The database holds the same rule as the SQL function `asset_permission(owner, team, asset, user, key team)`
/// (sql/011, narrowed by sql/012), which
/// every id route and every list query filters with, so a page can neither leak nor skip what this function would
/// decide. Routes read the permission from that function and ask ``allows(_:_:permission:)``: `none` → 404, a lower
/// permission → 403.
public enum AssetAccess {
    /// The least permission each action needs.
    public static let minimumPermission: [AssetAction: AssetPermission] = [
        .read: .view,
        .edit: .edit,
        .share: .edit,
        .changeGrants: .edit,
        .delete: .edit,
    ]

    /// The scope an API key needs for each action.
    public static let requiredScope: [AssetAction: KeyScope] = [
        .read: .read,
        .edit: .generate,
        .share: .generate,
        .changeGrants: .generate,
        .delete: .generate,
    ]

    /// The permission `viewer` has on `asset`, given the user's current team roles (`memberships`: team → role).
    ///
    /// Through an API key (``AssetViewer/scopeTeamID`` set) an asset of another team counts only through a grant to the
    /// key's team; the asset's own team is decided as for a token.
    /// - Parameters:
    ///   - viewer: The caller, narrowed to a team for API keys.
    ///   - memberships: The caller's teams and roles, as they are now.
    ///   - asset: The asset's owner, team and grants.
    public static func permission(of viewer: AssetViewer, memberships: [UUID: TeamRole], asset: Facts) -> AssetPermission {
        if let scope = viewer.scopeTeamID, scope != asset.teamID {
            guard memberships[scope] != nil else { return .none }
            return asset.grants.filter { $0.principal == .team && $0.id == scope }.map(\.permission.permission).max() ?? .none
        }
        return permission(of: viewer.userID, memberships: memberships, asset: asset)
    }

    /// The permission `userID` has on `asset` through a token (no key narrowing), given the user's current team
    /// roles (`memberships`: team → role).
    /// - Parameters:
    ///   - userID: The caller.
    ///   - memberships: The caller's teams and roles, as they are now.
    ///   - asset: The asset's owner, team and grants.
    public static func permission(of userID: UUID, memberships: [UUID: TeamRole], asset: Facts) -> AssetPermission {
        if asset.ownerID == userID { return .manage }
        if let role = memberships[asset.teamID], role >= .admin { return .manage }
        var best = AssetPermission.none
        for grant in asset.grants {
            let applies = switch grant.principal {
            case .user: grant.id == userID
            case .team: memberships[grant.id] != nil
            }
            if applies { best = max(best, grant.permission.permission) }
        }
        return best
    }

    /// Whether `principal` may perform `action` on an asset where its permission is `permission`, narrowed by an API
    /// key's scopes when the request came with one.
    public static func allows(_ principal: Principal, _ action: AssetAction, permission: AssetPermission) -> Bool {
        guard let minimum = minimumPermission[action], permission >= minimum else { return false }
        guard let scopes = principal.keyScopes else { return true }
        guard let needed = requiredScope[action] else { return false }
        return scopes.contains { $0 >= needed }
    }

    /// Whether the asset is visible at all (anything else is answered 404).
    public static func canRead(_ principal: Principal, permission: AssetPermission) -> Bool {
        allows(principal, .read, permission: permission)
    }

    /// Whether `principal` may rename or tag the asset.
    public static func canEdit(_ principal: Principal, permission: AssetPermission) -> Bool {
        allows(principal, .edit, permission: permission)
    }

    /// Whether `principal` may create or revoke share links and change the access list.
    public static func canShare(_ principal: Principal, permission: AssetPermission) -> Bool {
        allows(principal, .share, permission: permission)
    }

    /// Whether `principal` may delete (and restore) the asset.
    public static func canDelete(_ principal: Principal, permission: AssetPermission) -> Bool {
        allows(principal, .delete, permission: permission)
    }

    /// What ``permission(of:memberships:asset:)`` needs to know about an asset.
    public struct Facts: Sendable, Equatable {
        /// The user who created it.
        public var ownerID: UUID
        /// The team it belongs to.
        public var teamID: UUID
        /// Its access list.
        public var grants: [AssetGrant]

        /// Creates the facts.
        public init(ownerID: UUID, teamID: UUID, grants: [AssetGrant]) {
            self.ownerID = ownerID
            self.teamID = teamID
            self.grants = grants
        }
    }
}

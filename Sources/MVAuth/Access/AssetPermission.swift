import Foundation

/// What a user may do with one asset, from least to most. Computed per request by ``AssetAccess/permission(of:memberships:asset:)``
/// (and by the SQL function `asset_permission`, the same rule, which every id route and list uses).
public enum AssetPermission: String, Codable, Sendable, CaseIterable, Comparable {
    /// Not visible: the routes answer 404.
    case none
    /// Read metadata and content (a `view` grant).
    case view
    /// Also rename, tag, share, change grants and delete (an `edit` grant).
    case edit
    /// Everything: the owner, and the owners and admins of the asset's team.
    case manage

    private var rank: Int {
        switch self {
        case .none: 0
        case .view: 1
        case .edit: 2
        case .manage: 3
        }
    }

    public static func < (lhs: AssetPermission, rhs: AssetPermission) -> Bool { lhs.rank < rhs.rank }
}

/// A permission a grant can give: never more than ``edit``.
public enum GrantPermission: String, Codable, Sendable, CaseIterable {
    /// Read only.
    case view
    /// Read, rename, tag, share, change grants, delete.
    case edit

    /// The asset permission this grant gives.
    public var permission: AssetPermission {
        switch self {
        case .view: .view
        case .edit: .edit
        }
    }
}

/// Who a grant is for.
public enum GrantPrincipalType: String, Codable, Sendable, CaseIterable {
    /// One user.
    case user
    /// Every current member of a team (any role).
    case team
}

/// One row of an asset's access list.
public struct AssetGrant: Sendable, Equatable, Hashable, Codable {
    /// Whether ``id`` names a user or a team.
    public var principal: GrantPrincipalType
    /// The user or team.
    public var id: UUID
    /// What the grant gives.
    public var permission: GrantPermission

    /// Creates a grant.
    public init(principal: GrantPrincipalType, id: UUID, permission: GrantPermission) {
        self.principal = principal
        self.id = id
        self.permission = permission
    }
}

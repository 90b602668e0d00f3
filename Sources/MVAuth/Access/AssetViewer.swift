import Foundation

/// Who looks at assets: a user, narrowed to one team when the request came with an API key.
///
/// A key acts for the team it was made in, so through a key a user sees that team's assets and the assets granted
/// to that team, and nothing else of theirs (their own assets in other teams, grants to them personally, grants to
/// their other teams). Tokens (frontends) keep the user's whole view. ``AssetAccess/permission(of:memberships:asset:)``
/// and the SQL function `asset_permission(owner, team, asset, user, scope_team)` (sql/012) apply the same narrowing.
public struct AssetViewer: Sendable, Equatable {
    /// The acting user.
    public var userID: UUID
    /// The team an API key is bound to; nil for tokens.
    public var scopeTeamID: UUID?

    /// Creates a viewer.
    /// - Parameters:
    ///   - userID: The acting user.
    ///   - scopeTeamID: The key's team, nil for tokens.
    public init(userID: UUID, scopeTeamID: UUID? = nil) {
        self.userID = userID
        self.scopeTeamID = scopeTeamID
    }
}

extension Principal {
    /// Whose view of the assets this request has: the user's, narrowed to ``teamID`` for API keys.
    public var assetViewer: AssetViewer {
        AssetViewer(userID: userID, scopeTeamID: apiKeyID == nil ? nil : teamID)
    }
}

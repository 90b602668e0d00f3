import Foundation

/// What a request acts as, resolved per request in ONE query by ``IdentityStore/principal(userID:teamID:)``:
/// an enabled user acting in one team they belong to, with their role there.
public struct Principal: Sendable, Equatable {
    /// The acting user.
    public var userID: UUID
    /// The acting user's e-mail (for logs and audit).
    public var email: String
    /// Whether the user is a platform operator.
    public var isPlatformAdmin: Bool
    /// The team the request acts for.
    public var teamID: UUID
    /// The user's role in ``teamID``.
    public var role: TeamRole
    /// The API key the request authenticated with, if any.
    public var apiKeyID: UUID?
    /// The key's scopes when ``apiKeyID`` is set; nil for tokens (the role alone decides).
    public var keyScopes: Set<KeyScope>?

    /// Creates a principal.
    /// - Parameters:
    ///   - userID: The acting user.
    ///   - email: The user's e-mail.
    ///   - isPlatformAdmin: Whether the user is a platform operator.
    ///   - teamID: The team acted for.
    ///   - role: The user's role in that team.
    ///   - apiKeyID: The API key used, if any.
    ///   - keyScopes: That key's scopes.
    public init(
        userID: UUID, email: String, isPlatformAdmin: Bool, teamID: UUID, role: TeamRole, apiKeyID: UUID? = nil,
        keyScopes: Set<KeyScope>? = nil
    ) {
        self.apiKeyID = apiKeyID
        self.keyScopes = keyScopes
        self.userID = userID
        self.email = email
        self.isPlatformAdmin = isPlatformAdmin
        self.teamID = teamID
        self.role = role
    }
}

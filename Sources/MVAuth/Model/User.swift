import Foundation

/// A user account. Never carries the password hash.
public struct User: Codable, Sendable, Equatable {
    /// Primary key.
    public var id: UUID
    /// The e-mail address as typed at registration (trimmed); unique regardless of case.
    public var email: String
    /// Display name; may be empty.
    public var name: String
    /// Platform operators may act across teams in admin routes.
    public var isPlatformAdmin: Bool
    /// A disabled user cannot log in, refresh or use access tokens.
    public var disabled: Bool
    /// The team requests act for when no team is selected.
    public var defaultTeamID: UUID?
    /// When the account was created.
    public var createdAt: Date

    /// Creates a user value.
    /// - Parameters:
    ///   - id: Primary key.
    ///   - email: E-mail address.
    ///   - name: Display name.
    ///   - isPlatformAdmin: Whether the user is a platform operator.
    ///   - disabled: Whether the account is locked.
    ///   - defaultTeamID: The default team, if any.
    ///   - createdAt: Creation time.
    public init(
        id: UUID,
        email: String,
        name: String,
        isPlatformAdmin: Bool,
        disabled: Bool,
        defaultTeamID: UUID?,
        createdAt: Date
    ) {
        self.id = id
        self.email = email
        self.name = name
        self.isPlatformAdmin = isPlatformAdmin
        self.disabled = disabled
        self.defaultTeamID = defaultTeamID
        self.createdAt = createdAt
    }
}

import Foundation

/// An API key as its creator and the team's admins see it: never the secret, only its ``prefix``.
public struct APIKey: Sendable, Equatable, Codable {
    /// The key's id.
    public var id: UUID
    /// What its creator called it.
    public var name: String
    /// `mvk_` and the next 8 characters of the secret.
    public var prefix: String
    /// What it may do, narrowing its creator's role.
    public var scopes: [KeyScope]
    /// The one team it acts in.
    public var teamId: UUID
    /// Its creator, whose current role it never exceeds.
    public var userId: UUID
    /// When it was created.
    public var createdAt: Date
    /// When it was last used (written at most once a minute).
    public var lastUsedAt: Date?
    /// When it stops working, if ever.
    public var expiresAt: Date?

    /// Creates a key description.
    public init(
        id: UUID, name: String, prefix: String, scopes: [KeyScope], teamId: UUID, userId: UUID, createdAt: Date,
        lastUsedAt: Date?, expiresAt: Date?
    ) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.scopes = scopes
        self.teamId = teamId
        self.userId = userId
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }
}

/// Refusals of API-key management that are not authorization decisions.
public enum APIKeyError: Error, Sendable, Equatable {
    /// No such (live) key visible to the caller.
    case notFound
    /// A request field failed validation.
    case invalidInput(field: String, message: String)
}

import Foundation

/// Persistence of users, teams and memberships.
///
/// ```swift
/// let store = PostgresIdentityStore(client: postgres, logger: logger)
/// let (user, team) = try await store.createUser(
///     email: "ada@example.com", passwordHash: hash, name: "Ada", teamName: nil, isPlatformAdmin: false)
/// let principal = try await store.principal(userID: user.id, teamID: nil)   // acts in `team`
/// ```
public protocol IdentityStore: Sendable {
    /// Creates a user, their personal team (named `teamName`, or "<name or email>'s team"), an owner
    /// membership, and sets the user's default team — atomically.
    /// - Parameters:
    ///   - email: The address; trimmed and shape-checked with ``EmailAddress/normalize(_:)``.
    ///   - passwordHash: A bcrypt hash from ``PasswordHasher``.
    ///   - name: Display name (trimmed, at most 200 characters).
    ///   - teamName: Name for the personal team (trimmed, 1...200 characters), or `nil` for the default.
    ///   - isPlatformAdmin: Whether the user is a platform operator.
    /// - Returns: The new user (with ``User/defaultTeamID`` set) and team.
    /// - Throws: ``AuthError/emailTaken`` (case-insensitive duplicate), ``AuthError/invalidInput(field:message:)``,
    ///   or a database error.
    func createUser(
        email: String,
        passwordHash: String,
        name: String,
        teamName: String?,
        isPlatformAdmin: Bool
    ) async throws -> (User, Team)

    /// Looks a user up by id.
    /// - Parameter id: The user id.
    /// - Returns: The user, or `nil`.
    func user(id: UUID) async throws -> User?

    /// Looks a user up by e-mail, case-insensitively, for login.
    /// - Parameter email: The address as typed (it is trimmed).
    /// - Returns: The user and their bcrypt hash, or `nil`.
    func userWithPasswordHash(email: String) async throws -> (User, String)?

    /// All teams the user belongs to, personal team first, then by creation.
    /// - Parameter userID: The user id.
    /// - Returns: The memberships (empty for an unknown user).
    func memberships(userID: UUID) async throws -> [Membership]

    /// One query: the user (must exist and not be disabled) and their role in `teamID` (or their
    /// default team when `nil`).
    /// - Parameters:
    ///   - userID: The user id (e.g. a token's `sub`).
    ///   - teamID: The requested team (`X-MV-Team`), or `nil` for the default team.
    /// - Returns: `nil` when the user is unknown, disabled, or not a member of the requested team.
    func principal(userID: UUID, teamID: UUID?) async throws -> Principal?

    /// Enables or disables a user. Disabling also revokes all of the user's refresh tokens.
    /// - Parameters:
    ///   - userID: The user id.
    ///   - disabled: The new state.
    /// - Throws: ``AuthError/notFound`` for an unknown user.
    func setDisabled(userID: UUID, disabled: Bool) async throws

    /// Grants or removes platform-operator rights.
    /// - Parameters:
    ///   - userID: The user id.
    ///   - isAdmin: The new state.
    /// - Throws: ``AuthError/notFound`` for an unknown user.
    func setPlatformAdmin(userID: UUID, isAdmin: Bool) async throws

    /// Looks a team up by id.
    /// - Parameter id: The team id.
    /// - Returns: The team, or `nil`.
    func team(id: UUID) async throws -> Team?
}

import Foundation

/// Opaque refresh tokens with rotation and reuse detection.
///
/// Tokens look like `mvr_<43 base64url chars>` (32 random bytes) and are stored only as SHA-256 digests.
/// Every login starts a family; each refresh uses up the presented token and issues its successor in the
/// same family. Presenting a used token again revokes the whole family.
///
/// ```swift
/// let refresh = try await store.issue(userID: user.id, familyID: nil)         // login
/// let (userID, next) = try await store.rotate(refresh)                         // POST /api/auth/refresh
/// try await store.revokeFamily(of: next)                                       // logout
/// ```
public protocol RefreshTokenStore: Sendable {
    /// Issues a new refresh token.
    /// - Parameters:
    ///   - userID: The token's owner (must exist).
    ///   - familyID: The family to join, or `nil` to start a new one (login).
    /// - Returns: The token string to hand to the client; it is not stored in clear.
    func issue(userID: UUID, familyID: UUID?) async throws -> String

    /// Rotates a refresh token in one transaction (`SELECT ... FOR UPDATE` on the token row).
    /// - Parameter token: The presented token.
    /// - Returns: The owner and the successor token.
    /// - Throws: ``AuthError/invalidToken`` (unknown, malformed, expired or revoked);
    ///   ``AuthError/refreshTokenReused`` (already used — the family's revocation is committed before throwing);
    ///   ``AuthError/userDisabled``.
    func rotate(_ token: String) async throws -> (userID: UUID, token: String)

    /// Revokes the family of this token (logout). An unknown or malformed token is not an error.
    /// - Parameter token: The presented token.
    func revokeFamily(of token: String) async throws
}

import Foundation
import Logging
import MVCore
import PostgresNIO

/// ``RefreshTokenStore`` on PostgreSQL (table `refresh_tokens`, schema `sql/001_identity.sql`).
public struct PostgresRefreshTokenStore: RefreshTokenStore {
    let client: PostgresClient
    let logger: Logger
    /// Lifetime of each issued token in seconds (sliding: every successor gets a full lifetime).
    let ttlSeconds: Double

    /// Creates the store.
    /// - Parameters:
    ///   - client: A running (or soon running) client; the store never closes it.
    ///   - logger: Logger for query diagnostics.
    ///   - ttl: Lifetime of each issued token (default 30 days); values below one second become one second.
    public init(client: PostgresClient, logger: Logger, ttl: Duration = .seconds(30 * 86400)) {
        self.client = client
        self.logger = logger
        self.ttlSeconds = max(1, ttl.seconds)
    }

    /// See ``RefreshTokenStore/issue(userID:familyID:)``. `expires_at` comes from the database clock.
    public func issue(userID: UUID, familyID: UUID?) async throws -> String {
        let token = RefreshTokenCodec.generate()
        guard let digest = RefreshTokenCodec.digest(of: token) else {
            throw CorruptRowError(description: "generated refresh token failed its own format check")
        }
        try await client.query(
            """
            INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at)
            VALUES (\(UUID()), \(familyID ?? UUID()), \(userID), \(digest), now() + make_interval(secs => \(ttlSeconds)))
            """,
            logger: logger
        )
        return token
    }

    /// See ``RefreshTokenStore/rotate(_:)``.
    ///
    /// Two concurrent rotations of one token serialise on the row lock; the second sees `used_at` set and is
    /// treated as reuse (the family is revoked). The outcome is decided inside the transaction and thrown only
    /// after it commits, so a reuse revocation is never rolled back.
    public func rotate(_ token: String) async throws -> (userID: UUID, token: String) {
        guard let digest = RefreshTokenCodec.digest(of: token) else { throw AuthError.invalidToken }
        let successor = RefreshTokenCodec.generate()
        guard let successorDigest = RefreshTokenCodec.digest(of: successor) else {
            throw CorruptRowError(description: "generated refresh token failed its own format check")
        }
        let outcome: RotationOutcome
        do {
            outcome = try await client.withTransaction(logger: logger) { connection in
                try await Self.rotate(
                    digest: digest, successorDigest: successorDigest, ttlSeconds: ttlSeconds,
                    on: connection, logger: logger
                )
            }
        } catch {
            throw PostgresErrors.unwrap(error)
        }
        switch outcome {
        case .rotated(let userID): return (userID, successor)
        case .invalid: throw AuthError.invalidToken
        case .reused: throw AuthError.refreshTokenReused
        case .disabled: throw AuthError.userDisabled
        }
    }

    /// See ``RefreshTokenStore/revokeFamily(of:)``.
    public func revokeFamily(of token: String) async throws {
        guard let digest = RefreshTokenCodec.digest(of: token) else { return }
        try await client.query(
            """
            UPDATE refresh_tokens SET revoked_at = now()
            WHERE family_id = (SELECT family_id FROM refresh_tokens WHERE token_hash = \(digest))
              AND revoked_at IS NULL
            """,
            logger: logger
        )
    }
}

extension PostgresRefreshTokenStore {
    /// What a rotation decided; errors are thrown only after the transaction has committed.
    enum RotationOutcome: Sendable {
        case rotated(UUID)
        case invalid
        case reused
        case disabled
    }

    /// The body of the rotation transaction.
    static func rotate(
        digest: Data,
        successorDigest: Data,
        ttlSeconds: Double,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> RotationOutcome {
        let rows = try await connection.query(
            """
            SELECT r.id, r.family_id, r.user_id, r.used_at IS NOT NULL, r.revoked_at IS NOT NULL,
                   r.expires_at > now(), u.disabled
            FROM refresh_tokens r JOIN users u ON u.id = r.user_id
            WHERE r.token_hash = \(digest)
            FOR UPDATE OF r
            """,
            logger: logger
        )
        var found: (UUID, UUID, UUID, Bool, Bool, Bool, Bool)?
        for try await row in rows.decode((UUID, UUID, UUID, Bool, Bool, Bool, Bool).self) { found = row }
        guard let (tokenID, familyID, userID, used, revoked, live, disabled) = found, !revoked else {
            return .invalid
        }
        if used {
            try await connection.query(
                "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = \(familyID) AND revoked_at IS NULL",
                logger: logger
            )
            return .reused
        }
        guard live else { return .invalid }
        guard !disabled else { return .disabled }
        try await connection.query(
            """
            WITH used AS (
                UPDATE refresh_tokens SET used_at = now() WHERE id = \(tokenID)
            )
            INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at)
            VALUES (\(UUID()), \(familyID), \(userID), \(successorDigest), now() + make_interval(secs => \(ttlSeconds)))
            """,
            logger: logger
        )
        return .rotated(userID)
    }
}

import Foundation
import Logging
import MVCore
import PostgresNIO

/// API keys on PostgreSQL (`sql/008_api_keys_identity_providers.sql`). A key is stored as the HMAC-SHA256 of its
/// secret under the ``ServerSecret``; verifying one is a single indexed lookup that also reads its creator's current
/// standing, so a demoted, removed or disabled creator changes what the key may do on the very next request.
/// Authorization (who may create, list or revoke) is the caller's job, through ``Authorization``.
public struct APIKeyStore: Sendable {
    /// The longest key name accepted.
    public static let maximumNameLength = 100
    /// How often `last_used_at` is written at most, per key.
    public static let lastUsedResolution = 60

    let client: PostgresClient
    let secret: ServerSecret
    let audit: AuditLog
    let logger: Logger

    /// Creates the store.
    public init(client: PostgresClient, secret: ServerSecret, logger: Logger) {
        self.client = client
        self.secret = secret
        self.audit = AuditLog(logger: logger)
        self.logger = logger
    }

    /// Creates a key for `actor` in `teamID` and records `key.created`, in one transaction.
    /// - Returns: The key and its secret, which is never shown again.
    /// - Throws: ``APIKeyError/invalidInput(field:message:)`` (name, scopes, expires_at), ``APIKeyError/notFound`` when the
    ///   creator is not a member of the team.
    public func create(
        teamID: UUID, name: String, scopes: [KeyScope], expiresAt: Date?, by actor: AuditEvent.Actor, now: Date = Date()
    ) async throws -> (APIKey, APIKeySecret) {
        guard let userID = actor.userID else { throw APIKeyError.notFound }
        // Counted as sent (Unicode scalars, before trimming), as the OpenAPI document's maxLength counts.
        guard name.unicodeScalars.count <= Self.maximumNameLength else {
            throw APIKeyError.invalidInput(field: "name", message: "must be 1 to \(Self.maximumNameLength) characters")
        }
        let name = name.trimmingWhitespaceAndNewlines()
        guard !name.isEmpty else {
            throw APIKeyError.invalidInput(field: "name", message: "must be 1 to \(Self.maximumNameLength) characters")
        }
        let scopes = KeyScope.allCases.filter(scopes.contains)
        guard !scopes.isEmpty else { throw APIKeyError.invalidInput(field: "scopes", message: "name at least one of read, generate, admin") }
        if let expiresAt, expiresAt <= now { throw APIKeyError.invalidInput(field: "expires_at", message: "must be in the future") }
        let key = APIKeySecret.generate()
        let id = UUID()
        let rawScopes = scopes.map(\.rawValue)
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                INSERT INTO api_keys (id, team_id, user_id, name, prefix, secret_hash, scopes, expires_at)
                SELECT \(id), \(teamID), \(userID), \(name), \(key.prefix), \(secret.mac(key.text)), \(rawScopes), \(expiresAt)
                WHERE EXISTS (SELECT 1 FROM memberships WHERE team_id = \(teamID) AND user_id = \(userID))
                RETURNING created_at
                """, logger: logger)
            var created: Date?
            for try await value in rows.decode(Date.self) { created = value }
            guard let created else { throw APIKeyError.notFound }
            try await audit.record(
                AuditEvent(.keyCreated, by: actor, teamID: teamID, target: .init(type: "api_key", id: id.lowercased),
                    detail: ["name": .string(name), "prefix": .string(key.prefix), "scopes": .array(rawScopes.map(JSONValue.string))]),
                on: connection)
            let description = APIKey(
                id: id, name: name, prefix: key.prefix, scopes: scopes, teamId: teamID, userId: userID, createdAt: created,
                lastUsedAt: nil, expiresAt: expiresAt)
            return (description, key)
        }
    }

    /// The live (not revoked) keys of `teamID`, newest first; only `userID`'s when given.
    public func list(teamID: UUID, userID: UUID?) async throws -> [APIKey] {
        let rows = try await client.query("""
            SELECT id, name, prefix, scopes, team_id, user_id, created_at, last_used_at, expires_at
            FROM api_keys
            WHERE team_id = \(teamID) AND revoked_at IS NULL AND (\(userID)::uuid IS NULL OR user_id = \(userID)::uuid)
            ORDER BY created_at DESC, id
            LIMIT 1000
            """, logger: logger)
        var keys: [APIKey] = []
        for try await row in rows.decode((UUID, String, String, [String], UUID, UUID, Date, Date?, Date?).self) {
            keys.append(try Self.key(row))
        }
        return keys
    }

    /// The live key `id`, or nil.
    public func key(id: UUID) async throws -> APIKey? {
        let rows = try await client.query("""
            SELECT id, name, prefix, scopes, team_id, user_id, created_at, last_used_at, expires_at
            FROM api_keys WHERE id = \(id) AND revoked_at IS NULL
            """, logger: logger)
        for try await row in rows.decode((UUID, String, String, [String], UUID, UUID, Date, Date?, Date?).self) {
            return try Self.key(row)
        }
        return nil
    }

    /// Revokes the live key `id` and records `key.revoked`, in one transaction.
    /// - Throws: ``APIKeyError/notFound`` when there is no live key `id`.
    public func revoke(id: UUID, by actor: AuditEvent.Actor) async throws {
        try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                UPDATE api_keys SET revoked_at = now(), revoked_by = \(actor.userID)
                WHERE id = \(id) AND revoked_at IS NULL
                RETURNING team_id, prefix
                """, logger: logger)
            var revoked: (UUID, String)?
            for try await row in rows.decode((UUID, String).self) { revoked = row }
            guard let (teamID, prefix) = revoked else { throw APIKeyError.notFound }
            try await audit.record(
                AuditEvent(.keyRevoked, by: actor, teamID: teamID, target: .init(type: "api_key", id: id.lowercased),
                    detail: ["prefix": .string(prefix)]),
                on: connection)
        }
    }

    /// What a request presenting `key` acts as, in ONE statement: the live, unexpired key, its enabled creator and the
    /// creator's current role in the key's team. `last_used_at` is refreshed in the same statement when it is older
    /// than a minute, so a busy key costs no write per request.
    /// - Returns: nil when the key is unknown, revoked or expired, or its creator is disabled or no longer a member.
    ///   A key acts for platform operators only when it has the `admin` scope.
    public func principal(for key: APIKeySecret) async throws -> Principal? {
        let digest = secret.mac(key.text)
        let rows = try await client.query("""
            WITH live AS (
                SELECT id, team_id, user_id, scopes FROM api_keys
                WHERE secret_hash = \(digest) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
            ), touched AS (
                UPDATE api_keys SET last_used_at = now()
                WHERE id = (SELECT id FROM live)
                  AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => \(Self.lastUsedResolution)))
            )
            SELECT live.id, live.team_id, live.scopes, u.id, u.email, u.is_platform_admin, m.role
            FROM live
            JOIN users u ON u.id = live.user_id AND NOT u.disabled
            JOIN memberships m ON m.team_id = live.team_id AND m.user_id = live.user_id
            """, logger: logger)
        for try await (keyID, teamID, rawScopes, userID, email, isAdmin, role) in rows.decode(
            (UUID, UUID, [String], UUID, String, Bool, String).self)
        {
            let scopes = Set(try rawScopes.map(Self.scope))
            guard let role = TeamRole(rawValue: role) else { throw CorruptRowError(description: "unknown team role in memberships") }
            return Principal(
                userID: userID, email: email, isPlatformAdmin: isAdmin && scopes.contains(.admin), teamID: teamID, role: role,
                apiKeyID: keyID, keyScopes: scopes)
        }
        return nil
    }

    private static func key(_ row: (UUID, String, String, [String], UUID, UUID, Date, Date?, Date?)) throws -> APIKey {
        APIKey(
            id: row.0, name: row.1, prefix: row.2, scopes: try row.3.map(scope), teamId: row.4, userId: row.5, createdAt: row.6,
            lastUsedAt: row.7, expiresAt: row.8)
    }

    private static func scope(_ raw: String) throws -> KeyScope {
        guard let scope = KeyScope(rawValue: raw) else { throw CorruptRowError(description: "unknown scope in api_keys") }
        return scope
    }
}

import Foundation
import Logging
import MVCore
import PostgresNIO

/// ``IdentityStore`` on PostgreSQL (schema `sql/001_identity.sql`). Every method is one statement.
public struct PostgresIdentityStore: IdentityStore {
    /// The longest user or team name accepted (the `teams.name` CHECK allows 1...200).
    static let maximumNameLength = 200

    let client: PostgresClient
    let logger: Logger

    /// Creates the store.
    /// - Parameters:
    ///   - client: A running (or soon running) client; the store never closes it.
    ///   - logger: Logger for query diagnostics.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// See ``IdentityStore/createUser(email:passwordHash:name:teamName:isPlatformAdmin:)``.
    ///
    /// The user, team and membership are inserted by ONE statement (data-modifying CTEs), so it is atomic
    /// without an explicit transaction; the mutual foreign keys are checked at the end of the statement. Pending
    /// invitations of the e-mail become memberships in the same statement, each recorded as `team.member_added`.
    public func createUser(
        email: String,
        passwordHash: String,
        name: String,
        teamName: String?,
        isPlatformAdmin: Bool
    ) async throws -> (User, Team) {
        try await client.withConnection { connection in
            try await createUser(
                email: email, passwordHash: passwordHash, name: name, teamName: teamName, isPlatformAdmin: isPlatformAdmin,
                on: connection)
        }
    }

    /// ``createUser(email:passwordHash:name:teamName:isPlatformAdmin:)`` on the caller's connection (inside its
    /// transaction, for users created just in time from an identity provider's token).
    func createUser(
        email: String,
        passwordHash: String,
        name: String,
        teamName: String?,
        isPlatformAdmin: Bool,
        on connection: PostgresConnection
    ) async throws -> (User, Team) {
        let email = try EmailAddress.normalize(email)
        let name = name.trimmingWhitespaceAndNewlines()
        guard name.unicodeScalars.count <= Self.maximumNameLength else {
            throw AuthError.invalidInput(field: "name", message: "name must be at most \(Self.maximumNameLength) characters")
        }
        let teamName = try Self.personalTeamName(requested: teamName, userName: name, email: email)
        let userID = UUID()
        let teamID = UUID()
        do {
            let rows = try await connection.query(
                """
                WITH new_user AS (
                    INSERT INTO users (id, email, password_hash, name, is_platform_admin, default_team_id)
                    VALUES (\(userID), \(email), \(passwordHash), \(name), \(isPlatformAdmin), \(teamID))
                    RETURNING created_at
                ), new_team AS (
                    INSERT INTO teams (id, name, personal, created_by)
                    VALUES (\(teamID), \(teamName), true, \(userID))
                    RETURNING created_at
                ), new_membership AS (
                    INSERT INTO memberships (team_id, user_id, role) VALUES (\(teamID), \(userID), 'owner')
                ), invited AS (
                    DELETE FROM team_invitations WHERE lower(email) = lower(\(email)) RETURNING team_id, role, invited_by
                ), joined AS (
                    INSERT INTO memberships (team_id, user_id, role, added_by)
                    SELECT team_id, \(userID), role, invited_by FROM invited
                    RETURNING team_id, role, added_by
                ), audited AS (
                    INSERT INTO audit_events (actor_user, team_id, action, target_type, target_id, detail)
                    SELECT added_by, team_id, 'team.member_added', 'user', \(userID.lowercased),
                           jsonb_build_object('role', role, 'via', 'invitation')
                    FROM joined
                )
                SELECT new_user.created_at, new_team.created_at FROM new_user, new_team
                """,
                logger: logger
            )
            var created: (Date, Date)?
            for try await row in rows.decode((Date, Date).self) { created = row }
            guard let (userCreated, teamCreated) = created else {
                throw CorruptRowError(description: "createUser returned no row")
            }
            let user = User(
                id: userID, email: email, name: name, isPlatformAdmin: isPlatformAdmin,
                disabled: false, defaultTeamID: teamID, createdAt: userCreated
            )
            return (user, Team(id: teamID, name: teamName, personal: true, createdAt: teamCreated))
        } catch {
            if PostgresErrors.isUniqueViolation(error) { throw AuthError.emailTaken }
            throw error
        }
    }

    /// See ``IdentityStore/user(id:)``.
    public func user(id: UUID) async throws -> User? {
        let rows = try await client.query(
            """
            SELECT id, email, name, is_platform_admin, disabled, default_team_id, created_at
            FROM users WHERE id = \(id)
            """,
            logger: logger
        )
        for try await row in rows.decode((UUID, String, String, Bool, Bool, UUID?, Date).self) {
            return User(
                id: row.0, email: row.1, name: row.2, isPlatformAdmin: row.3,
                disabled: row.4, defaultTeamID: row.5, createdAt: row.6
            )
        }
        return nil
    }

    /// See ``IdentityStore/userWithPasswordHash(email:)``. Uses the `lower(email)` unique index.
    public func userWithPasswordHash(email: String) async throws -> (User, String)? {
        let email = email.trimmingWhitespaceAndNewlines()
        guard !email.isEmpty else { return nil }
        let rows = try await client.query(
            """
            SELECT id, email, name, is_platform_admin, disabled, default_team_id, created_at, password_hash
            FROM users WHERE lower(email) = lower(\(email))
            """,
            logger: logger
        )
        for try await row in rows.decode((UUID, String, String, Bool, Bool, UUID?, Date, String).self) {
            let user = User(
                id: row.0, email: row.1, name: row.2, isPlatformAdmin: row.3,
                disabled: row.4, defaultTeamID: row.5, createdAt: row.6
            )
            return (user, row.7)
        }
        return nil
    }

    /// See ``IdentityStore/memberships(userID:)``.
    public func memberships(userID: UUID) async throws -> [Membership] {
        let rows = try await client.query(
            """
            SELECT t.id, t.name, t.personal, t.created_at, m.role, t.time_zone
            FROM memberships m JOIN teams t ON t.id = m.team_id
            WHERE m.user_id = \(userID)
            ORDER BY t.personal DESC, t.created_at, t.id
            """,
            logger: logger
        )
        var result: [Membership] = []
        for try await (id, name, personal, createdAt, role, timeZone) in rows.decode((UUID, String, Bool, Date, String, String).self) {
            let team = Team(id: id, name: name, personal: personal, createdAt: createdAt, timeZone: timeZone)
            result.append(Membership(team: team, role: try Self.role(role)))
        }
        return result
    }

    /// See ``IdentityStore/principal(userID:teamID:)``: one indexed join on `users_pkey` and `memberships_pkey`.
    public func principal(userID: UUID, teamID: UUID?) async throws -> Principal? {
        for try await principal in try await client.execute(PrincipalStatement(userID: userID, teamID: teamID), logger: logger) {
            return principal
        }
        return nil
    }

    /// See ``IdentityStore/setDisabled(userID:disabled:)``. Disabling revokes the user's live refresh
    /// tokens in the same statement, so a disabled user is locked out at once.
    public func setDisabled(userID: UUID, disabled: Bool) async throws {
        let rows = try await client.query(
            """
            WITH target AS (
                UPDATE users SET disabled = \(disabled), updated_at = now() WHERE id = \(userID) RETURNING id
            ), revoked AS (
                UPDATE refresh_tokens SET revoked_at = now()
                WHERE \(disabled) AND user_id IN (SELECT id FROM target) AND revoked_at IS NULL
            )
            SELECT count(*) FROM target
            """,
            logger: logger
        )
        try await Self.requireOneRow(rows)
    }

    /// See ``IdentityStore/setPlatformAdmin(userID:isAdmin:)``.
    public func setPlatformAdmin(userID: UUID, isAdmin: Bool) async throws {
        let rows = try await client.query(
            """
            WITH target AS (
                UPDATE users SET is_platform_admin = \(isAdmin), updated_at = now() WHERE id = \(userID) RETURNING id
            )
            SELECT count(*) FROM target
            """,
            logger: logger
        )
        try await Self.requireOneRow(rows)
    }

    /// See ``IdentityStore/team(id:)``.
    public func team(id: UUID) async throws -> Team? {
        let rows = try await client.query(
            "SELECT id, name, personal, created_at FROM teams WHERE id = \(id)",
            logger: logger
        )
        for try await (id, name, personal, createdAt) in rows.decode((UUID, String, Bool, Date).self) {
            return Team(id: id, name: name, personal: personal, createdAt: createdAt)
        }
        return nil
    }
}

extension PostgresIdentityStore {
    /// The personal team's name: the requested one (trimmed, 1...200 characters) or "<name or email>'s team",
    /// shortened to fit.
    static func personalTeamName(requested: String?, userName: String, email: String) throws(AuthError) -> String {
        if let requested {
            let trimmed = requested.trimmingWhitespaceAndNewlines()
            guard !trimmed.isEmpty, trimmed.unicodeScalars.count <= maximumNameLength else {
                throw .invalidInput(field: "team_name", message: "team_name must be 1 to \(maximumNameLength) characters")
            }
            return trimmed
        }
        let suffix = "'s team"
        let owner = userName.isEmpty ? email : userName
        let room = maximumNameLength - suffix.unicodeScalars.count
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: owner.unicodeScalars.prefix(room))
        return String(scalars) + suffix
    }

    static func role(_ raw: String) throws -> TeamRole {
        guard let role = TeamRole(rawValue: raw) else {
            throw CorruptRowError(description: "unknown team role in memberships")
        }
        return role
    }

    static func requireOneRow(_ rows: PostgresRowSequence) async throws {
        var count: Int64 = 0
        for try await value in rows.decode(Int64.self) { count = value }
        guard count > 0 else { throw AuthError.notFound }
    }
}

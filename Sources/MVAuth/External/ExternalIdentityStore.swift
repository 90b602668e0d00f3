import Foundation
import Logging
import MVCore
import PostgresNIO

/// Users and teams of external identity providers on PostgreSQL (`external_identities`, `external_teams`).
///
/// The first token of a subject creates its user just in time (with a personal team, like a registration), linked
/// by (issuer, subject) — never by e-mail alone. A token's organisation maps to one team per (issuer, external id),
/// created on first sight; the bearer's membership and role there follow the token's role claim. When nothing
/// changed, resolving an identity is one read; changes are written in one transaction with their audit events.
public struct ExternalIdentityStore: Sendable {
    let client: PostgresClient
    let identities: PostgresIdentityStore
    let audit: AuditLog
    let logger: Logger

    /// Creates the store.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.identities = PostgresIdentityStore(client: client, logger: logger)
        self.audit = AuditLog(logger: logger)
        self.logger = logger
    }

    /// The user `identity` names and the team of its organisation (nil without one), after creating or updating
    /// them as the token says.
    public func resolve(_ identity: ExternalIdentity, origin: AuditEvent.Origin = AuditEvent.Origin()) async throws -> (userID: UUID, teamID: UUID?) {
        if let known = try await current(identity) { return known }
        do {
            return try await synchronise(identity, origin: origin)
        } catch let error where PostgresErrors.isUniqueViolation(error) || error as? AuthError == .emailTaken {
            // A concurrent first sight of the same subject or organisation won the race: use what it created.
            return try await synchronise(identity, origin: origin)
        }
    }

    /// The stored user and organisation team when they already match `identity` (member with the token's role).
    private func current(_ identity: ExternalIdentity) async throws -> (UUID, UUID?)? {
        let organisation = identity.organisation?.externalID
        let rows = try await client.query("""
            SELECT ei.user_id, et.team_id, m.role
            FROM external_identities ei
            LEFT JOIN external_teams et ON et.issuer = ei.issuer AND et.external_id = \(organisation)
            LEFT JOIN memberships m ON m.team_id = et.team_id AND m.user_id = ei.user_id
            WHERE ei.issuer = \(identity.issuer) AND ei.subject = \(identity.subject)
            """, logger: logger)
        for try await (userID, teamID, role) in rows.decode((UUID, UUID?, String?).self) {
            guard let wanted = identity.organisation else { return (userID, nil) }
            guard let teamID, role == wanted.role.rawValue else { return nil }
            return (userID, teamID)
        }
        return nil
    }

    /// Creates what is missing and sets the membership's role, in one transaction.
    private func synchronise(_ identity: ExternalIdentity, origin: AuditEvent.Origin) async throws -> (UUID, UUID?) {
        try await client.transaction(logger: logger) { connection in
            let userID = try await user(identity, on: connection)
            guard let organisation = identity.organisation else { return (userID, nil) }
            let actor = AuditEvent.Actor(userID: userID, origin: origin)
            let teamID = try await team(organisation, issuer: identity.issuer, creator: userID, actor: actor, on: connection)
            let rows = try await connection.query("""
                WITH before AS (
                    SELECT role FROM memberships WHERE team_id = \(teamID) AND user_id = \(userID) FOR UPDATE
                ), upserted AS (
                    INSERT INTO memberships (team_id, user_id, role) VALUES (\(teamID), \(userID), \(organisation.role.rawValue))
                    ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role WHERE memberships.role <> EXCLUDED.role
                    RETURNING role
                )
                SELECT (SELECT role FROM before), (SELECT role FROM upserted)
                """, logger: logger)
            for try await (old, new) in rows.decode((String?, String?).self) {
                guard let new else { continue }
                let target = AuditEvent.Target(type: "user", id: userID.lowercased)
                var detail: [String: JSONValue] = ["role": .string(new), "issuer": .string(identity.issuer)]
                if let old { detail["old_role"] = .string(old) }
                try await audit.record(
                    AuditEvent(old == nil ? .teamMemberAdded : .teamMemberRoleChanged, by: actor, teamID: teamID, target: target, detail: detail),
                    on: connection)
            }
            return (userID, teamID)
        }
    }

    /// The linked user, created (with a personal team, binding invitations of its e-mail) on first sight.
    private func user(_ identity: ExternalIdentity, on connection: PostgresConnection) async throws -> UUID {
        let rows = try await connection.query("""
            SELECT user_id FROM external_identities WHERE issuer = \(identity.issuer) AND subject = \(identity.subject)
            """, logger: logger)
        for try await userID in rows.decode(UUID.self) { return userID }
        // The provider's e-mail becomes the account's unless another account has it (that account is NOT linked).
        var email = identity.placeholderEmail
        if let claimed = identity.email {
            let taken = try await connection.query("SELECT 1 FROM users WHERE lower(email) = lower(\(claimed))", logger: logger)
            var isTaken = false
            for try await _ in taken.decode(Int32.self) { isTaken = true }
            if !isTaken { email = claimed }
        }
        // "!" is no bcrypt hash: nobody can sign in with a password to a provider's account.
        let (user, _) = try await identities.createUser(
            email: email, passwordHash: "!", name: identity.name, teamName: nil, isPlatformAdmin: false, on: connection)
        try await connection.query("""
            INSERT INTO external_identities (issuer, subject, user_id, email)
            VALUES (\(identity.issuer), \(identity.subject), \(user.id), \(identity.email))
            """, logger: logger)
        return user.id
    }

    /// The organisation's team, created on first sight and recorded as `team.created`.
    private func team(
        _ organisation: ExternalIdentity.Organisation, issuer: String, creator: UUID, actor: AuditEvent.Actor,
        on connection: PostgresConnection
    ) async throws -> UUID {
        let existing = try await connection.query("""
            SELECT team_id FROM external_teams WHERE issuer = \(issuer) AND external_id = \(organisation.externalID)
            """, logger: logger)
        for try await teamID in existing.decode(UUID.self) { return teamID }
        let teamID = UUID()
        try await connection.query("""
            WITH team AS (
                INSERT INTO teams (id, name, personal, created_by) VALUES (\(teamID), \(organisation.name), false, \(creator))
            )
            INSERT INTO external_teams (issuer, external_id, team_id) VALUES (\(issuer), \(organisation.externalID), \(teamID))
            """, logger: logger)
        try await audit.record(
            AuditEvent(.teamCreated, by: actor, teamID: teamID, target: .init(type: "team", id: teamID.lowercased),
                detail: ["name": .string(organisation.name), "issuer": .string(issuer), "external_id": .string(organisation.externalID)]),
            on: connection)
        return teamID
    }
}

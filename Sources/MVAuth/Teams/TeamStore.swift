import Foundation
import Logging
import MVCore
import PostgresNIO

/// Teams, members and invitations on PostgreSQL (`sql/001_identity.sql`, `sql/007_teams_audit.sql`). Every change
/// runs in one transaction together with its audit event. Authorization is the caller's job (``Authorization``);
/// the store enforces what must hold whatever the caller: a team keeps an owner (a constraint trigger), a role
/// change applies only to the role the caller decided on, personal teams keep their one member.
public struct TeamStore: Sendable {
    let client: PostgresClient
    let audit: AuditLog
    let logger: Logger

    /// Creates the store.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.audit = AuditLog(logger: logger)
        self.logger = logger
    }

    /// The team `teamID` and `userID`'s role in it, or nil when `userID` is not a member.
    public func membership(teamID: UUID, userID: UUID) async throws -> Membership? {
        let rows = try await client.query("""
            SELECT t.id, t.name, t.personal, t.created_at, t.time_zone, m.role
            FROM memberships m JOIN teams t ON t.id = m.team_id
            WHERE m.team_id = \(teamID) AND m.user_id = \(userID)
            """, logger: logger)
        for try await row in rows.decode((UUID, String, Bool, Date, String, String).self) {
            return Membership(
                team: Team(id: row.0, name: row.1, personal: row.2, createdAt: row.3, timeZone: row.4), role: try Self.role(row.5))
        }
        return nil
    }

    /// Whether team `teamID` exists.
    public func exists(teamID: UUID) async throws -> Bool {
        let rows = try await client.query("SELECT 1 FROM teams WHERE id = \(teamID)", logger: logger)
        for try await _ in rows.decode(Int32.self) { return true }
        return false
    }

    /// Creates a team with `actor` as its owner.
    public func create(name: String, timeZone: String, by actor: AuditEvent.Actor) async throws -> Membership {
        let name = try Self.validName(name)
        let timeZone = try TimeZoneName.validate(timeZone)
        guard let creator = actor.userID else { throw TeamError.notFound }
        let id = UUID()
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                WITH team AS (
                    INSERT INTO teams (id, name, personal, created_by, time_zone)
                    VALUES (\(id), \(name), false, \(creator), \(timeZone)) RETURNING created_at
                ), owner AS (
                    INSERT INTO memberships (team_id, user_id, role, added_by) VALUES (\(id), \(creator), 'owner', \(creator))
                )
                SELECT created_at FROM team
                """, logger: logger)
            var createdAt = Date()
            for try await value in rows.decode(Date.self) { createdAt = value }
            try await audit.record(
                AuditEvent(.teamCreated, by: actor, teamID: id, target: .init(type: "team", id: id.lowercased),
                    detail: ["name": .string(name), "time_zone": .string(timeZone)]),
                on: connection)
            return Membership(team: Team(id: id, name: name, personal: false, createdAt: createdAt, timeZone: timeZone), role: .owner)
        }
    }

    /// Renames the team and/or sets its time zone.
    public func update(teamID: UUID, name: String?, timeZone: String?, by actor: AuditEvent.Actor) async throws -> Team {
        let name = try name.map(Self.validName)
        let timeZone = try timeZone.map { zone throws(TeamError) in try TimeZoneName.validate(zone) }
        return try await client.transaction(logger: logger) { connection in
            let rows = try await connection.query("""
                UPDATE teams SET name = COALESCE(\(name), name), time_zone = COALESCE(\(timeZone), time_zone)
                WHERE id = \(teamID)
                RETURNING id, name, personal, created_at, time_zone
                """, logger: logger)
            for try await row in rows.decode((UUID, String, Bool, Date, String).self) {
                var detail: [String: JSONValue] = [:]
                if let name { detail["name"] = .string(name) }
                if let timeZone { detail["time_zone"] = .string(timeZone) }
                try await audit.record(
                    AuditEvent(.teamUpdated, by: actor, teamID: teamID, target: .init(type: "team", id: teamID.lowercased), detail: detail),
                    on: connection)
                return Team(id: row.0, name: row.1, personal: row.2, createdAt: row.3, timeZone: row.4)
            }
            throw TeamError.notFound
        }
    }

    /// The team's members (oldest first) and pending invitations.
    public func members(teamID: UUID) async throws -> (members: [TeamMember], invitations: [TeamInvitation]) {
        let rows = try await client.query("""
            SELECT u.id, u.email, u.name, m.role, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.team_id = \(teamID)
            ORDER BY m.created_at, u.id
            """, logger: logger)
        var members: [TeamMember] = []
        for try await row in rows.decode((UUID, String, String, String, Date).self) {
            members.append(TeamMember(userID: row.0, email: row.1, name: row.2, role: try Self.role(row.3), addedAt: row.4))
        }
        let invited = try await client.query("""
            SELECT email, role, invited_at FROM team_invitations WHERE team_id = \(teamID) ORDER BY invited_at, email
            """, logger: logger)
        var invitations: [TeamInvitation] = []
        for try await row in invited.decode((String, String, Date).self) {
            invitations.append(TeamInvitation(email: row.0, role: try Self.role(row.1), invitedAt: row.2))
        }
        return (members, invitations)
    }

    /// One member, or nil.
    public func member(teamID: UUID, userID: UUID) async throws -> TeamMember? {
        try await client.withConnection { connection in try await memberRow(teamID: teamID, userID: userID, on: connection) }
    }

    /// Adds the account with `email` to the team, or invites the e-mail when it has no account yet.
    /// - Throws: ``TeamError/alreadyMember`` (or already invited), ``TeamError/personalTeam``, invalid e-mail.
    public func addMember(teamID: UUID, email: String, role: TeamRole, by actor: AuditEvent.Actor) async throws -> MemberAddition {
        let normalized: String
        do {
            normalized = try EmailAddress.normalize(email)
        } catch {
            throw TeamError.invalidInput(field: "email", message: "must be an e-mail address")
        }
        let email = normalized
        return try await client.transaction(logger: logger) { connection in
            try await requireSharedTeam(teamID, on: connection)
            let added = try await connection.query("""
                INSERT INTO memberships (team_id, user_id, role, added_by)
                SELECT \(teamID), u.id, \(role.rawValue), \(actor.userID) FROM users u WHERE lower(u.email) = lower(\(email))
                ON CONFLICT (team_id, user_id) DO NOTHING
                RETURNING user_id, created_at
                """, logger: logger)
            for try await (userID, addedAt) in added.decode((UUID, Date).self) {
                guard let member = try await memberRow(teamID: teamID, userID: userID, on: connection) else { throw TeamError.notFound }
                try await audit.record(
                    AuditEvent(.teamMemberAdded, by: actor, teamID: teamID, target: .init(type: "user", id: userID.lowercased),
                        detail: ["role": .string(role.rawValue), "added_at": .string(RFC3339.string(from: addedAt))]),
                    on: connection)
                return .added(member)
            }
            let exists = try await connection.query("SELECT 1 FROM users WHERE lower(email) = lower(\(email))", logger: logger)
            for try await _ in exists.decode(Int.self) { throw TeamError.alreadyMember }
            let invited = try await connection.query("""
                INSERT INTO team_invitations (team_id, email, role, invited_by) VALUES (\(teamID), \(email), \(role.rawValue), \(actor.userID))
                ON CONFLICT (team_id, email) DO NOTHING
                RETURNING invited_at
                """, logger: logger)
            for try await invitedAt in invited.decode(Date.self) {
                try await audit.record(
                    AuditEvent(.teamMemberInvited, by: actor, teamID: teamID, target: .init(type: "email", id: email),
                        detail: ["role": .string(role.rawValue)]),
                    on: connection)
                return .invited(TeamInvitation(email: email, role: role, invitedAt: invitedAt))
            }
            throw TeamError.alreadyMember
        }
    }

    /// Changes a member's role from `expected` (the role the caller authorized against) to `role`.
    /// - Throws: ``TeamError/notFound`` when the member is gone or their role moved meanwhile, ``TeamError/lastOwner``.
    public func changeRole(
        teamID: UUID, userID: UUID, from expected: TeamRole, to role: TeamRole, by actor: AuditEvent.Actor
    ) async throws -> TeamMember {
        try await guardingLastOwner {
            try await client.transaction(logger: logger) { connection in
                let rows = try await connection.query("""
                    UPDATE memberships SET role = \(role.rawValue)
                    WHERE team_id = \(teamID) AND user_id = \(userID) AND role = \(expected.rawValue)
                    RETURNING user_id
                    """, logger: logger)
                guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil,
                    let member = try await memberRow(teamID: teamID, userID: userID, on: connection)
                else { throw TeamError.notFound }
                try await audit.record(
                    AuditEvent(.teamMemberRoleChanged, by: actor, teamID: teamID, target: .init(type: "user", id: userID.lowercased),
                        detail: ["from": .string(expected.rawValue), "to": .string(role.rawValue)]),
                    on: connection)
                return member
            }
        }
    }

    /// Removes a member whose role is `expected`.
    /// - Throws: ``TeamError/notFound``, ``TeamError/lastOwner``, ``TeamError/personalTeam``.
    public func removeMember(teamID: UUID, userID: UUID, expected: TeamRole, by actor: AuditEvent.Actor) async throws {
        try await guardingLastOwner {
            try await client.transaction(logger: logger) { connection in
                try await requireSharedTeam(teamID, on: connection)
                let rows = try await connection.query("""
                    DELETE FROM memberships WHERE team_id = \(teamID) AND user_id = \(userID) AND role = \(expected.rawValue)
                    RETURNING user_id
                    """, logger: logger)
                guard try await rows.decode(UUID.self).first(where: { _ in true }) != nil else { throw TeamError.notFound }
                try await audit.record(
                    AuditEvent(.teamMemberRemoved, by: actor, teamID: teamID, target: .init(type: "user", id: userID.lowercased),
                        detail: ["role": .string(expected.rawValue)]),
                    on: connection)
            }
        }
    }

    // MARK: Helpers

    private func requireSharedTeam(_ teamID: UUID, on connection: PostgresConnection) async throws {
        let rows = try await connection.query("SELECT personal FROM teams WHERE id = \(teamID)", logger: logger)
        for try await personal in rows.decode(Bool.self) {
            if personal { throw TeamError.personalTeam }
            return
        }
        throw TeamError.notFound
    }

    private func memberRow(teamID: UUID, userID: UUID, on connection: PostgresConnection) async throws -> TeamMember? {
        let rows = try await connection.query("""
            SELECT u.id, u.email, u.name, m.role, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id
            WHERE m.team_id = \(teamID) AND m.user_id = \(userID)
            """, logger: logger)
        for try await row in rows.decode((UUID, String, String, String, Date).self) {
            return TeamMember(userID: row.0, email: row.1, name: row.2, role: try Self.role(row.3), addedAt: row.4)
        }
        return nil
    }

    /// Turns the `last_owner` constraint trigger's refusal into ``TeamError/lastOwner``.
    private func guardingLastOwner<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PSQLError where error.serverInfo?[.constraintName] == "last_owner" {
            throw TeamError.lastOwner
        }
    }

    static func validName(_ name: String) throws(TeamError) -> String {
        let trimmed = name.trimmingWhitespaceAndNewlines()
        // Counted before trimming, in Unicode scalars, as the OpenAPI document's maxLength counts.
        guard !trimmed.isEmpty, name.unicodeScalars.count <= 200 else {
            throw TeamError.invalidInput(field: "name", message: "must be 1...200 characters")
        }
        return trimmed
    }

    static func role(_ raw: String) throws -> TeamRole {
        guard let role = TeamRole(rawValue: raw) else { throw CorruptRowError(description: "unknown role \(raw)") }
        return role
    }
}

import Foundation
import PostgresNIO

/// The standing lookup every authenticated write makes (and every read whose standing is not cached): the user, not
/// disabled, with their membership and role in the team (the default team when none is named). Prepared once per
/// pooled connection and executed by name after that, so the hot path pays no parse or plan per request.
struct PrincipalStatement: PostgresPreparedStatement {
    /// The statement's name on each connection, a constant: postgres-nio's default, `String(reflecting:)` of the
    /// type, was built anew on every execution.
    static let name = "MVAuth.PrincipalStatement"
    static let sql = """
        SELECT u.email, u.is_platform_admin, m.team_id, m.role
        FROM users u
        JOIN memberships m ON m.user_id = u.id AND m.team_id = COALESCE($2, u.default_team_id)
        WHERE u.id = $1 AND NOT u.disabled
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuid, .uuid]

    typealias Row = Principal

    var userID: UUID
    /// The addressed team; nil for the user's default team.
    var teamID: UUID?

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 2)
        bindings.append(userID)
        bindings.append(teamID)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Principal {
        let (email, isAdmin, team, role) = try row.decode((String, Bool, UUID, String).self)
        return Principal(userID: userID, email: email, isPlatformAdmin: isAdmin, teamID: team, role: try PostgresIdentityStore.role(role))
    }
}

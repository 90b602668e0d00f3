import Foundation
import Hummingbird
import MVAuth

/// How a route that names a team decides, through ``Authorization``: the caller's CURRENT role in that team (read
/// per request), narrowed by an API key's scopes. Not a member (or a key bound to another team) → 404; a member
/// outside their role → 403.
struct TeamAccess: Sendable {
    let teams: TeamStore

    /// The caller acting in `teamID` when `action` is allowed there.
    func require(_ action: TeamAction, in teamID: UUID, context: AppRequestContext) async throws -> (Principal, Membership) {
        let caller = try context.requirePrincipal()
        // A key is bound to its team: any other team id is unknown to it.
        if caller.apiKeyID != nil && teamID != caller.teamID { throw Problem.notFound("team") }
        guard let membership = try await teams.membership(teamID: teamID, userID: caller.userID) else { throw Problem.notFound("team") }
        var principal = caller
        principal.teamID = membership.team.id
        principal.role = membership.role
        guard Authorization.allows(principal, action) else {
            throw Problem.forbidden(
                caller.apiKeyID != nil && Authorization.allows(membership.role, action)
                    ? "This API key's scopes do not allow this."
                    : "Your role in this team (\(membership.role.rawValue)) does not allow this.")
        }
        return (principal, membership)
    }

    /// Like ``require(_:in:context:)``, but platform admins (not through a key without the `admin` scope) pass for any
    /// existing team: they administer every team.
    func requireOrPlatformAdmin(_ action: TeamAction, in teamID: UUID, context: AppRequestContext) async throws -> Principal {
        let caller = try context.requirePrincipal()
        if caller.isPlatformAdmin && (caller.keyScopes == nil || caller.keyScopes?.contains(.admin) == true) {
            guard try await teams.exists(teamID: teamID) else { throw Problem.notFound("team") }
            var principal = caller
            principal.teamID = teamID
            return principal
        }
        return try await require(action, in: teamID, context: context).0
    }
}

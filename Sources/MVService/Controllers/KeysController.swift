import Foundation
import Hummingbird
import MVAuth
import MVCore

/// API keys: `POST /api/keys` (the secret is in the answer once), `GET /api/keys`, `DELETE /api/keys/{id}`. A key
/// belongs to one team (`team_id`, default the team the request acts for); members manage their own keys, team admins
/// list and revoke every key of the team. Keys cannot manage keys. Every decision goes through ``Authorization``.
struct KeysController {
    let keys: APIKeyStore
    let teams: TeamStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.delete("{id}", use: revoke)
    }

    struct CreateInput: Decodable {
        var name: String
        var teamId: UUID?
        var scopes: [KeyScope]
        var expiresAt: Date?
    }

    /// A new key: its description and, this once, the secret (`key`).
    struct Created: ResponseEncodable {
        var description: APIKey
        var secret: APIKeySecret

        private enum CodingKeys: String, CodingKey {
            case key
        }

        func encode(to encoder: any Encoder) throws {
            try description.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(secret.text, forKey: .key)
        }
    }

    struct KeyList: ResponseEncodable {
        var items: [APIKey]
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Created> {
        let caller = try context.requirePrincipal()
        let input = try await request.decode(as: CreateInput.self, context: context)
        let teamID = input.teamId ?? caller.teamID
        if caller.apiKeyID != nil { throw Problem.forbidden("API keys cannot create or manage keys.") }
        let (principal, _) = try await TeamAccess(teams: teams).require(.manageOwnKeys, in: teamID, context: context)
        let (key, secret) = try await keys.create(
            teamID: principal.teamID, name: input.name, scopes: input.scopes, expiresAt: input.expiresAt, by: context.auditActor(request))
        var response = EditedResponse(status: .created, response: Created(description: key, secret: secret))
        response.headers[.cacheControl] = "no-store"
        return response
    }

    /// The keys of the team the request acts for: every key for team admins, one's own for everyone else.
    func list(_ request: Request, context: AppRequestContext) async throws -> KeyList {
        let principal = try context.requirePrincipal()
        if Authorization.allows(principal, .manageTeamKeys) {
            return KeyList(items: try await keys.list(teamID: principal.teamID, userID: nil))
        }
        _ = try context.require(.manageOwnKeys)
        return KeyList(items: try await keys.list(teamID: principal.teamID, userID: principal.userID))
    }

    /// Revokes a key: its creator, or an admin of its team. Anyone else gets 404.
    func revoke(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let caller = try context.requirePrincipal()
        let id = try context.uuidParameter("id", what: "API key")
        guard let key = try await keys.key(id: id) else { throw Problem.notFound("API key") }
        // A key is bound to its team: keys of other teams are unknown to it.
        if caller.apiKeyID != nil && key.teamId != caller.teamID { throw Problem.notFound("API key") }
        guard let membership = try await teams.membership(teamID: key.teamId, userID: caller.userID) else {
            throw Problem.notFound("API key")
        }
        var principal = caller
        principal.teamID = key.teamId
        principal.role = membership.role
        let action: TeamAction = key.userId == caller.userID ? .manageOwnKeys : .manageTeamKeys
        guard Authorization.allows(principal, action) else {
            throw Problem.forbidden("Your role in this team (\(principal.role.rawValue)) does not allow revoking this key.")
        }
        try await keys.revoke(id: id, by: context.auditActor(request))
        return .noContent
    }
}

extension APIKey: ResponseEncodable {}

import Foundation
import Hummingbird
import MVAuth
import MVBilling
import PostgresNIO

/// `GET /api/me` and `GET /api/billing/balance`.
struct MeController {
    let identities: any IdentityStore
    let ledger: Ledger
    let postgres: PostgresClient

    func addRoutes(me: RouterGroup<AppRequestContext>, billing: RouterGroup<AppRequestContext>) {
        me.get(use: show)
        billing.get("balance", use: balance)
    }

    struct TeamView: Codable {
        var id: UUID
        var name: String
        var personal: Bool
        var role: TeamRole
    }

    struct MeResponse: ResponseEncodable {
        var user: UserView
        var teams: [TeamView]
        var defaultTeamId: UUID?
        var currentTeamId: UUID
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> MeResponse {
        let principal = try context.requirePrincipal()
        guard let user = try await identities.user(id: principal.userID) else { throw Problem.unauthorized() }
        let memberships = try await identities.memberships(userID: principal.userID)
        return MeResponse(
            user: UserView(user),
            teams: memberships.map { TeamView(id: $0.team.id, name: $0.team.name, personal: $0.team.personal, role: $0.role) },
            defaultTeamId: user.defaultTeamID, currentTeamId: principal.teamID)
    }

    func balance(_ request: Request, context: AppRequestContext) async throws -> Balance {
        let principal = try context.requirePrincipal()
        return try await ledger.balance(teamID: principal.teamID, client: postgres)
    }
}

extension Balance: ResponseEncodable {}

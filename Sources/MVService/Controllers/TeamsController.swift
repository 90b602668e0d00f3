import Foundation
import Hummingbird
import MVAuth
import MVCore

/// Teams and their members: `POST/GET /api/teams`, `GET/PATCH /api/teams/{id}`, `GET/POST /api/teams/{id}/members`,
/// `PATCH/DELETE /api/teams/{id}/members/{user_id}`. Every decision goes through ``Authorization`` with the caller's
/// role in the addressed team (read fresh per request): not a member → 404, a member outside their role → 403.
struct TeamsController {
    let teams: TeamStore
    let identities: any IdentityStore
    let media: TeamMediaStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get("{id}", use: show)
        group.patch("{id}", use: update)
        group.get("{id}/members", use: members)
        group.post("{id}/members", use: addMember)
        group.patch("{id}/members/{user_id}", use: changeRole)
        group.delete("{id}/members/{user_id}", use: removeMember)
    }

    /// A team as its members see it, with the caller's role.
    struct TeamView: ResponseEncodable, Equatable {
        var id: UUID
        var name: String
        var personal: Bool
        var timeZone: String
        var role: TeamRole
        var createdAt: Date
        /// Generated assets older than this many days are deleted (absent: kept); on single-team answers.
        var retentionDays: Int?
        /// Disk use of the team's assets; on single-team answers.
        var usage: TeamMediaStore.Usage?

        init(_ membership: Membership, media: (retentionDays: Int?, usage: TeamMediaStore.Usage)? = nil) {
            id = membership.team.id
            name = membership.team.name
            personal = membership.team.personal
            timeZone = membership.team.timeZone
            role = membership.role
            createdAt = membership.team.createdAt
            retentionDays = media?.retentionDays
            usage = media?.usage
        }
    }

    struct TeamList: ResponseEncodable {
        var items: [TeamView]
    }

    struct CreateInput: Codable {
        var name: String
        var timeZone: String?
    }

    struct UpdateInput: Codable {
        var name: String?
        var timeZone: String?
        /// 1...36500 days, or 0 to keep generated assets forever.
        var retentionDays: Int?
    }

    /// Longest retention.
    static let maxRetentionDays = 36_500

    struct MemberList: ResponseEncodable {
        var items: [TeamMember]
        var invitations: [TeamInvitation]
    }

    struct AddMemberInput: Codable {
        var email: String
        var role: TeamRole
    }

    struct RoleInput: Codable {
        var role: TeamRole
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<TeamView> {
        _ = try context.requirePrincipal()
        guard context.principal?.apiKeyID == nil else { throw Problem.forbidden("API keys cannot create teams.") }
        let input = try await request.decode(as: CreateInput.self, context: context)
        let membership = try await teams.create(name: input.name, timeZone: input.timeZone ?? "UTC", by: context.auditActor(request))
        var response = EditedResponse(status: .created, response: TeamView(membership))
        response.headers[.location] = "/api/teams/\(membership.team.id.lowercased)"
        return response
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> TeamList {
        let principal = try context.requirePrincipal()
        let memberships = try await identities.memberships(userID: principal.userID)
        // An API key is bound to one team and sees only that one.
        let visible = principal.apiKeyID == nil ? memberships : memberships.filter { $0.team.id == principal.teamID }
        return TeamList(items: visible.map { TeamView($0) })
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> TeamView {
        let (_, membership) = try await addressed(context, .readTeam)
        return TeamView(membership, media: try await media.media(teamID: membership.team.id))
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> TeamView {
        let (_, membership) = try await addressed(context, .updateTeam)
        let input = try await request.decode(as: UpdateInput.self, context: context)
        if let days = input.retentionDays, !(0...Self.maxRetentionDays).contains(days) {
            throw ValidationError.invalid("retention_days", "must be 0 (keep forever) ... \(Self.maxRetentionDays)")
        }
        var team = membership.team
        if input.name != nil || input.timeZone != nil || input.retentionDays == nil {
            team = try await teams.update(teamID: membership.team.id, name: input.name, timeZone: input.timeZone, by: context.auditActor(request))
        }
        if let days = input.retentionDays {
            try await media.setRetention(teamID: team.id, days: days, by: context.auditActor(request))
        }
        return TeamView(Membership(team: team, role: membership.role), media: try await media.media(teamID: team.id))
    }

    func members(_ request: Request, context: AppRequestContext) async throws -> MemberList {
        let (_, membership) = try await addressed(context, .readTeam)
        let (members, invitations) = try await teams.members(teamID: membership.team.id)
        return MemberList(items: members, invitations: invitations)
    }

    func addMember(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (principal, membership) = try await addressed(context, .manageMembers)
        let input = try await request.decode(as: AddMemberInput.self, context: context)
        try authorize(principal, membership, target: nil, to: input.role)
        switch try await teams.addMember(teamID: membership.team.id, email: input.email, role: input.role, by: context.auditActor(request)) {
        case .added(let member):
            return try EditedResponse(status: .created, response: JSONBody(member)).response(from: request, context: context)
        case .invited(let invitation):
            return try EditedResponse(status: .accepted, response: JSONBody(invitation)).response(from: request, context: context)
        }
    }

    func changeRole(_ request: Request, context: AppRequestContext) async throws -> JSONBody<TeamMember> {
        let (principal, membership) = try await addressed(context, .manageMembers)
        let target = try await addressedMember(context, team: membership)
        let input = try await request.decode(as: RoleInput.self, context: context)
        try authorize(principal, membership, target: target.role, to: input.role)
        guard target.role != input.role else { return JSONBody(target) }
        let member = try await teams.changeRole(
            teamID: membership.team.id, userID: target.userID, from: target.role, to: input.role, by: context.auditActor(request))
        return JSONBody(member)
    }

    func removeMember(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let (principal, membership) = try await addressed(context, .readTeam)
        let target = try await addressedMember(context, team: membership)
        // Anyone may leave a team (the last owner excepted); removing others is member management.
        if target.userID != principal.userID || principal.apiKeyID != nil {
            guard Authorization.allows(principal, .manageMembers) else { throw Problem.forbidden("Only team owners and admins remove members.") }
            try authorize(principal, membership, target: target.role, to: nil)
        }
        try await teams.removeMember(teamID: membership.team.id, userID: target.userID, expected: target.role, by: context.auditActor(request))
        return .noContent
    }

    // MARK: Decisions

    /// The team in the path with the caller's current role there, when `action` is allowed (``TeamAccess``).
    private func addressed(_ context: AppRequestContext, _ action: TeamAction) async throws -> (Principal, Membership) {
        try await TeamAccess(teams: teams).require(action, in: try context.uuidParameter("id", what: "team"), context: context)
    }

    private func addressedMember(_ context: AppRequestContext, team: Membership) async throws -> TeamMember {
        let userID = try context.uuidParameter("user_id", what: "member")
        guard let member = try await teams.member(teamID: team.team.id, userID: userID) else { throw Problem.notFound("member") }
        return member
    }

    /// Admins manage admins, members and viewers; only owners touch owners or make new ones.
    private func authorize(_ principal: Principal, _ membership: Membership, target: TeamRole?, to role: TeamRole?) throws(Problem) {
        guard Authorization.canManage(actor: principal.role, target: target, to: role) else {
            throw Problem.forbidden("Only owners add, change or remove owners.")
        }
    }
}

/// Any encodable value as a JSON response body.
struct JSONBody<Value: Encodable & Sendable>: ResponseEncodable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}

import Foundation
import Hummingbird
import MVAuth
import MVBilling
import MVCore

/// Quotas: `GET/POST /api/teams/{id}/quotas`, `PATCH/DELETE /api/teams/{id}/quotas/{quota_id}`. Team owners and
/// admins manage member and API-key quotas; a quota on the whole team is set, changed and removed only by platform
/// admins (who may manage any team's quotas). Decisions go through ``TeamAccess`` and ``Authorization``.
struct QuotasController {
    let quotas: QuotaStore
    let teams: TeamStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("{id}/quotas", use: list)
        group.post("{id}/quotas", use: create)
        group.patch("{id}/quotas/{quota_id}", use: update)
        group.delete("{id}/quotas/{quota_id}", use: delete)
    }

    struct CreateInput: Decodable {
        struct Subject: Decodable {
            var type: Quota.SubjectType
            var id: UUID?
        }
        var subject: Subject
        var period: Quota.Period
        var limit: Int64
        var action: Quota.Action
    }

    struct UpdateInput: Decodable {
        var limit: Int64?
        var action: Quota.Action?
    }

    struct QuotaList: ResponseEncodable {
        var items: [Quota]
    }

    func list(_ request: Request, context: AppRequestContext) async throws -> QuotaList {
        let principal = try await access(context)
        return QuotaList(items: try await quotas.list(teamID: principal.teamID))
    }

    func create(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<Quota> {
        let principal = try await access(context)
        let input = try await request.decode(as: CreateInput.self, context: context)
        let subjectID: UUID
        switch (input.subject.type, input.subject.id) {
        case (.team, let id):
            subjectID = id ?? principal.teamID
        case (_, let id?):
            subjectID = id
        case (_, nil):
            throw Problem.invalid("subject.id", "is required for \(input.subject.type.rawValue) quotas")
        }
        try requirePlatformAdminForTeamQuota(input.subject.type, principal)
        let quota = try await quotas.create(
            teamID: principal.teamID, subject: .init(type: input.subject.type, id: subjectID), period: input.period,
            limit: input.limit, action: input.action, by: context.auditActor(request))
        var response = EditedResponse(status: .created, response: quota)
        response.headers[.location] = "/api/teams/\(principal.teamID.lowercased)/quotas/\(quota.id.lowercased)"
        return response
    }

    func update(_ request: Request, context: AppRequestContext) async throws -> Quota {
        let principal = try await access(context)
        let quota = try await addressedQuota(context, teamID: principal.teamID)
        try requirePlatformAdminForTeamQuota(quota.subject.type, principal)
        let input = try await request.decode(as: UpdateInput.self, context: context)
        return try await quotas.update(
            id: quota.id, teamID: principal.teamID, limit: input.limit, action: input.action, by: context.auditActor(request))
    }

    func delete(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let principal = try await access(context)
        let quota = try await addressedQuota(context, teamID: principal.teamID)
        try requirePlatformAdminForTeamQuota(quota.subject.type, principal)
        try await quotas.delete(id: quota.id, teamID: principal.teamID, by: context.auditActor(request))
        return .noContent
    }

    private func access(_ context: AppRequestContext) async throws -> Principal {
        try await TeamAccess(teams: teams).requireOrPlatformAdmin(
            .manageQuotas, in: try context.uuidParameter("id", what: "team"), context: context)
    }

    private func addressedQuota(_ context: AppRequestContext, teamID: UUID) async throws -> Quota {
        let id = try context.uuidParameter("quota_id", what: "quota")
        guard let quota = try await quotas.quota(id: id, teamID: teamID) else { throw Problem.notFound("quota") }
        return quota
    }

    /// What a team spends in all is the platform's to cap: team admins manage their members' and keys' quotas only.
    private func requirePlatformAdminForTeamQuota(_ type: Quota.SubjectType, _ principal: Principal) throws(Problem) {
        guard type != .team || principal.isPlatformAdmin else {
            throw Problem.forbidden("Only platform administrators set a quota on a whole team.")
        }
    }
}

extension Quota: ResponseEncodable {}

import Foundation
import Hummingbird
import MVAuth
import MVBilling
import MVCore

/// `GET/PUT/DELETE /api/admin/teams/{id}/rate_limits` (platform admins): per-team overrides of the `generate` and
/// `api` policies, applied on the next request (the bucket statements read them), audited.
struct RateLimitOverridesController {
    let overrides: TeamRateLimits
    let teams: TeamStore
    /// The configured policies, by name.
    let defaults: [String: RateLimitPolicy]

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("teams/{id}/rate_limits", use: show)
        group.put("teams/{id}/rate_limits", use: replace)
        group.delete("teams/{id}/rate_limits", use: remove)
    }

    /// The team's overrides and the policies in force.
    struct View: ResponseEncodable {
        struct Effective: Codable {
            var capacity: Int
            var refillPerSecond: Double
            var windowSeconds: Int
            var source: String
        }
        var teamId: UUID
        var overrides: [String: TeamRateLimits.Override]
        var effective: [String: Effective]
    }

    func show(_ request: Request, context: AppRequestContext) async throws -> View {
        let teamID = try await addressedTeam(context)
        return try await view(teamID)
    }

    func replace(_ request: Request, context: AppRequestContext) async throws -> View {
        let teamID = try await addressedTeam(context)
        let input = try await request.decode(as: [String: TeamRateLimits.Override].self, context: context)
        do {
            try await overrides.replace(teamID: teamID, with: input, by: context.auditActor(request))
        } catch TeamRateLimits.Failure.invalidInput(let field, let message) {
            throw Problem.invalid(field, message)
        }
        return try await view(teamID)
    }

    func remove(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let teamID = try await addressedTeam(context)
        try await overrides.replace(teamID: teamID, with: [:], by: context.auditActor(request))
        return .noContent
    }

    private func view(_ teamID: UUID) async throws -> View {
        let set = try await overrides.overrides(teamID: teamID)
        var effective: [String: View.Effective] = [:]
        for name in TeamRateLimits.policies {
            let policy = set[name]?.policy(named: name) ?? defaults[name]
            guard let policy else { continue }
            effective[name] = .init(
                capacity: policy.capacity, refillPerSecond: policy.refillPerSecond, windowSeconds: policy.windowSeconds,
                source: set[name] == nil ? "default" : "override")
        }
        return View(teamId: teamID, overrides: set, effective: effective)
    }

    private func addressedTeam(_ context: AppRequestContext) async throws -> UUID {
        let principal = try context.requirePrincipal()
        guard principal.isPlatformAdmin else { throw Problem.forbidden("Platform administrators only.") }
        let teamID = try context.uuidParameter("id", what: "team")
        guard try await teams.exists(teamID: teamID) else { throw Problem.notFound("team") }
        return teamID
    }
}

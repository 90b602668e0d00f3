import Foundation
import Hummingbird
import MVAuth
import MVCore
import PostgresNIO

/// `GET /api/teams/{id}/audit` (team owners and admins) and `GET /api/admin/audit` (platform admins): who did what,
/// when, from where; filters `actor`, `action`, `from`, `to`; keyset pagination.
struct AuditController {
    let audit: AuditLog
    let teams: TeamStore
    let postgres: PostgresClient

    func addRoutes(teams group: RouterGroup<AppRequestContext>, admin: RouterGroup<AppRequestContext>) {
        group.get("{id}/audit", use: teamEvents)
        admin.get("audit", use: allEvents)
    }

    struct Page: ResponseEncodable {
        var items: [AuditLog.Entry]
        var nextCursor: String?
    }

    func teamEvents(_ request: Request, context: AppRequestContext) async throws -> Page {
        var principal = try context.requirePrincipal()
        let teamID = try context.uuidParameter("id", what: "team")
        if principal.apiKeyID != nil && teamID != principal.teamID { throw Problem.notFound("team") }
        guard let membership = try await teams.membership(teamID: teamID, userID: principal.userID) else { throw Problem.notFound("team") }
        principal.teamID = teamID
        principal.role = membership.role
        guard Authorization.allows(principal, .readAudit) else { throw Problem.forbidden("Only team owners and admins read the audit log.") }
        var filter = try Self.filter(request)
        filter.teamID = teamID
        return try await page(filter)
    }

    func allEvents(_ request: Request, context: AppRequestContext) async throws -> Page {
        let principal = try context.requirePrincipal()
        guard principal.isPlatformAdmin, principal.apiKeyID == nil else { throw Problem.forbidden("Platform administrators only.") }
        var filter = try Self.filter(request)
        var query = QueryReader(request)
        filter.teamID = query.uuid("team_id")
        try query.finish()
        return try await page(filter)
    }

    private func page(_ filter: AuditLog.Filter) async throws -> Page {
        let items = try await audit.events(filter, client: postgres)
        return Page(items: items, nextCursor: items.count == filter.limit ? items.last.map { String($0.id) } : nil)
    }

    static func filter(_ request: Request) throws(ValidationError) -> AuditLog.Filter {
        var query = QueryReader(request)
        var filter = AuditLog.Filter()
        filter.actorUserID = query.uuid("actor")
        filter.action = query.value("action", "is not an audit action") { AuditAction(rawValue: $0) }
        filter.from = query.time("from")
        filter.to = query.time("to")
        filter.limit = query.limit()
        filter.before = query.idCursor()
        try query.finish()
        return filter
    }
}

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
        filter.teamID = request.uri.queryParameters.get("team_id").flatMap(UUID.init(uuidString:))
        return try await page(filter)
    }

    private func page(_ filter: AuditLog.Filter) async throws -> Page {
        let items = try await audit.events(filter, client: postgres)
        return Page(items: items, nextCursor: items.count == filter.limit ? items.last.map { String($0.id) } : nil)
    }

    static func filter(_ request: Request) throws(Problem) -> AuditLog.Filter {
        let query = request.uri.queryParameters
        var filter = AuditLog.Filter()
        var errors: [FieldError] = []
        if let raw = query.get("actor") {
            filter.actorUserID = UUID(uuidString: raw)
            if filter.actorUserID == nil { errors.append(.init(field: "actor", message: "must be a user id (UUID)")) }
        }
        if let raw = query.get("action") {
            filter.action = AuditAction(rawValue: raw)
            if filter.action == nil { errors.append(.init(field: "action", message: "is not an audit action")) }
        }
        for (name, keyPath) in [("from", \AuditLog.Filter.from), ("to", \AuditLog.Filter.to)] {
            guard let raw = query.get(name) else { continue }
            guard let date = RFC3339.date(from: raw) else {
                errors.append(.init(field: name, message: "must be an RFC 3339 time such as 2026-11-24T18:00:00Z"))
                continue
            }
            filter[keyPath: keyPath] = date
        }
        if let raw = query.get("limit") {
            if let limit = Int(raw), (1...100).contains(limit) { filter.limit = limit } else { errors.append(.init(field: "limit", message: "must be 1...100")) }
        }
        if let raw = query.get("cursor") {
            if let id = Int64(raw), id > 0 { filter.before = id } else { errors.append(.init(field: "cursor", message: "is not a cursor from this list")) }
        }
        guard errors.isEmpty else { throw Problem.validation(errors) }
        return filter
    }
}

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
    let rateLimiter: RateLimiter
    let quotas: QuotaStore
    let policies: [RateLimitPolicy]

    func addRoutes(me: RouterGroup<AppRequestContext>, billing: RouterGroup<AppRequestContext>) {
        me.get(use: show)
        me.get("limits", use: limits)
        billing.get("balance", use: balance)
        billing.get("ledger", use: ledgerEntries)
        billing.get("lots", use: lots)
    }

    /// `GET /api/billing/balance`: the team's credits and what of them will expire.
    struct BalanceView: ResponseEncodable {
        var available: Int64
        var held: Int64
        var posted: Int64
        var expiring: [ExpiringCredits]
    }

    struct LotList: ResponseEncodable {
        var items: [CreditLot]
    }

    /// `GET /api/billing/lots`: the team's credit lots, newest first (team owners and admins).
    func lots(_ request: Request, context: AppRequestContext) async throws -> LotList {
        let principal = try context.require(.readLedger)
        return LotList(items: try await ledger.lots(teamID: principal.teamID, client: postgres))
    }

    /// A page of the team's ledger, newest first.
    struct LedgerPage: ResponseEncodable {
        struct Item: Codable {
            var id: Int64
            var transactionId: UUID
            var account: String
            var kind: String
            var amount: Int64
            var jobId: UUID?
            var userId: UUID?
            var apiKeyId: UUID?
            var lotId: UUID?
            var reason: String?
            var createdAt: Date
        }
        var items: [Item]
        var nextCursor: String?
    }

    /// `GET /api/billing/ledger?limit=&cursor=`: the team's immutable entries (team owners and admins).
    func ledgerEntries(_ request: Request, context: AppRequestContext) async throws -> LedgerPage {
        let principal = try context.require(.readLedger)
        var query = QueryReader(request)
        let limit = query.limit()
        let cursor = query.idCursor()
        try query.finish()
        let entries = try await ledger.entries(teamID: principal.teamID, limit: limit, before: cursor, client: postgres)
        let items = entries.map {
            LedgerPage.Item(
                id: $0.id, transactionId: $0.transactionID, account: $0.account, kind: $0.kind, amount: $0.amount, jobId: $0.jobID,
                userId: $0.userID, apiKeyId: $0.apiKeyID, lotId: $0.lotID, reason: $0.reason, createdAt: $0.createdAt)
        }
        return LedgerPage(items: items, nextCursor: entries.count == limit ? entries.last.map { String($0.id) } : nil)
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

    /// `GET /api/me/limits`: every policy that applies, with what is left and when it resets — "why was I refused".
    struct LimitsResponse: ResponseEncodable {
        struct Bucket: Codable {
            var policy: String
            var scope: String
            var limit: Int
            var remaining: Int
            var windowSeconds: Int
            var resetSeconds: Int
        }
        var rateLimits: [Bucket]
        /// The quotas that count the caller's admissions here: the team's, the member's, the API key's.
        var quotas: [Quota]
        var credits: Balance
        var teamId: UUID
    }

    func limits(_ request: Request, context: AppRequestContext) async throws -> LimitsResponse {
        let principal = try context.requirePrincipal()
        var buckets: [LimitsResponse.Bucket] = []
        for policy in policies {
            let decision = try await rateLimiter.peek(
                key: policy.bucketKey(user: principal.userID), policy: policy, team: .team(principal.teamID), client: postgres)
            buckets.append(.init(
                policy: policy.name, scope: "user", limit: decision.policy.capacity, remaining: decision.remaining,
                windowSeconds: decision.policy.windowSeconds, resetSeconds: decision.resetSeconds))
        }
        let credits = try await ledger.balance(teamID: principal.teamID, client: postgres)
        let applicable = try await quotas.list(
            teamID: principal.teamID, userID: principal.userID, apiKeyID: principal.apiKeyID, onlyApplicable: true)
        return LimitsResponse(rateLimits: buckets, quotas: applicable, credits: credits, teamId: principal.teamID)
    }

    func balance(_ request: Request, context: AppRequestContext) async throws -> BalanceView {
        let principal = try context.require(.readBalance)
        async let balance = ledger.balance(teamID: principal.teamID, client: postgres)
        async let expiring = ledger.expiring(teamID: principal.teamID, client: postgres)
        let (current, soon) = try await (balance, expiring)
        return BalanceView(available: current.available, held: current.held, posted: current.posted, expiring: soon)
    }
}

extension Balance: ResponseEncodable {}

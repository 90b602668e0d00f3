import Crypto
import Foundation
import Hummingbird
import Logging
import MVAuth
import MVBackends
import MVBilling
import MVCore
import PostgresNIO

/// Platform-admin routes: credit grants (idempotent) and user administration. Callers who are not platform
/// admins get 403: these routes are public knowledge, their data is not.
struct AdminController {
    let identities: any IdentityStore
    let ledger: Ledger
    let router: GenerationRouter
    let postgres: PostgresClient
    let logger: Logger

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("teams/{id}/credits", use: grantCredits)
        group.patch("users/{id}", use: updateUser)
        group.get("providers", use: providers)
    }

    struct ProvidersResponse: ResponseEncodable {
        var providers: [ProviderStatus]
    }

    /// `GET /api/admin/providers`: breaker state, recent error rate and latency, last error, per provider.
    func providers(_ request: Request, context: AppRequestContext) async throws -> ProvidersResponse {
        _ = try requireAdmin(context)
        return ProvidersResponse(providers: router.providerStatuses())
    }

    struct GrantInput: Codable {
        var amount: Int64
        var reason: String?
        var expiresAt: Date?
        var priority: Int?
    }

    struct GrantResponse: Codable, ResponseEncodable {
        var teamId: UUID
        var amount: Int64
        var reason: String
        var expiresAt: Date?
        var priority: Int?
        var balance: Balance
    }

    struct UserUpdate: Codable {
        var disabled: Bool?
        var isPlatformAdmin: Bool?
    }

    func grantCredits(_ request: Request, context: AppRequestContext) async throws -> Response {
        let principal = try requireAdmin(context)
        let teamID = try context.uuidParameter("id", what: "team")
        let input = try await request.decode(as: GrantInput.self, context: context)
        guard input.amount != 0, abs(input.amount) <= 1_000_000_000 else {
            throw Problem.invalid("amount", "must be a non-zero integer within ±1000000000")
        }
        let reason = input.reason?.trimmingWhitespaceAndNewlines() ?? "admin grant"
        guard !reason.isEmpty, (input.reason ?? "").unicodeScalars.count <= 500 else { throw Problem.invalid("reason", "must be 1...500 characters") }
        if let expiresAt = input.expiresAt {
            guard input.amount > 0 else { throw Problem.invalid("expires_at", "only grants (positive amounts) expire") }
            guard expiresAt > Date() else { throw Problem.invalid("expires_at", "must be in the future") }
        }
        if let priority = input.priority {
            guard input.amount > 0 else { throw Problem.invalid("priority", "only grants (positive amounts) have a priority") }
            guard CreditLot.priorities.contains(priority) else {
                throw Problem.invalid("priority", "must be \(CreditLot.priorities.lowerBound)...\(CreditLot.priorities.upperBound) (lower is spent first)")
            }
        }
        guard try await identities.team(id: teamID) != nil else { throw Problem.notFound("team") }
        let key = request.headers[MVHeader.idempotencyKey]
        if let key { try IdempotencyLock.validate(key) }
        let hash = SHA256.hash(data: try JSONCoding.encode(input)).hexString
        let idempotency = IdempotencyStore(logger: logger)
        let actor = context.auditActor(request)
        let outcome: IdempotencyStore.Outcome = try await postgres.transaction(logger: logger) { connection in
            if let key, let stored = try await idempotency.lookup(userID: principal.userID, key: key, hash: hash, on: connection) {
                return stored
            }
            let balance = try await ledger.grant(
                teamID: teamID, amount: input.amount, reason: reason, userID: principal.userID, apiKeyID: principal.apiKeyID,
                expiresAt: input.expiresAt, priority: input.priority ?? CreditLot.defaultPriority, on: connection)
            let response = GrantResponse(
                teamId: teamID, amount: input.amount, reason: reason, expiresAt: input.expiresAt,
                priority: input.amount > 0 ? input.priority ?? CreditLot.defaultPriority : nil, balance: balance)
            try await AuditLog(logger: logger).record(
                AuditEvent(.creditsGranted, by: actor, teamID: teamID, target: .init(type: "team", id: teamID.lowercased),
                    detail: ["amount": .number(Double(input.amount)), "reason": .string(reason)]),
                on: connection)
            let body = try JSONValue.encoding(response)
            if let key {
                try await idempotency.store(userID: principal.userID, key: key, hash: hash, status: 201, response: body, on: connection)
            }
            return .fresh(status: 201, body: body)
        }
        context.logger.info("credits granted", metadata: ["team": "\(teamID.lowercased)", "amount": "\(input.amount)"])
        return outcome.response
    }

    func updateUser(_ request: Request, context: AppRequestContext) async throws -> UserView {
        _ = try requireAdmin(context)
        let userID = try context.uuidParameter("id", what: "user")
        let input = try await request.decode(as: UserUpdate.self, context: context)
        guard try await identities.user(id: userID) != nil else { throw Problem.notFound("user") }
        if let disabled = input.disabled { try await identities.setDisabled(userID: userID, disabled: disabled) }
        if let admin = input.isPlatformAdmin { try await identities.setPlatformAdmin(userID: userID, isAdmin: admin) }
        var detail: [String: JSONValue] = [:]
        if let disabled = input.disabled { detail["disabled"] = .bool(disabled) }
        if let admin = input.isPlatformAdmin { detail["is_platform_admin"] = .bool(admin) }
        try await AuditLog(logger: logger).record(
            AuditEvent(.adminUserChanged, by: context.auditActor(request), teamID: nil, target: .init(type: "user", id: userID.lowercased),
                detail: detail),
            client: postgres)
        guard let user = try await identities.user(id: userID) else { throw Problem.notFound("user") }
        return UserView(user)
    }

    private func requireAdmin(_ context: AppRequestContext) throws(Problem) -> Principal {
        let principal = try context.requirePrincipal()
        guard principal.isPlatformAdmin else { throw Problem.forbidden("Platform administrators only.") }
        return principal
    }
}

extension UserView: ResponseEncodable {}

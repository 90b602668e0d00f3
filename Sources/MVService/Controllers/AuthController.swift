import Foundation
import Hummingbird
import Logging
import MVAuth
import MVCore
import PostgresNIO

/// Registration, login, refresh-token rotation and logout. Login answers the same for an unknown email and a
/// wrong password, and spends the same bcrypt time on both.
struct AuthController {
    let identities: any IdentityStore
    let refreshTokens: any RefreshTokenStore
    let tokens: TokenIssuer
    let hasher: PasswordHasher
    let openRegistration: Bool
    let audit: AuditLog
    let postgres: PostgresClient

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("register", use: register)
        group.post("login", use: login)
        group.post("refresh", use: refresh)
        group.post("logout", use: logout)
    }

    struct RegisterInput: Codable {
        var email: String
        var password: String
        var name: String?
        var teamName: String?
    }

    struct LoginInput: Codable {
        var email: String
        var password: String
    }

    struct RefreshInput: Codable {
        var refreshToken: String
    }

    /// Tokens handed to a signed-in client.
    struct TokenResponse: ResponseEncodable {
        var accessToken: String
        var refreshToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
    }

    /// `POST /api/auth/register` answer.
    struct RegisterResponse: ResponseEncodable {
        var user: UserView
        var team: Team
        var accessToken: String
        var refreshToken: String
        var tokenType = "Bearer"
        var expiresIn: Int
    }

    func register(_ request: Request, context: AppRequestContext) async throws -> EditedResponse<RegisterResponse> {
        guard openRegistration else {
            throw Problem.forbidden("Registration is closed; ask an administrator for an account.")
        }
        let input = try await request.decode(as: RegisterInput.self, context: context)
        let email = try EmailAddress.normalize(input.email)
        try PasswordPolicy.validate(input.password)
        let name = input.name?.trimmingWhitespaceAndNewlines() ?? ""
        guard (input.name ?? "").unicodeScalars.count <= 200 else { throw Problem.invalid("name", "must be at most 200 characters") }
        let teamName = input.teamName?.trimmingWhitespaceAndNewlines()
        if let teamName, teamName.isEmpty || (input.teamName ?? "").unicodeScalars.count > 200 {
            throw Problem.invalid("team_name", "must be 1...200 characters")
        }
        let hash = try await hasher.hash(input.password)
        let (user, team) = try await identities.createUser(
            email: email, passwordHash: hash, name: name, teamName: teamName, isPlatformAdmin: false)
        let (access, expiresIn) = try await tokens.issueAccessToken(userID: user.id)
        let refresh = try await refreshTokens.issue(userID: user.id, familyID: nil)
        context.logger.info("user registered", metadata: ["user": "\(user.id)"])
        return EditedResponse(
            status: .created,
            response: RegisterResponse(
                user: UserView(user), team: team, accessToken: access, refreshToken: refresh, expiresIn: expiresIn))
    }

    func login(_ request: Request, context: AppRequestContext) async throws -> TokenResponse {
        let input = try await request.decode(as: LoginInput.self, context: context)
        try Self.bound(input.email, "email", EmailAddress.maximumLength)
        try Self.bound(input.password, "password", PasswordPolicy.maximumLength)
        let actor = context.auditActor(request)
        guard let email = try? EmailAddress.normalize(input.email),
            let (user, hash) = try await identities.userWithPasswordHash(email: email)
        else {
            try await hasher.verifyDummy(input.password)
            try await recordFailedLogin(input.email, actor: actor)
            throw AuthError.invalidCredentials
        }
        guard try await hasher.verify(input.password, against: hash) else {
            try await recordFailedLogin(input.email, actor: actor)
            throw AuthError.invalidCredentials
        }
        guard !user.disabled else { throw AuthError.userDisabled }
        let tokens = try await issueTokens(userID: user.id, familyID: nil)
        try await audit.record(
            AuditEvent(.authLogin, by: AuditEvent.Actor(userID: user.id, origin: actor.origin), teamID: nil,
                target: .init(type: "user", id: user.id.lowercased)),
            client: postgres)
        return tokens
    }

    /// A failed login is recorded the same way whether or not the e-mail has an account: the e-mail as typed, no user.
    private func recordFailedLogin(_ email: String, actor: AuditEvent.Actor) async throws {
        try await audit.record(
            AuditEvent(.authLoginFailed, by: actor, teamID: nil, detail: ["email": .string(String(email.prefix(320)))]), client: postgres)
    }

    func refresh(_ request: Request, context: AppRequestContext) async throws -> TokenResponse {
        let input = try await request.decode(as: RefreshInput.self, context: context)
        try Self.bound(input.refreshToken, "refresh_token", Self.maxRefreshTokenLength)
        let rotated: (UUID, String)
        do {
            rotated = try await refreshTokens.rotate(input.refreshToken)
        } catch AuthError.refreshTokenReused {
            try await audit.record(AuditEvent(.authRefreshReuse, by: context.auditActor(request), teamID: nil), client: postgres)
            throw AuthError.refreshTokenReused
        }
        let (userID, newRefresh) = rotated
        let (access, expiresIn) = try await tokens.issueAccessToken(userID: userID)
        return TokenResponse(accessToken: access, refreshToken: newRefresh, expiresIn: expiresIn)
    }

    func logout(_ request: Request, context: AppRequestContext) async throws -> HTTPResponse.Status {
        let input = try await request.decode(as: RefreshInput.self, context: context)
        try Self.bound(input.refreshToken, "refresh_token", Self.maxRefreshTokenLength)
        try await refreshTokens.revokeFamily(of: input.refreshToken)
        return .noContent
    }

    /// Longest `refresh_token` read (ours are 47 characters); longer input is refused, not looked up.
    static let maxRefreshTokenLength = 1000

    /// Every string has a maximum length (counted in Unicode scalars, as the OpenAPI document's `maxLength`).
    static func bound(_ value: String, _ field: String, _ maximum: Int) throws(Problem) {
        guard value.unicodeScalars.count <= maximum else { throw Problem.invalid(field, "must be at most \(maximum) characters") }
    }

    private func issueTokens(userID: UUID, familyID: UUID?) async throws -> TokenResponse {
        let (access, expiresIn) = try await tokens.issueAccessToken(userID: userID)
        let refresh = try await refreshTokens.issue(userID: userID, familyID: familyID)
        return TokenResponse(accessToken: access, refreshToken: refresh, expiresIn: expiresIn)
    }
}

/// A user as the API shows it (never the password hash).
struct UserView: Codable, Sendable {
    var id: UUID
    var email: String
    var name: String
    var isPlatformAdmin: Bool
    var defaultTeamId: UUID?
    var createdAt: Date

    init(_ user: User) {
        id = user.id
        email = user.email
        name = user.name
        isPlatformAdmin = user.isPlatformAdmin
        defaultTeamId = user.defaultTeamID
        createdAt = user.createdAt
    }
}

extension Team: ResponseEncodable {}

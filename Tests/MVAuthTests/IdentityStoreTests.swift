import Foundation
import MVAuth
import MVTestSupport
import PostgresNIO
import Testing

/// `PostgresIdentityStore`: a user comes with a personal team and an owner membership; e-mails are unique
/// regardless of case and found regardless of case; a disabled user resolves to no principal and loses their
/// refresh tokens; unknown ids are `notFound`.
struct IdentityStoreTests {
    @Test func createUserMakesAPersonalTeamAndOwnerMembership() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, team) = try await auth.identities.createUser(
                email: "  Ada@Example.com ", passwordHash: "$2b$10$hash", name: " Ada ", teamName: nil, isPlatformAdmin: false)
            #expect(user.email == "Ada@Example.com")
            #expect(user.name == "Ada")
            #expect(!user.disabled && !user.isPlatformAdmin)
            #expect(user.defaultTeamID == team.id)
            #expect(team.name == "Ada's team" && team.personal)

            #expect(try await auth.identities.user(id: user.id) == user)
            #expect(try await auth.identities.team(id: team.id) == team)
            #expect(try await auth.identities.memberships(userID: user.id) == [Membership(team: team, role: .owner)])
            let principal = try await auth.identities.principal(userID: user.id, teamID: nil)
            #expect(principal == Principal(userID: user.id, email: "Ada@Example.com", isPlatformAdmin: false, teamID: team.id, role: .owner))
            #expect(try await auth.identities.principal(userID: user.id, teamID: team.id) == principal)
        }
    }

    @Test func teamNames() async throws {
        try await TestDatabase.withAuth { auth in
            let (_, unnamed) = try await auth.makeUser("grace@example.com")
            #expect(unnamed.name == "grace@example.com's team")
            let (_, studio) = try await auth.identities.createUser(
                email: "linus@example.com", passwordHash: "h", name: "Linus", teamName: "  Studio  ", isPlatformAdmin: true)
            #expect(studio.name == "Studio")
            await #expect(throws: AuthError.invalidInput(field: "team_name", message: "team_name must be 1 to 200 characters")) {
                try await auth.identities.createUser(
                    email: "ken@example.com", passwordHash: "h", name: "", teamName: "   ", isPlatformAdmin: false)
            }
            let longName = String(repeating: "n", count: 200)
            let (_, long) = try await auth.makeUser("long@example.com", name: longName)
            #expect(long.name.count == 200 && long.name.hasSuffix("'s team"))
            await #expect(throws: AuthError.invalidInput(field: "name", message: "name must be at most 200 characters")) {
                try await auth.makeUser("longer@example.com", name: longName + "n")
            }
        }
    }

    @Test func findByEmailIgnoresCaseAndSurroundingSpace() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.identities.createUser(
                email: "Ada@Example.com", passwordHash: "$2b$10$the-hash", name: "", teamName: nil, isPlatformAdmin: false)
            let found = try #require(try await auth.identities.userWithPasswordHash(email: " ada@EXAMPLE.com "))
            #expect(found.0 == user)
            #expect(found.1 == "$2b$10$the-hash")
            #expect(try await auth.identities.userWithPasswordHash(email: "bob@example.com") == nil)
            #expect(try await auth.identities.userWithPasswordHash(email: "  ") == nil)
        }
    }

    @Test func emailIsUniqueRegardlessOfCase() async throws {
        try await TestDatabase.withAuth { auth in
            _ = try await auth.makeUser("Ada@Example.com")
            await #expect(throws: AuthError.emailTaken) { try await auth.makeUser("ada@example.COM") }
            await #expect(throws: AuthError.emailTaken) { try await auth.makeUser(" ADA@EXAMPLE.COM") }
            // The failed attempts left no team or membership behind.
            #expect(try await auth.count("SELECT count(*) FROM users") == 1)
            #expect(try await auth.count("SELECT count(*) FROM teams") == 1)
            #expect(try await auth.count("SELECT count(*) FROM memberships") == 1)
        }
    }

    @Test func invalidEmailIsRefusedBeforeTheDatabase() async throws {
        try await TestDatabase.withAuth { auth async throws in
            await #expect(throws: AuthError.invalidInput(field: "email", message: "email must contain exactly one @")) {
                try await auth.makeUser("no-at-sign.example.com")
            }
            #expect(try await auth.count("SELECT count(*) FROM users") == 0)
        }
    }

    @Test func disablingLocksTheUserOutAndRevokesRefreshTokens() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            _ = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)
            _ = try await auth.refreshTokens.issue(userID: user.id, familyID: nil)

            try await auth.identities.setDisabled(userID: user.id, disabled: true)
            #expect(try await auth.identities.user(id: user.id)?.disabled == true)
            #expect(try await auth.identities.principal(userID: user.id, teamID: nil) == nil)
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL") == 0)

            try await auth.identities.setDisabled(userID: user.id, disabled: false)
            #expect(try await auth.identities.user(id: user.id)?.disabled == false)
            #expect(try await auth.identities.principal(userID: user.id, teamID: nil)?.role == .owner)
            // Re-enabling does not bring the revoked tokens back.
            #expect(try await auth.count("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL") == 0)
        }
    }

    @Test func platformAdminFlag() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            try await auth.identities.setPlatformAdmin(userID: user.id, isAdmin: true)
            #expect(try await auth.identities.user(id: user.id)?.isPlatformAdmin == true)
            #expect(try await auth.identities.principal(userID: user.id, teamID: nil)?.isPlatformAdmin == true)
        }
    }

    @Test func unknownIdsAndForeignTeams() async throws {
        try await TestDatabase.withAuth { auth in
            let (user, _) = try await auth.makeUser()
            let (_, otherTeam) = try await auth.makeUser()
            let nobody = UUID()
            #expect(try await auth.identities.user(id: nobody) == nil)
            #expect(try await auth.identities.team(id: nobody) == nil)
            #expect(try await auth.identities.memberships(userID: nobody) == [])
            #expect(try await auth.identities.principal(userID: nobody, teamID: nil) == nil)
            // A user acting in a team they do not belong to resolves to nothing.
            #expect(try await auth.identities.principal(userID: user.id, teamID: otherTeam.id) == nil)
            await #expect(throws: AuthError.notFound) { try await auth.identities.setDisabled(userID: nobody, disabled: true) }
            await #expect(throws: AuthError.notFound) { try await auth.identities.setPlatformAdmin(userID: nobody, isAdmin: true) }
        }
    }
}
